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

// signNow is when the signing tests sign: after the test keys were made.
var signNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// loadTestSigner loads testdata/keys/NAME.secret.asc.
func loadTestSigner(t testing.TB, name string) *Signer {
	t.Helper()
	s, err := LoadSigner(filepath.Join(keysDir, name+".secret.asc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signTexts are texts ClearSign must round-trip, framing edge cases
// included.
var signTexts = []struct {
	name, text, want string
}{
	{"release", "Origin: aim\nSuite: stable\n", "Origin: aim\nSuite: stable\n"},
	{"no final newline", "a\nb", "a\nb\n"},
	{"dashes", "-----BEGIN PGP SIGNATURE-----\n- x\n-\n", "-----BEGIN PGP SIGNATURE-----\n- x\n-\n"},
	{"trailing blanks", "a \t\nb\n", "a\nb\n"},
	{"crlf", "a\r\nb\r\n", "a\nb\n"},
	{"blank lines", "a\n\n\nb\n\n", "a\n\n\nb\n\n"},
	{"utf-8", "Description: caf\u00e9\n", "Description: caf\u00e9\n"},
}

func TestClearSignRoundTrip(t *testing.T) {
	for _, key := range []struct{ name, fpr, signing string }{
		{"ed25519", fprEd25519, fprEd25519},
		{"rsa", fprRSA, fprRSASigning},
	} {
		s := loadTestSigner(t, key.name)
		kr := keyring(t, key.name)
		for _, tc := range signTexts {
			t.Run(key.name+"/"+tc.name, func(t *testing.T) {
				out, err := s.ClearSign([]byte(tc.text), signNow)
				if err != nil {
					t.Fatal(err)
				}
				v, err := VerifyClearSigned(out, kr, signNow)
				if err != nil {
					t.Fatalf("VerifyClearSigned: %v\n%s", err, out)
				}
				if string(v.Text) != tc.want {
					t.Errorf("text = %q, want %q", v.Text, tc.want)
				}
				got := v.Signers[0]
				if got.Fingerprint != key.fpr || got.SigningKey != key.signing || got.Digest != "SHA512" || !got.Created.Equal(signNow) {
					t.Errorf("signature = %+v", got)
				}
			})
		}
	}
}

func TestDetachSignRoundTrip(t *testing.T) {
	data := []byte("Origin: aim\n\x00binary\xff")
	for _, name := range []string{"ed25519", "rsa"} {
		s := loadTestSigner(t, name)
		kr := keyring(t, name)
		armored, err := s.DetachSign(data, signNow)
		if err != nil {
			t.Fatal(err)
		}
		binary, err := s.DetachSignBinary(data, signNow)
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := s.DetachSignReader(bytes.NewReader(data), signNow)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(binary, streamed) {
			t.Errorf("%s: DetachSignReader differs from DetachSignBinary", name)
		}
		for _, sig := range [][]byte{armored, binary} {
			if _, err := VerifyDetached(data, sig, kr, signNow); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			tampered := append(bytes.Clone(data), 'x')
			if _, err := VerifyDetached(tampered, sig, kr, signNow); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: tampered data: err = %v, want ErrBadSignature", name, err)
			}
			if _, err := VerifyDetached(data, sig, keyring(t, "untrusted"), signNow); len(UnknownSigners(err)) != 1 {
				t.Errorf("%s: other keyring: err = %v, want an unknown signer", name, err)
			}
		}
	}
}

func TestSignDeterministic(t *testing.T) {
	for _, name := range []string{"ed25519", "rsa"} {
		s := loadTestSigner(t, name)
		a, err := s.ClearSign([]byte("x\n"), signNow)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.ClearSign([]byte("x\n"), signNow)
		c, _ := s.ClearSign([]byte("x\n"), signNow.Add(time.Second))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two signatures at the same time differ", name)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: signatures at different times are equal", name)
		}
	}
}

func TestSignerRefusesBadKeys(t *testing.T) {
	pub, err := os.ReadFile(filepath.Join(keysDir, "ed25519.asc"))
	if err != nil {
		t.Fatal(err)
	}
	two := append(bytes.Clone(fixtureKey(t, "ed25519.secret.asc")), fixtureKey(t, "rsa.secret.asc")...)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"public key", pub, ErrNoSecretKey},
		{"empty", nil, ErrNoSecretKey},
		{"two keys", two, ErrNoSecretKey},
		{"garbage", []byte("\x99\x01\x02"), ErrNoSecretKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSigner(tc.data, nil); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSignerExpiredKey(t *testing.T) {
	s := loadTestSigner(t, "expired")
	if _, err := s.ClearSign([]byte("x\n"), signNow); err == nil || !strings.Contains(err.Error(), "no valid signing key") {
		t.Errorf("err = %v, want no valid signing key", err)
	}
}

func TestSignerPublicKey(t *testing.T) {
	for _, name := range []string{"ed25519", "rsa"} {
		s := loadTestSigner(t, name)
		var got, want bytes.Buffer
		if err := s.PublicKey().WriteBinary(&got); err != nil {
			t.Fatal(err)
		}
		if err := keyring(t, name).WriteBinary(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: public half differs from %s.asc", name, name)
		}
		if s.Fingerprint() != s.PublicKey().Keys()[0].Fingerprint {
			t.Errorf("%s: fingerprint %s", name, s.Fingerprint())
		}
	}
}

func TestPassphraseHelpers(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{"secret\n", "secret"},
		{"secret\r\nsecond line\n", "secret"},
		{"no newline", "no newline"},
		{"\n", ""},
	} {
		f := filepath.Join(dir, "p")
		os.WriteFile(f, []byte(tc.content), 0o600)
		got, err := PassphraseFromFile(f)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q: no error for an empty passphrase", tc.content)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: got %q, %v", tc.content, got, err)
		}
	}
	env := map[string]string{PassphraseEnv: "pw"}
	if got := PassphraseFromEnv(func(k string) string { return env[k] }, PassphraseEnv); string(got) != "pw" {
		t.Errorf("env: %q", got)
	}
	if got := PassphraseFromEnv(func(string) string { return "" }, PassphraseEnv); got != nil {
		t.Errorf("unset env: %q", got)
	}
}

