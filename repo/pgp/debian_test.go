package pgp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Real data, when the machine running the tests has it: Debian's archive
// keyring and the InRelease files apt downloaded.
const (
	systemKeyring = "/usr/share/keyrings"
	debianKeyring = systemKeyring + "/debian-archive-keyring.gpg"
	aptLists      = "/var/lib/apt/lists"
)

// debianInRelease returns the path of apt's copy of Debian's bookworm
// InRelease, or skips the test.
func debianInRelease(t *testing.T) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(aptLists, "*_dists_bookworm_InRelease"))
	if len(matches) == 0 {
		t.Skip("no bookworm InRelease in apt's lists")
	}
	if _, err := os.Stat(debianKeyring); err != nil {
		t.Skip("no Debian archive keyring")
	}
	return matches[0]
}

func TestDebianInRelease(t *testing.T) {
	file := debianInRelease(t)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := LoadKeyring(debianKeyring)
	if err != nil {
		t.Fatal(err)
	}
	v, err := VerifyClearSigned(data, kr, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(v.Text, []byte("Origin: Debian\n")) || bytes.Contains(v.Text, []byte("-----BEGIN")) {
		t.Errorf("text starts %q", v.Text[:min(len(v.Text), 40)])
	}
	var signing []string
	for _, s := range v.Signers {
		signing = append(signing, s.SigningKey)
	}
	t.Logf("%s: %d bytes signed by %v", filepath.Base(file), len(v.Text), signing)

	for name, other := range map[string]*Keyring{"no keyring": nil, "test keys": keyring(t, "ed25519", "rsa")} {
		_, err := VerifyClearSigned(data, other, time.Now())
		var unknown []string
		for _, u := range UnknownSigners(err) {
			unknown = append(unknown, u.Fingerprint)
		}
		if !reflect.DeepEqual(unknown, signing) {
			t.Errorf("%s: error %v, want unknown signers %v", name, err, signing)
		}
	}

	if _, err := exec.LookPath("gpgv"); err != nil {
		return
	}
	out, status := gpgv(t, kr, file)
	if !bytes.Equal(v.Text, out) {
		t.Errorf("text differs from what gpgv prints (%d bytes, gpgv %d)", len(v.Text), len(out))
	}
	if want := validSigners(status); !reflect.DeepEqual(signing, want) {
		t.Errorf("signed by %v, gpgv says %v", signing, want)
	}
}

// TestAptListsAgreeWithGpgv checks every InRelease in apt's lists against
// every keyring of the system: this package accepts exactly those gpgv
// finds a good signature in (none made with a weak digest), and names the
// signers gpgv names otherwise.
func TestAptListsAgreeWithGpgv(t *testing.T) {
	debianInRelease(t)
	needTool(t, "gpgv")
	lists, _ := filepath.Glob(filepath.Join(aptLists, "*InRelease"))
	rings, _ := filepath.Glob(filepath.Join(systemKeyring, "*.gpg"))
	verified := 0
	for _, ring := range rings {
		kr, err := LoadKeyring(ring)
		if err != nil {
			t.Errorf("%s: %v", ring, err)
			continue
		}
		for _, list := range lists {
			if agreeWithGpgv(t, kr, ring, list) {
				verified++
			}
		}
	}
	t.Logf("%d keyrings × %d InRelease files: %d verified", len(rings), len(lists), verified)
}

// agreeWithGpgv compares the verdicts on one file with one keyring and
// reports whether the file verified.
func agreeWithGpgv(t *testing.T, kr *Keyring, ring, list string) bool {
	t.Helper()
	data, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	v, err := VerifyClearSigned(data, kr, now)
	out, status := gpgv(t, kr, list)
	good := gpgvGood(status)
	name := filepath.Base(ring) + " " + filepath.Base(list)
	switch {
	case err == nil && !good:
		t.Errorf("%s: verified, gpgv says\n%s", name, status)
	case err != nil && good:
		t.Errorf("%s: %v, gpgv says\n%s", name, err, status)
	case err == nil && !bytes.Equal(v.Text, out):
		t.Errorf("%s: text differs from gpgv's", name)
	case err != nil && len(UnknownSigners(err)) > 0:
		for _, u := range UnknownSigners(err) {
			if !strings.Contains(status, "NO_PUBKEY "+u.KeyID) {
				t.Errorf("%s: unknown signer %s, gpgv says\n%s", name, u.ID(), status)
			}
		}
	}
	return err == nil
}

// gpgvGood reports whether gpgv's status lines hold a good signature by a
// valid key (GOODSIG, not EXPKEYSIG or REVKEYSIG) with a strong digest.
func gpgvGood(status string) bool {
	if !strings.Contains(status, "[GNUPG:] GOODSIG ") {
		return false
	}
	for _, line := range strings.Split(status, "\n") {
		// VALIDSIG fpr date time expire version reserved pkalgo hashalgo ...
		if f := strings.Fields(line); len(f) > 9 && f[1] == "VALIDSIG" && !slices.Contains([]string{"1", "2", "3"}, f[9]) {
			return true
		}
	}
	return false
}
