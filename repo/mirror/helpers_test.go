package mirror_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"aim/repo/publish"
	"aim/repo/publish/publishtest"
)

var testNow = time.Now().UTC().Truncate(time.Second)

var (
	armoredKey = publishtest.ArmoredKey
	newRepo    = publishtest.NewRepo
)

// serve serves dir over HTTP and returns its URL.
func serve(t testing.TB, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// buildDeb builds a package with Depends deps (none when empty).
func buildDeb(t testing.TB, dir, name, version, arch, deps string) string {
	t.Helper()
	if deps == "" {
		return publishtest.BuildDeb(t, dir, name, version, arch)
	}
	return publishtest.BuildDeb(t, dir, name, version, arch, "Depends: "+deps)
}

// publishAt publishes r at now and serves its InRelease with now as
// Last-Modified: two publishes in one second are not taken for one
// (If-Modified-Since, 304).
func publishAt(t testing.TB, r *publish.Repo, now time.Time) {
	t.Helper()
	publishtest.Publish(t, r, now)
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
