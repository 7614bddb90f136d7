package pgp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// These tests hold this package against GnuPG's own tools when they are
// installed: gpg for what a keyring holds, gpgv for what a signed file
// says. They are skipped otherwise.

// needTool skips the test when name is not installed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

// gpgKey is what gpg --with-colons says of a primary key or subkey.
type gpgKey struct {
	fpr  string
	sign bool // its own capabilities include "s"
}

// gpgShowKeys lists the keys of a keyring file the way gpg sees them,
// each primary key followed by its subkeys.
func gpgShowKeys(t *testing.T, file string) [][]gpgKey {
	t.Helper()
	cmd := exec.Command(needTool(t, "gpg"), "--batch", "--with-colons", "--show-keys", file)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpg --show-keys %s: %v", file, err)
	}
	var keys [][]gpgKey
	var caps string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, ":")
		switch {
		case len(f) > 11 && (f[0] == "pub" || f[0] == "sub"):
			caps = f[11]
			if f[0] == "pub" {
				keys = append(keys, nil)
			}
		case len(f) > 9 && f[0] == "fpr" && len(keys) > 0:
			k := &keys[len(keys)-1]
			*k = append(*k, gpgKey{fpr: f[9], sign: strings.Contains(caps, "s")})
		}
	}
	return keys
}

// ourKeys lists the keys of a keyring file as this package sees them.
func ourKeys(t *testing.T, file string) [][]gpgKey {
	t.Helper()
	kr, err := LoadKeyring(file)
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]gpgKey
	for _, k := range kr.Keys() {
		ks := []gpgKey{{k.Fingerprint, k.Sign}}
		for _, s := range k.Subkeys {
			ks = append(ks, gpgKey{s.Fingerprint, s.Sign})
		}
		keys = append(keys, ks)
	}
	return keys
}

func TestKeysAgreeWithGnuPG(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(keysDir, "*.asc"))
	files = append(files, filepath.Join(keysDir, "rsa.gpg"))
	if _, err := os.Stat(debianKeyring); err == nil {
		files = append(files, debianKeyring)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".secret.asc") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			if got, want := ourKeys(t, f), gpgShowKeys(t, f); !reflect.DeepEqual(got, want) {
				t.Errorf("keys %v\ngpg says %v", got, want)
			}
		})
	}
}

// gpgv runs gpgv on a signed file with kr as its keyring and returns
// what it prints with --output - and its status lines.
func gpgv(t *testing.T, kr *Keyring, args ...string) (out []byte, status string) {
	t.Helper()
	dir := t.TempDir()
	ring := filepath.Join(dir, "keyring.gpg")
	var bin bytes.Buffer
	if err := kr.WriteBinary(&bin); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ring, bin.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(needTool(t, "gpgv"), append([]string{"--keyring", ring, "--status-fd", "2", "--output", "-"}, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ = cmd.Output() // a failure shows in the status lines
	return out, stderr.String()
}

// validSigners returns the signing key fingerprints of gpgv's VALIDSIG
// status lines.
func validSigners(status string) []string {
	var fprs []string
	for _, line := range strings.Split(status, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "VALIDSIG" {
			fprs = append(fprs, f[2])
		}
	}
	return fprs
}

func TestTextAgreesWithGpgv(t *testing.T) {
	for _, tt := range []struct{ file, key string }{
		{"ed25519.clearsigned", "ed25519"},
		{"rsa.clearsigned", "rsa"},
		{"multi.clearsigned", "rsa"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			kr := keyring(t, tt.key)
			v, err := VerifyClearSigned(fixture(t, tt.file), kr, testNow)
			if err != nil {
				t.Fatal(err)
			}
			out, status := gpgv(t, kr, filepath.Join("testdata", tt.file))
			if !bytes.Equal(v.Text, out) {
				t.Errorf("text %q\ngpgv prints %q", v.Text, out)
			}
			if signers := validSigners(status); len(signers) != 1 || signers[0] != v.Signers[0].SigningKey {
				t.Errorf("gpgv: %s", status)
			}
		})
	}
}