// fixtureKey reads a file of the test keys directory.
func fixtureKey(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(keysDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSignaturesAgreeWithGpgv checks that gpgv accepts what a Signer
// makes, clear-signed and detached, armored and binary, and prints the
// same text VerifyClearSigned returns.
func TestSignaturesAgreeWithGpgv(t *testing.T) {
	gpgv := needTool(t, "gpgv")
	dir := t.TempDir()
	for _, name := range []string{"ed25519", "rsa"} {
		s := loadTestSigner(t, name)
		kr := filepath.Join(dir, name+".gpg")
		writeBinaryKeyring(t, s.PublicKey(), kr)
		for _, tc := range signTexts {
			out, err := s.ClearSign([]byte(tc.text), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(dir, "InRelease")
			os.WriteFile(f, out, 0o644)
			text := runGpgv(t, gpgv, kr, "--output", "-", f)
			if text != tc.want {
				t.Errorf("%s/%s: gpgv text %q, want %q", name, tc.name, text, tc.want)
			}
		}
		data := []byte("Origin: aim\n")
		os.WriteFile(filepath.Join(dir, "Release"), data, 0o644)
		armored, _ := s.DetachSign(data, time.Now())
		binary, _ := s.DetachSignBinary(data, time.Now())
		for i, sig := range [][]byte{armored, binary} {
			f := filepath.Join(dir, "Release.gpg")
			os.WriteFile(f, sig, 0o644)
			runGpgv(t, gpgv, kr, f, filepath.Join(dir, "Release"))
			os.WriteFile(filepath.Join(dir, "Tampered"), []byte("Origin: aim!\n"), 0o644)
			cmd := exec.Command(gpgv, "--keyring", kr, f, filepath.Join(dir, "Tampered"))
			if err := cmd.Run(); err == nil {
				t.Errorf("%s: gpgv accepted detached signature %d over tampered data", name, i)
			}
		}
	}
}

// writeBinaryKeyring writes kr to file as a binary keyring for gpgv.
func writeBinaryKeyring(t testing.TB, kr *Keyring, file string) {
	t.Helper()
	var b bytes.Buffer
	if err := kr.WriteBinary(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runGpgv runs gpgv with keyring kr, fails the test when it does not
// verify, and returns its standard output.
func runGpgv(t *testing.T, gpgv, kr string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gpgv, append([]string{"--keyring", kr}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gpgv %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// TestVerifyDetachedReaderAgrees checks that the streaming verification
// accepts and refuses what VerifyDetached does.
func TestVerifyDetachedReaderAgrees(t *testing.T) {
	release := fixture(t, "release.txt")
	ours, err := loadTestSigner(t, "ed25519").DetachSign(release, testNow)
	if err != nil {
		t.Fatal(err)
	}
	sigs := map[string][]byte{"ours": ours}
	for _, name := range []string{"ed25519.detached.sig", "ed25519.textmode.sig", "rsa.detached.asc", "sha1.detached.sig"} {
		sigs[name] = fixture(t, name)
	}
	for name, sig := range sigs {
		for _, keys := range [][]string{{"ed25519"}, {"rsa"}, {"sha1"}, {"ed25519", "rsa", "untrusted"}} {
			for _, data := range [][]byte{release, append(bytes.Clone(release), 'x')} {
				kr := keyring(t, keys...)
				want, wantErr := VerifyDetached(data, sig, kr, testNow)
				got, gotErr := VerifyDetachedReader(bytes.NewReader(data), sig, kr, testNow)
				if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
					t.Errorf("%s %v: err %v, want %v", name, keys, gotErr, wantErr)
					continue
				}
				if want != nil && strings.Join(signerFingerprints(want), ",") != strings.Join(signerFingerprints(got), ",") {
					t.Errorf("%s %v: signers %v, want %v", name, keys, signerFingerprints(got), signerFingerprints(want))
				}
			}
		}
	}
}
