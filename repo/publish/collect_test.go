package publish

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCollectPool fills a pool with packages the database names and
// files it does not, at every depth, with names that sort differently
// as whole paths than as a walk meets them, a file that is not a
// package, and symbolic links: publish deletes exactly the unnamed
// package files (a link as a file, never followed), in walk order, and
// the directories that leaves empty.
func TestCollectPool(t *testing.T) {
	r := newTestRepo(t, false)
	src := t.TempDir()
	var files []string
	for _, n := range []string{"app", "app-x", "libfoo", "zed"} {
		files = append(files, buildTestDeb(t, src, n, "1.0", "all", "utils", nil))
	}
	if _, err := r.Add(files, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "kept_1_all.deb"), []byte("not in the pool"), 0o644)
	write := func(rel string) {
		p := filepath.Join(r.Dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{
		"pool/main/a/app/app_0.9_all.deb",
		"pool/main/a/app.d/x_1_all.deb",
		"pool/main/a/app-x/app-x_0.9_all.deb",
		"pool/main/a/app/notes.txt",
		"pool/main/libf/libfoo/deeper/libfoo_0.1_all.deb",
		"pool/main/stray_1_all.deb",
		"pool/top_1_all.deb",
		"pool/contrib/o/old/old_1_all.deb",
	} {
		write(rel)
	}
	if err := os.Symlink(filepath.Join(r.Dir, "pool/main/z/zed/zed_1.0_all.deb"), filepath.Join(r.Dir, "pool/main/z/zed/link_1_all.deb")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(r.Dir, "pool/main/q")); err != nil {
		t.Fatal(err)
	}
	res := publish(t, r, testNow, 0)
	want := []string{
		"pool/contrib/o/old/old_1_all.deb",
		"pool/main/a/app/app_0.9_all.deb",
		"pool/main/a/app-x/app-x_0.9_all.deb",
		"pool/main/a/app.d/x_1_all.deb",
		"pool/main/libf/libfoo/deeper/libfoo_0.1_all.deb",
		"pool/main/stray_1_all.deb",
		"pool/main/z/zed/link_1_all.deb",
		"pool/top_1_all.deb",
	}
	if !slices.Equal(res[0].Removed, want) {
		t.Errorf("removed\n%q\nwant\n%q", res[0].Removed, want)
	}
	got := sortedTree(t, filepath.Join(r.Dir, "pool"))
	wantTree := []string{"main", "main/a", "main/a/app", "main/a/app-x", "main/a/app-x/app-x_1.0_all.deb",
		"main/a/app/app_1.0_all.deb", "main/a/app/notes.txt", "main/libf", "main/libf/libfoo",
		"main/libf/libfoo/libfoo_1.0_all.deb", "main/q", "main/z", "main/z/zed", "main/z/zed/zed_1.0_all.deb"}
	if !slices.Equal(got, wantTree) {
		t.Errorf("pool after publish\n%q\nwant\n%q", got, wantTree)
	}
	if _, err := os.Stat(filepath.Join(outside, "kept_1_all.deb")); err != nil {
		t.Errorf("a file behind a linked directory: %v", err)
	}
}

// sortedTree lists the paths below dir, relative to it, sorted.
func sortedTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for p := range treeFiles(t, dir) {
		if p != "." {
			out = append(out, filepath.ToSlash(p))
		}
	}
	slices.Sort(out)
	return out
}
