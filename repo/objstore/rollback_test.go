package objstore_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/repo/apttest"
	"aim/repo/objstore"
	"aim/repo/publish"
)

// TestRollbackOnBucket publishes a good and a bad release of an app to
// the bucket, rolls back and uploads: apt, which refuses a Release older
// than the one it has, takes the rolled-back release (signed anew, later
// Date) and installs the good version again; only indexes and Release
// files are sent.
func TestRollbackOnBucket(t *testing.T) {
	b := newBucket(t)
	r := newRepo(t)
	src := t.TempDir()
	add := func(version string) {
		t.Helper()
		if _, err := r.Add([]string{buildDeb(t, src, "app", version)}, publish.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	add("1.0")
	addPackages(t, r, "lib")
	publishAt(t, r, testNow)
	b.sync(t, r, objstore.Options{})
	key := filepath.Join(t.TempDir(), "repo.asc")
	data, _ := os.ReadFile(filepath.Join(r.Dir, "key.asc"))
	os.WriteFile(key, data, 0o644)
	a := apttest.New(t, "deb [signed-by="+key+"] "+b.baseURL()+" stable main")
	candidate := func() string {
		t.Helper()
		// Keep the lists: apt compares the new Release's Date with them.
		out, err := a.Run(a.Dir, "update")
		if err != nil || strings.Contains(out, "\nW:") || strings.Contains(out, "\nE:") {
			t.Fatalf("apt-get update: %v\n%s", err, out)
		}
		out, err = a.Run(a.Dir, "-s", "install", "app")
		if err != nil {
			t.Fatalf("apt-get -s install app: %v\n%s", err, out)
		}
		_, v, _ := strings.Cut(out, "Inst app (")
		v, _, _ = strings.Cut(v, " ")
		return v
	}
	if v := candidate(); v != "1.0" {
		t.Fatalf("first release: app %s", v)
	}
	if _, err := r.Remove("", []string{"app"}); err != nil {
		t.Fatal(err)
	}
	add("2.0")
	publishAt(t, r, testNow.Add(time.Minute))
	b.sync(t, r, objstore.Options{})
	if v := candidate(); v != "2.0" {
		t.Fatalf("bad release: app %s", v)
	}

	// The clock of the rollback is behind the bad release's Date.
	if _, err := r.Rollback(publish.Options{Signer: signer(t), Now: testNow}); err != nil {
		t.Fatal(err)
	}
	b.http.reset()
	res := b.sync(t, r, objstore.Options{})
	t.Logf("rollback upload: %d PUTs: %v", b.http.count("PUT"), res.Uploaded)
	// The three indexes at their plain paths and the Release files; the
	// package file and the by-hash copies of the good release are up.
	if len(res.Uploaded) != 6 || slices.ContainsFunc(res.Uploaded, func(k string) bool { return strings.HasPrefix(k, "pool/") }) {
		t.Errorf("rollback uploaded %v", res.Uploaded)
	}
	if v := candidate(); v != "1.0" {
		t.Fatalf("after the rollback: app %s", v)
	}
	if _, err := readAsApt(b.baseURL(), signer(t).PublicKey()); err != nil {
		t.Fatal(err)
	}
}
