// Package publishtest builds maintainers' repositories for tests of the
// packages around repo/publish: small packages, a repository, the test
// signing key and publishing with it.
package publishtest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
	"aim/repo/pgp"
	"aim/repo/publish"
)

// KeyFile is the path of the test signing key (Ed25519, no passphrase).
func KeyFile() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "keys", "ed25519.secret.asc")
}

// Signer loads the test signing key.
func Signer(t testing.TB) *pgp.Signer {
	t.Helper()
	s, err := pgp.LoadSigner(KeyFile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ArmoredKey is the test key's public part, armored.
func ArmoredKey(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Signer(t).PublicKey().WriteArmored(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// NewRepo makes and opens a repository in a temporary directory called
// name, with the dist stable, the component main, the architectures
// archs and the Origin name; it is closed when the test ends.
func NewRepo(t testing.TB, name string, archs ...string) *publish.Repo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	s := publish.Settings{Dists: []string{"stable"}, Components: []string{"main"}, Architectures: archs, Origin: name}
	if _, err := publish.Init(dir, s); err != nil {
		t.Fatal(err)
	}
	r, err := publish.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// BuildDeb builds a small package (section misc, a README) with the
// extra control lines fields ("Depends: x") into dir and returns its
// path. The same arguments give the same bytes.
func BuildDeb(t testing.TB, dir, name, version, arch string, fields ...string) string {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: T <t@example.org>\nSection: misc\n", name, version, arch)
	for _, f := range fields {
		control += f + "\n"
	}
	control += "Description: " + name + " for tests\n"
	fsys := fstest.MapFS{
		"DEBIAN":                            {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control":                    {Data: []byte(control), Mode: 0o644},
		"usr/share/doc/" + name + "/README": {Data: []byte(name + " " + version + "\n"), Mode: 0o644},
	}
	for _, d := range []string{"usr", "usr/share", "usr/share/doc", "usr/share/doc/" + name} {
		fsys[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	}
	epoch := time.Unix(1700000000, 0)
	var b bytes.Buffer
	if _, err := deb.Build(fsys, &b, deb.BuildOptions{Compression: deb.Gzip, SourceDateEpoch: &epoch}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+"_"+version+"_"+arch+".deb")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// Publish publishes r with the test key at now.
func Publish(t testing.TB, r *publish.Repo, now time.Time) {
	t.Helper()
	if _, err := r.Publish(publish.Options{Signer: Signer(t), Now: now}); err != nil {
		t.Fatal(err)
	}
}
