package pgp

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// keyCreated is the creation time of the keys the tests generate.
var keyCreated = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestGenerateKey(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      KeyOptions
		algorithm string
		expires   time.Time
	}{
		{"ed25519", KeyOptions{Name: "aim maintainer", Email: "m@aim-test.invalid"}, "ed25519", time.Time{}},
		{"rsa", KeyOptions{Name: "aim rsa", Email: "r@aim-test.invalid", RSA: true, RSABits: 2048}, "rsa2048", time.Time{}},
		{"expiring", KeyOptions{Name: "aim exp", Comment: "test", Lifetime: 48 * time.Hour}, "ed25519", keyCreated.Add(48 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Created = keyCreated
			s, secret, err := GenerateKey(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			keys := s.PublicKey().Keys()
			if len(keys) != 1 {
				t.Fatalf("%d keys", len(keys))
			}
			k := keys[0]
			if k.Algorithm != tc.algorithm || !k.Created.Equal(keyCreated) || !k.Expires.Equal(tc.expires) ||
				!k.Sign || len(k.Subkeys) != 0 || len(k.UserIDs) != 1 {
				t.Errorf("key = %+v", k)
			}
			if tc.algorithm == "ed25519" && s.entity.PrimaryKey.PubKeyAlgo != 22 {
				t.Errorf("algorithm %d, want 22 (legacy EdDSA)", s.entity.PrimaryKey.PubKeyAlgo)
			}
			if s.entity.PrimaryKey.Version != 4 {
				t.Errorf("version %d key", s.entity.PrimaryKey.Version)
			}
			back, err := ParseSigner(secret, nil)
			if err != nil {
				t.Fatal(err)
			}
			if back.Fingerprint() != s.Fingerprint() {
				t.Errorf("secret key reads back as %s, want %s", back.Fingerprint(), s.Fingerprint())
			}
			out, err := back.ClearSign([]byte("x\n"), keyCreated.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyClearSigned(out, s.PublicKey(), keyCreated.Add(time.Hour)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestGenerateKeyRefuses(t *testing.T) {
	for _, opts := range []KeyOptions{
		{},
		{Name: "a <b>"},
		{Name: "a", RSA: true, RSABits: 1024},
		{Name: "a", Lifetime: -time.Hour},
	} {
		if _, _, err := GenerateKey(opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
}

func TestPassphraseProtectedKey(t *testing.T) {
	pw := []byte("correct horse")
	s, secret, err := GenerateKey(KeyOptions{Name: "aim locked", Created: keyCreated, Passphrase: pw})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(secret, []byte("correct")) {
		t.Fatal("passphrase in the output")
	}
	for _, tc := range []struct {
		name string
		pw   []byte
		want error
	}{
		{"none", nil, ErrPassphraseNeeded},
		{"wrong", []byte("wrong"), ErrWrongPassphrase},
		{"right", pw, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSigner(secret, tc.pw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && got.Fingerprint() != s.Fingerprint() {
				t.Errorf("fingerprint %s", got.Fingerprint())
			}
		})
	}
	// An unprotected key ignores a passphrase.
	if _, err := ParseSigner(fixtureKey(t, "ed25519.secret.asc"), []byte("x")); err != nil {
		t.Error(err)
	}
}

// TestGeneratedKeysAgreeWithGnuPG checks that gpg reads generated keys,
// protected ones with their passphrase, that what gpg signs with them
// verifies here, and that gpgv verifies what they sign here.
func TestGeneratedKeysAgreeWithGnuPG(t *testing.T) {
	gpg := needTool(t, "gpg")
	gpgv := needTool(t, "gpgv")
	dir := t.TempDir()
	pw := []byte("s3cret")
	os.WriteFile(filepath.Join(dir, "pw"), append(pw, '\n'), 0o600)
	for _, tc := range []struct {
		name string
		opts KeyOptions
	}{
		{"ed25519", KeyOptions{Name: "aim gpg", Email: "g@aim-test.invalid"}},
		{"rsa", KeyOptions{Name: "aim gpg rsa", RSA: true, RSABits: 2048}},
		{"protected", KeyOptions{Name: "aim gpg locked", Passphrase: pw, Lifetime: 24 * time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(dir, tc.name)
			os.Mkdir(home, 0o700)
			s, secret, err := GenerateKey(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			secretFile, pubFile := filepath.Join(home, "k.secret.asc"), filepath.Join(home, "k.gpg")
			os.WriteFile(secretFile, secret, 0o600)
			writeBinaryKeyring(t, s.PublicKey(), pubFile)
			shown := gpgShowKeys(t, pubFile)
			if len(shown) != 1 || shown[0][0].fpr != s.Fingerprint() || !shown[0][0].sign {
				t.Fatalf("gpg --show-keys: %v, want %s", shown, s.Fingerprint())
			}
			gpgRun := func(args ...string) {
				t.Helper()
				base := []string{"--batch", "--homedir", home, "--pinentry-mode", "loopback", "--passphrase-file", filepath.Join(dir, "pw")}
				cmd := exec.Command(gpg, append(base, args...)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("gpg %v: %v\n%s", args, err, out)
				}
			}
			gpgRun("--import", secretFile)
			msg := filepath.Join(home, "msg")
			os.WriteFile(msg, []byte("signed by gpg\n"), 0o644)
			gpgRun("--detach-sign", "--digest-algo", "SHA512", "-o", msg+".sig", msg)
			sig, _ := os.ReadFile(msg + ".sig")
			if _, err := VerifyDetached([]byte("signed by gpg\n"), sig, s.PublicKey(), time.Now()); err != nil {
				t.Errorf("gpg's signature with the generated key: %v", err)
			}
			ours, err := s.ClearSign([]byte("signed by aim\n"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(msg+".asc", ours, 0o644)
			if text := runGpgv(t, gpgv, pubFile, "--output", "-", msg+".asc"); !strings.Contains(text, "signed by aim") {
				t.Errorf("gpgv printed %q", text)
			}
		})
	}
}
