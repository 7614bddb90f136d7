package mirror_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
	"aim/repo/pgp"
	"aim/repo/publish"
)

const testKey = "../../testdata/keys/ed25519.secret.asc"

var testNow = time.Now().UTC().Truncate(time.Second)

func signer(t testing.TB) *pgp.Signer {
	t.Helper()
	s, err := pgp.LoadSigner(testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// armoredKey is the test key's public part, as a mirror's keyring.
func armoredKey(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := signer(t).PublicKey().WriteArmored(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newRepo makes a repository at dir/NAME for archs.
func newRepo(t testing.TB, name string, archs ...string) *publish.Repo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if _, err := publish.Init(dir, publish.Settings{Dists: []string{"stable"}, Components: []string{"main"}, Architectures: archs, Origin: name}); err != nil {
		t.Fatal(err)
	}
	r, err := publish.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// serve serves dir over HTTP and returns its URL.
func serve(t testing.TB, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// buildDeb builds a package with Depends deps into dir.
func buildDeb(t testing.TB, dir, name, version, arch, deps string) string {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: T <t@example.org>\nSection: misc\nDescription: %s for tests\n", name, version, arch, name)
	if deps != "" {
		control += "Depends: " + deps + "\n"
	}
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

func publishAt(t testing.TB, r *publish.Repo, now time.Time) {
	t.Helper()
	if _, err := r.Publish(publish.Options{Signer: signer(t), Now: now}); err != nil {
		t.Fatal(err)
	}
	// Served with the publish time as Last-Modified: two publishes in one
	// second are not taken for one (If-Modified-Since, 304).
	in := filepath.Join(r.Dir, "dists/stable/InRelease")
	if err := os.Chtimes(in, now, now); err != nil {
		t.Fatal(err)
	}
}

// names returns "name version arch" of every package of r's dist.
func names(t testing.TB, r *publish.Repo) []string {
	t.Helper()
	pkgs, err := r.Packages("")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name+" "+p.Version+" "+p.Architecture)
	}
	return out
}

// buildDebProvides builds a package of architecture all providing
// provides.
func buildDebProvides(t testing.TB, dir, name, version, provides string) string {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: T <t@example.org>\nSection: misc\nProvides: %s\nDescription: %s for tests\n", name, version, provides, name)
	fsys := fstest.MapFS{
		"DEBIAN":         {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control": {Data: []byte(control), Mode: 0o644},
	}
	epoch := time.Unix(1700000000, 0)
	var b bytes.Buffer
	if _, err := deb.Build(fsys, &b, deb.BuildOptions{Compression: deb.Gzip, SourceDateEpoch: &epoch}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+"_"+version+"_all.deb")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
