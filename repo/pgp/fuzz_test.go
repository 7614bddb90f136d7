package pgp

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzVerifyClearSigned checks that no input makes VerifyClearSigned
// panic, and that whatever verifies says exactly what the test keys
// signed: every fixture signs release.txt, so a changed text never passes.
func FuzzVerifyClearSigned(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.clearsigned")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\n\n-----BEGIN PGP SIGNATURE-----\n\n=AAAA\n-----END PGP SIGNATURE-----\n"))
	kr := keyring(f, "ed25519", "rsa", "untrusted", "sha1")
	want := releaseText(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := VerifyClearSigned(data, kr, testNow)
		if err != nil {
			return
		}
		if !bytes.Equal(v.Text, want) || len(v.Signers) == 0 {
			t.Fatalf("verified %q signed by %+v", v.Text, v.Signers)
		}
	})
}

// FuzzParseKeyring checks that no input makes ParseKeyring or Keys panic,
// and that a keyring it accepts reads back the same after WriteBinary.
func FuzzParseKeyring(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(keysDir, "*.*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kr, err := ParseKeyring(data)
		if err != nil {
			return
		}
		keys := kr.Keys()
		var bin bytes.Buffer
		if err := kr.WriteBinary(&bin); err != nil {
			t.Fatal(err)
		}
		back, err := ParseKeyring(bin.Bytes())
		if err != nil {
			t.Fatalf("written keyring does not parse: %v", err)
		}
		if got := back.Keys(); !reflect.DeepEqual(got, keys) {
			t.Fatalf("read back %+v, want %+v", got, keys)
		}
	})
}
