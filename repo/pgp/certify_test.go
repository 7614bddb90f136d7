package pgp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// certified returns the untrusted test key certified by the CA test key
// ca at when.
func certified(t testing.TB, ca string, when time.Time) *Keyring {
	t.Helper()
	kr, err := Certify(loadTestSigner(t, ca), keyring(t, "untrusted"), when)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestCertify(t *testing.T) {
	kr := certified(t, "ed25519", signNow)
	if got := kr.Certifiers(fprUntrusted, keyring(t, "ed25519", "rsa"), signNow); !slices.Equal(got, []string{fprEd25519}) {
		t.Errorf("Certifiers = %v, want the ed25519 key", got)
	}
	certs := kr.Certifications(fprUntrusted)
	if len(certs) != 1 || certs[0].Issuer != fprEd25519 || !certs[0].Created.Equal(signNow) ||
		certs[0].UserID != "aim test untrusted <untrusted@aim-test.invalid>" {
		t.Errorf("Certifications = %+v", certs)
	}
	// The key itself is unchanged: same fingerprint, still verifies.
	if k := kr.Keys(); len(k) != 1 || k[0].Fingerprint != fprUntrusted {
		t.Errorf("keys = %+v", k)
	}
	// Certifying again replaces the certification.
	again, err := Certify(loadTestSigner(t, "ed25519"), kr, signNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if certs := again.Certifications(fprUntrusted); len(certs) != 1 || !certs[0].Created.Equal(signNow.Add(time.Hour)) {
		t.Errorf("after certifying twice: %+v", certs)
	}
	// A second CA adds its own.
	both, err := Certify(loadTestSigner(t, "rsa"), again, signNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := both.Certifiers(fprUntrusted, keyring(t, "ed25519", "rsa"), signNow.Add(2*time.Hour)); len(got) != 2 {
		t.Errorf("two CAs: %v", got)
	}
}

func TestCertifiedBy(t *testing.T) {
	good := certified(t, "ed25519", signNow)
	forged := corruptLastSignature(t, good)
	for _, tc := range []struct {
		name string
		key  *Keyring
		ca   []string
		now  time.Time
		want bool
	}{
		{"certified", good, []string{"ed25519"}, signNow, true},
		{"other CA", good, []string{"rsa"}, signNow, false},
		{"not certified", keyring(t, "untrusted"), []string{"ed25519"}, signNow, false},
		{"forged", forged, []string{"ed25519"}, signNow, false},
		{"future", good, []string{"ed25519"}, signNow.Add(-time.Hour), false},
		{"revoked CA", certified(t, "revoked", signNow), []string{"revoked"}, signNow, false},
		{"expired CA", certified(t, "expired", time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC)), []string{"expired"}, signNow, false},
		{"no CA", good, nil, signNow, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ca *Keyring
			if tc.ca != nil {
				ca = keyring(t, tc.ca...)
			}
			if got := CertifiedBy(tc.key, ca, tc.now); got != tc.want {
				t.Errorf("CertifiedBy = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCertifyRefuses(t *testing.T) {
	if _, err := Certify(loadTestSigner(t, "ed25519"), keyring(t, "ed25519"), signNow); err == nil {
		t.Error("a key certified itself")
	}
	if _, err := Certify(loadTestSigner(t, "expired"), keyring(t, "untrusted"), signNow); err == nil {
		t.Error("an expired CA certified")
	}
	if _, err := Certify(loadTestSigner(t, "ed25519"), nil, signNow); err == nil {
		t.Error("certified an empty keyring")
	}
}

// corruptLastSignature flips a bit in the last byte of kr's packets, the
// end of the last certification's signature value.
func corruptLastSignature(t testing.TB, kr *Keyring) *Keyring {
	t.Helper()
	var b bytes.Buffer
	kr.WriteBinary(&b)
	data := b.Bytes()
	data[len(data)-1] ^= 1
	out, err := ParseKeyring(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCertificationAgreesWithGnuPG checks that gpg --check-sigs finds the
// certification Certify made good.
func TestCertificationAgreesWithGnuPG(t *testing.T) {
	gpg := needTool(t, "gpg")
	home := t.TempDir()
	file := filepath.Join(home, "both.gpg")
	all, err := keyring(t, "ed25519").Merge(certified(t, "ed25519", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	writeBinaryKeyring(t, all, file)
	run := func(args ...string) string {
		cmd := exec.Command(gpg, append([]string{"--batch", "--homedir", home, "--with-colons"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("gpg %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("--import", file)
	out := run("--check-sigs", fprUntrusted)
	var good bool
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, ":")
		if len(f) > 12 && f[0] == "sig" && f[1] == "!" && strings.HasSuffix(fprEd25519, f[4]) && f[10] == "10x" {
			good = true
		}
	}
	if !good {
		t.Errorf("gpg --check-sigs shows no good certification by %s:\n%s", fprEd25519, out)
	}
	os.Remove(file)
}
