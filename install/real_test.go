package install

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"aim/install/debiantest"
)

// realRoot is a minbase bookworm root with aim's front door open on it.
type realRoot struct {
	t    *testing.T
	root string
	debs map[string]string
}

// newRealRoot copies the minbase root and fetches the named packages.
// The test runs in parallel with the other real-package tests: most of
// their time is scripts and disk.
func newRealRoot(t *testing.T, pkgs ...string) *realRoot {
	t.Helper()
	if testing.Short() {
		t.Skip("real Debian packages: not in -short")
	}
	t.Parallel()
	debs := debiantest.Debs(t, pkgs...)
	return &realRoot{t: t, root: debiantest.MinbaseRoot(t), debs: debs}
}

// do decides and runs one request on a fresh opening of the root, as one
// aim command does.
func (r *realRoot) do(req Request) (*Decision, error) {
	r.t.Helper()
	in, err := Open(r.root, Options{NoSessionLog: true})
	if err != nil {
		r.t.Fatal(err)
	}
	defer in.Close()
	d, err := in.Decide(req)
	if err != nil {
		return nil, err
	}
	if _, err := in.Run(context.Background(), NewTask(string(req.Kind), "", nil), d); err != nil {
		return d, err
	}
	return d, nil
}

// must runs a request that has to succeed.
func (r *realRoot) must(req Request) *Decision {
	r.t.Helper()
	d, err := r.do(req)
	if err != nil {
		r.t.Fatalf("%s %v: %v", req.Kind, req.Names, err)
	}
	return d
}

// install installs the named fetched packages as local archives.
func (r *realRoot) install(names ...string) {
	r.t.Helper()
	req := Request{Kind: KindInstall}
	for _, n := range names {
		l, err := ReadLocal(r.debs[n])
		if err != nil {
			r.t.Fatal(err)
		}
		req.Locals = append(req.Locals, l)
	}
	r.must(req)
}

// exists reports whether the path inside the root exists (not followed).
func (r *realRoot) exists(p string) bool {
	_, err := os.Lstat(filepath.Join(r.root, p))
	return err == nil
}

// emptyDirs returns the empty directories below the root's dir.
func (r *realRoot) emptyDirs(dir string) []string {
	var out []string
	base := filepath.Join(r.root, dir)
	filepath.WalkDir(base, func(p string, e os.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return nil
		}
		if ents, _ := os.ReadDir(p); len(ents) == 0 {
			rel, _ := filepath.Rel(r.root, p)
			out = append(out, "/"+rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
