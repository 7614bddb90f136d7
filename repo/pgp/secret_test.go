package pgp

import (
	"path/filepath"
	"testing"
)

// FuzzParseSigner checks that reading secret keys never panics, and that
// a key that reads has a public half that signs and verifies.
func FuzzParseSigner(f *testing.F) {
	for _, name := range []string{"ed25519.secret.asc", "rsa.secret.asc", "ed25519.asc"} {
		f.Add(fixtureKey(f, name))
	}
	f.Add([]byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxx\n-----END PGP PRIVATE KEY BLOCK-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSigner(data, nil)
		if _, perr := ParsePublic(data); perr != nil && err == nil {
			t.Fatalf("ParseSigner reads what ParsePublic refuses: %v", perr)
		}
		if err != nil {
			return
		}
		if s.PublicKey().Len() != 1 {
			t.Fatalf("%d public keys", s.PublicKey().Len())
		}
	})
}

func TestParsePublicOfSecretKey(t *testing.T) {
	for _, name := range []string{"ed25519", "rsa"} {
		kr, err := ParsePublic(fixtureKey(t, name+".secret.asc"))
		if err != nil {
			t.Fatal(err)
		}
		want := keyring(t, name)
		if kr.Len() != 1 || kr.Keys()[0].Fingerprint != want.Keys()[0].Fingerprint {
			t.Errorf("%s: %v", name, kr.Keys())
		}
	}
	if _, err := ParsePublic(fixtureKey(t, filepath.Base("rsa.gpg"))); err != nil {
		t.Error(err)
	}
}
