package repo

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"aim/repo/pgp"
	"aim/repo/sources"
)

// signedRepo is a repository tree built by a test: dists/stable with
// files it chooses, listed in an InRelease signed by the ed25519 test
// key, read over file://.
type signedRepo struct {
	t      testing.TB
	dir    string
	signer *pgp.Signer
	archs  []string // the Release's Architectures; amd64 when nil
}

func newSignedRepo(t testing.TB) *signedRepo {
	t.Helper()
	s, err := pgp.LoadSigner("../testdata/keys/ed25519.secret.asc", nil)
	if err != nil {
		t.Fatal(err)
	}
	return &signedRepo{t: t, dir: t.TempDir(), signer: s}
}

// publish writes files (paths below dists/stable) and an InRelease dated
// date that lists each of them, then the entries of listed as they are
// (sizes and hashes a test chooses, for files served or not).
func (r *signedRepo) publish(date time.Time, files map[string][]byte, listed ...ReleaseFile) {
	r.t.Helper()
	dist := filepath.Join(r.dir, "dists", "stable")
	archs := r.archs
	if archs == nil {
		archs = []string{"amd64"}
	}
	rel := &Release{Origin: "test", Suite: "stable", Codename: "stable", Date: date,
		Architectures: archs, Components: []string{"main"}}
	var names []string
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		full := filepath.Join(dist, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			r.t.Fatal(err)
		}
		rel.Files = append(rel.Files, ReleaseFile{Path: path.Clean(p), Size: int64(len(files[p])), SHA256: sum256(files[p])})
	}
	rel.Files = append(rel.Files, listed...)
	signed, err := r.signer.ClearSign(rel.Bytes(), date)
	if err != nil {
		r.t.Fatal(err)
	}
	os.MkdirAll(dist, 0o755)
	if err := os.WriteFile(filepath.Join(dist, "InRelease"), signed, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// source returns the source for the repository, its key installed below
// root as the source's Signed-By keyring.
func (r *signedRepo) source(root string) sources.Source {
	r.t.Helper()
	key, err := os.ReadFile("../testdata/keys/ed25519.asc")
	if err != nil {
		r.t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "etc/aim/keyrings"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "etc/aim/keyrings/test.asc"), key, 0o644); err != nil {
		r.t.Fatal(err)
	}
	src, err := sources.ParseLine("deb [signed-by=/etc/aim/keyrings/test.asc] file://" + r.dir + " stable main")
	if err != nil {
		r.t.Fatal(err)
	}
	src.Name = "test"
	return *src
}

// packagesIndex is a Packages index of one package at version.
func packagesIndex(version string) []byte {
	return []byte("Package: foo\nVersion: " + version + "\nArchitecture: amd64\nFilename: pool/foo_" + version +
		"_amd64.deb\nSize: 10\nSHA256: " + sum256([]byte(version)) + "\nDescription: foo\n")
}

// snapshot returns every file of the tree, to put back with restore.
func (r *signedRepo) snapshot() map[string][]byte {
	r.t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(r.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = data
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return files
}

// restore makes the tree exactly what snapshot returned.
func (r *signedRepo) restore(files map[string][]byte) {
	r.t.Helper()
	os.RemoveAll(filepath.Join(r.dir, "dists"))
	for p, data := range files {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}
