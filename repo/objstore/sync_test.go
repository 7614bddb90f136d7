package objstore_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/repo"
	"aim/repo/apttest"
	"aim/repo/objstore"
	"aim/repo/publish"
)

// TestPublishToBucketReadByApt publishes a repository to a real S3 server
// with a public-read policy, has the real apt read it anonymously over
// HTTP, then republishes with one package added and counts the PUTs.
func TestPublishToBucketReadByApt(t *testing.T) {
	b := newBucket(t)
	r := newRepo(t)
	addPackages(t, r, "alpha", "beta", "gamma")
	publishAt(t, r, testNow)
	res := b.sync(t, r, objstore.Options{})
	tree, err := objstore.Tree(r.Dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploaded) != len(tree) || b.http.count("PUT") != len(tree) || len(res.Deleted) != 0 {
		t.Fatalf("first sync: %d uploaded, %d PUTs, for %d files", len(res.Uploaded), b.http.count("PUT"), len(tree))
	}
	checkOrder(t, res.Uploaded)

	// Headers as the README's nginx section gives them.
	base := b.baseURL()
	for _, tc := range []struct{ key, ctype, cache string }{
		{"pool/main/a/alpha/alpha_1.0_all.deb", "application/vnd.debian.binary-package", "public, max-age=31536000, immutable"},
		{"dists/stable/InRelease", "text/plain; charset=utf-8", "no-cache"},
		{"dists/stable/main/binary-amd64/Packages.xz", "application/x-xz", "no-cache"},
		{byHashKey(t, r, "main/binary-amd64/Packages.xz"), "application/x-xz", "public, max-age=31536000, immutable"},
		{"key.asc", "application/pgp-keys", "no-cache"},
	} {
		_, resp, err := get(base + "/" + tc.key)
		if err != nil {
			t.Errorf("%s: %v", tc.key, err)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.key, got, tc.ctype)
		}
		if got := resp.Header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tc.key, got, tc.cache)
		}
	}

	key := filepath.Join(t.TempDir(), "repo.asc")
	data, _ := os.ReadFile(filepath.Join(r.Dir, "key.asc"))
	os.WriteFile(key, data, 0o644)
	a := apttest.New(t, "deb [signed-by="+key+"] "+base+" stable main")
	if out, ok := a.Update(); !ok {
		t.Fatalf("apt-get update from the bucket:\n%s", out)
	}
	dl := t.TempDir()
	if out, err := a.Run(dl, "download", "beta"); err != nil {
		t.Fatalf("apt-get download beta: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(dl, "beta_1.0_all.deb"))
	want, _ := os.ReadFile(filepath.Join(r.Dir, "pool/main/b/beta/beta_1.0_all.deb"))
	if len(got) == 0 || !bytes.Equal(got, want) {
		t.Errorf("apt downloaded %d bytes, not the pool's %d", len(got), len(want))
	}

	// One package more: its .deb, the three indexes, their six by-hash
	// copies, Release, Release.gpg and InRelease; nothing else.
	addPackages(t, r, "delta")
	publishAt(t, r, testNow.Add(time.Minute))
	b.http.reset()
	res = b.sync(t, r, objstore.Options{})
	t.Logf("republish with one package added: %d PUTs, %d HEADs, %d unchanged", b.http.count("PUT"), b.http.count("HEAD"), res.Unchanged)
	if b.http.count("PUT") != 13 || len(res.Uploaded) != 13 || !slices.Contains(res.Uploaded, "pool/main/d/delta/delta_1.0_all.deb") {
		t.Errorf("republish: %d PUTs, uploaded %v", b.http.count("PUT"), res.Uploaded)
	}
	checkOrder(t, res.Uploaded)
	if out, ok := a.Update(); !ok {
		t.Fatalf("apt-get update after the republish:\n%s", out)
	}
	if out, err := a.Run(dl, "-s", "install", "delta"); err != nil || !strings.Contains(out, "Inst delta (1.0 ") {
		t.Errorf("apt-get -s install delta: %v\n%s", err, out)
	}

	// Nothing changed: no PUT, and no HEAD either (the ETags are known).
	b.http.reset()
	if res = b.sync(t, r, objstore.Options{}); len(res.Uploaded) != 0 || b.http.count("PUT") != 0 || b.http.count("HEAD") != 0 {
		t.Errorf("sync without change: %d uploaded, %d PUTs, %d HEADs", len(res.Uploaded), b.http.count("PUT"), b.http.count("HEAD"))
	}
	// Without the local record, the SHA256 in each object's metadata
	// still spares every upload.
	b.http.reset()
	res = b.sync(t, r, objstore.Options{StateFile: filepath.Join(t.TempDir(), "fresh.json")})
	if len(res.Uploaded) != 0 || b.http.count("PUT") != 0 || res.Checked == 0 {
		t.Errorf("sync with a fresh record: %d uploaded, %d checked", len(res.Uploaded), res.Checked)
	}
	// An object changed behind the publisher's back (same size, other
	// bytes) is found by its hash and uploaded again.
	evil := bytes.Clone(want)
	evil[len(evil)-1] ^= 0xff
	if _, err := b.store.Put(t.Context(), "pool/main/b/beta/beta_1.0_all.deb", bytes.NewReader(evil), int64(len(evil)), objstore.PutOptions{SHA256: "0"}); err != nil {
		t.Fatal(err)
	}
	res = b.sync(t, r, objstore.Options{})
	if !slices.Equal(res.Uploaded, []string{"pool/main/b/beta/beta_1.0_all.deb"}) {
		t.Errorf("sync after a tampered object: uploaded %v", res.Uploaded)
	}
}

// checkOrder checks that uploaded keys come in the safe order: content
// and by-hash copies, then indexes, then Release files, InRelease last.
func checkOrder(t *testing.T, keys []string) {
	t.Helper()
	last := objstore.PhaseContent
	for _, k := range keys {
		ph := objstore.LocalFile{Key: k}.Phase()
		if ph < last {
			t.Errorf("%s uploaded after a later phase: %v", k, keys)
			return
		}
		last = ph
	}
	if len(keys) > 0 && !strings.HasSuffix(keys[len(keys)-1], "InRelease") {
		t.Errorf("InRelease is not the last upload: %v", keys)
	}
}

// localRelease is the Release of dists/stable published in r.
func localRelease(t testing.TB, r *publish.Repo) *repo.Release {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.Dir, "dists/stable/Release"))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := repo.ParseRelease(data)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// byHashKey is the SHA256 by-hash key of an index of dists/stable.
func byHashKey(t testing.TB, r *publish.Repo, index string) string {
	t.Helper()
	f, ok := localRelease(t, r).File(index)
	if !ok {
		t.Fatalf("Release lists no %s", index)
	}
	return "dists/stable/" + filepath.Dir(index) + "/by-hash/SHA256/" + f.SHA256
}
