package pkgsig

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
	"aim/repo/pgp"
)

// keysDir holds the test keys (see its README).
const keysDir = "../../testdata/keys"

// Fingerprints of test keys.
const (
	fprEd25519   = "EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B"
	fprRSA       = "4D92C79B154829B80F1891368A1CC3D2CF189026"
	fprUntrusted = "743D69ADECDDFB92B2D5CAD9CAAC13D66A2732A8"
)

// now is when the tests sign and verify: after the test keys were made.
var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// buildDeb writes a small package with a file holding content to a new
// file in dir and returns its path.
func buildDeb(t testing.TB, dir, content string) string {
	t.Helper()
	fsys := fstest.MapFS{
		"DEBIAN":                {Mode: fs.ModeDir | 0o755},
		"usr":                   {Mode: fs.ModeDir | 0o755},
		"usr/share":             {Mode: fs.ModeDir | 0o755},
		"usr/share/signed":      {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control":        {Mode: 0o644, Data: []byte("Package: signed\nVersion: 1.0\nArchitecture: all\nMaintainer: aim <aim@aim-test.invalid>\nDescription: a signed package\n")},
		"usr/share/signed/file": {Data: []byte(content), Mode: 0o644},
	}
	path := filepath.Join(dir, "signed_1.0_all.deb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := deb.Build(fsys, f, deb.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return path
}

// signer loads testdata/keys/NAME.secret.asc.
func signer(t testing.TB, name string) *pgp.Signer {
	t.Helper()
	s, err := pgp.LoadSigner(filepath.Join(keysDir, name+".secret.asc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keyring loads testdata/keys/NAME.asc for each name.
func keyring(t testing.TB, names ...string) *pgp.Keyring {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(keysDir, n+".asc"))
	}
	kr, err := pgp.LoadKeyring(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// memberNames lists the members after data.tar of the package at path.
func memberNames(t testing.TB, path string) []string {
	t.Helper()
	ms, err := readMembers(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	return names
}

func TestSignFileMembers(t *testing.T) {
	path := buildDeb(t, t.TempDir(), "hello\n")
	os.Chmod(path, 0o640)
	mustSign(t, path, signer(t, "rsa"), Developer, nil)
	mustSign(t, path, signer(t, "ed25519"), Store, nil)
	mustSign(t, path, signer(t, "ed25519"), Store, nil) // replaces
	want := []string{"_gpgmaint", "_gpgorigin", KeysMember}
	if got := memberNames(t, path); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	ms, _ := readMembers(path)
	kr, err := ParseKeys(memberData(ms, KeysMember))
	if err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 2 || !kr.Has(fprRSA) || !kr.Has(fprEd25519) {
		t.Errorf("%s holds %v", KeysMember, kr.Keys())
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".aim-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSignFileRefuses(t *testing.T) {
	dir := t.TempDir()
	path := buildDeb(t, dir, "x")
	before, _ := os.ReadFile(path)
	if err := SignFile(path, signer(t, "ed25519"), "builder", nil, now); err == nil {
		t.Error("signed with an unknown role")
	}
	if err := SignFile(path, signer(t, "ed25519"), Store, keyring(t, "rsa"), now); err == nil {
		t.Error("signed with a public key that is not the signer's")
	}
	if err := SignFile(path, signer(t, "expired"), Store, nil, now); err == nil {
		t.Error("signed with an expired key")
	}
	notDeb := filepath.Join(dir, "not.deb")
	os.WriteFile(notDeb, []byte("!<arch>\nnot a package"), 0o644)
	if err := SignFile(notDeb, signer(t, "ed25519"), Store, nil, now); err == nil {
		t.Error("signed a broken package")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused signing changed the package")
	}
}

// mustSign signs path for role at now.
func mustSign(t testing.TB, path string, s *pgp.Signer, role Role, pub *pgp.Keyring) {
	t.Helper()
	if err := SignFile(path, s, role, pub, now); err != nil {
		t.Fatal(err)
	}
}

// TestDpkgDebReadsSignedPackage checks that dpkg-deb still reads a
// package signed for both roles.
func TestDpkgDebReadsSignedPackage(t *testing.T) {
	dpkgDeb, err := exec.LookPath("dpkg-deb")
	if err != nil {
		t.Skip("dpkg-deb not installed")
	}
	dir := t.TempDir()
	path := buildDeb(t, dir, "hello\n")
	mustSign(t, path, signer(t, "rsa"), Developer, nil)
	mustSign(t, path, signer(t, "ed25519"), Store, nil)
	for _, args := range [][]string{{"-I", path}, {"-c", path}, {"-x", path, filepath.Join(dir, "x")}} {
		out, err := exec.Command(dpkgDeb, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg-deb %v: %v\n%s", args, err, out)
		}
		if bytes.Contains(out, []byte("warning")) {
			t.Errorf("dpkg-deb %v warns:\n%s", args, out)
		}
	}
	if got, err := os.ReadFile(filepath.Join(dir, "x/usr/share/signed/file")); err != nil || string(got) != "hello\n" {
		t.Errorf("extracted %q, %v", got, err)
	}
}

// graft returns a copy of the package at other carrying the signature
// members of the package at signed: a tampered package.
func graft(t testing.TB, signed, other string) string {
	t.Helper()
	ms, err := readMembers(signed)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(other)
	for _, m := range ms {
		var out bytes.Buffer
		if err := deb.AddSignature(bytes.NewReader(data), &out, m.Name, m.Data); err != nil {
			t.Fatal(err)
		}
		data = out.Bytes()
	}
	path := filepath.Join(t.TempDir(), "tampered.deb")
	os.WriteFile(path, data, 0o644)
	return path
}

func TestParseKeysRefuses(t *testing.T) {
	secret, _ := os.ReadFile(filepath.Join(keysDir, "ed25519.secret.asc"))
	for _, data := range [][]byte{nil, []byte("junk"), secret} {
		if _, err := ParseKeys(data); err == nil {
			t.Errorf("%.20q: no error", data)
		}
	}
	if _, err := ParseKeys(secret); !errors.Is(err, pgp.ErrSecretKey) {
		t.Errorf("secret key: %v", err)
	}
}

func FuzzParseKeys(f *testing.F) {
	pub, _ := os.ReadFile(filepath.Join(keysDir, "ed25519.asc"))
	bin, _ := os.ReadFile(filepath.Join(keysDir, "rsa.gpg"))
	f.Add(pub)
	f.Add(bin)
	f.Add([]byte{0x99, 0x00, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		kr, err := ParseKeys(data)
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := kr.WriteBinary(&b); err != nil {
			t.Fatal(err)
		}
		again, err := ParseKeys(b.Bytes())
		if err != nil || again.Len() != kr.Len() {
			t.Fatalf("keys do not round-trip: %v", err)
		}
	})
}
