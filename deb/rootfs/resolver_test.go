package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// resolverTree is a root with every kind of path Join handles: merged
// /usr links, absolute and relative links, chains, links to files,
// dangling links, loops and escapes.
func resolverTree(t testing.TB) string {
	return tree(t.(*testing.T),
		"usr/lib/x/",
		"usr/share/doc/",
		"usr/bin/",
		"lib -> usr/lib",
		"bin -> /usr/bin",
		"abs -> /usr/lib",
		"chain -> lib/x",
		"chain2 -> chain",
		"up -> ../../../..",
		"upabs -> /../../etc",
		"deep/a -> ../lib",
		"deep/dots -> ./../usr/./share",
		"usr/lib/x/back -> ../../share",
		"dangling -> /nowhere/at/all",
		"tofile -> usr/file",
		"usr/file",
		"loop1 -> loop2",
		"loop2 -> loop1",
		"self -> self/x",
	)
}

var resolverPaths = []string{
	"", "/", ".", "usr", "usr/lib/x", "/usr/lib/x/f", "usr//lib/./x/f",
	"lib", "lib/x", "lib/x/f", "/lib/x/back/doc/f", "bin/f", "abs/x/f",
	"chain/f", "chain2/f", "chain2/back/doc", "deep/a/x/f", "deep/dots/doc/f",
	"missing/x/y", "dangling", "dangling/f", "tofile", "tofile/f", "usr/file/f",
	"up", "up/etc/passwd", "upabs/passwd", "..", "../../etc/passwd",
	"usr/../../../etc", "lib/../share", "loop1/x", "self/f",
}

// check compares c's answers with Join's and JoinNoFollow's for every
// path of resolverPaths.
func check(t *testing.T, root string, c *Resolver) {
	t.Helper()
	for _, p := range resolverPaths {
		want, werr := Root(root).Join(p)
		got, err := c.Join(p)
		if got != want || (err == nil) != (werr == nil) || werr != nil && !errors.Is(err, syscall.ELOOP) {
			t.Errorf("Join(%q) = %q, %v; want %q, %v", p, got, err, want, werr)
		}
		want, werr = Root(root).JoinNoFollow(p)
		got, err = c.JoinNoFollow(p)
		if got != want || (err == nil) != (werr == nil) {
			t.Errorf("JoinNoFollow(%q) = %q, %v; want %q, %v", p, got, err, want, werr)
		}
	}
}

func TestResolverMatchesJoin(t *testing.T) {
	root := resolverTree(t)
	c := Root(root).Resolver()
	check(t, root, c)
	check(t, root, c) // now from what it remembered
	if len(c.dirs) == 0 || !c.links["/lib"] || !c.links["/chain2"] {
		t.Errorf("remembered %v, links %v", c.dirs, c.links)
	}
	if _, ok := c.dirs["/missing"]; ok {
		t.Error("a missing directory was remembered")
	}
}

// TestResolverChanged replaces a symlink the Resolver went through and a
// directory it resolved: unreported, the old answers stand (so the test
// sees what is remembered); reported, the answers are Join's again.
func TestResolverChanged(t *testing.T) {
	root := resolverTree(t)
	c := Root(root).Resolver()
	check(t, root, c)
	must(t, os.Remove(filepath.Join(root, "lib")))
	must(t, os.Symlink("usr/share", filepath.Join(root, "lib")))
	if got, _ := c.Join("lib/doc"); got != filepath.Join(root, "usr/lib/doc") {
		t.Fatalf("unreported change: %s, want the remembered answer", got)
	}
	c.Changed("/lib")
	check(t, root, c)

	must(t, os.Remove(filepath.Join(root, "usr/lib/x/back")))
	must(t, os.Remove(filepath.Join(root, "usr/lib/x")))
	must(t, os.Symlink("/usr/bin", filepath.Join(root, "usr/lib/x")))
	c.Changed("usr/lib/x/")
	check(t, root, c)

	must(t, os.Remove(filepath.Join(root, "bin")))
	must(t, os.Mkdir(filepath.Join(root, "bin"), 0o755))
	c.Forget()
	check(t, root, c)
}

// TestResolverNewEntriesNeedNoReport creates directories and files where
// nothing stood: answers stay Join's without a report.
func TestResolverNewEntriesNeedNoReport(t *testing.T) {
	root := resolverTree(t)
	c := Root(root).Resolver()
	check(t, root, c)
	must(t, os.MkdirAll(filepath.Join(root, "missing/x"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "nowhere/at/all"), 0o755))
	must(t, os.Symlink("usr", filepath.Join(root, "usr/lib/x/new")))
	check(t, root, c)
}

func TestResolverConcurrent(t *testing.T) {
	root := resolverTree(t)
	c := Root(root).Resolver()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				p := resolverPaths[(i+j)%len(resolverPaths)]
				want, _ := Root(root).Join(p)
				if got, err := c.Join(p); err == nil && got != want {
					t.Errorf("Join(%q) = %s, want %s", p, got, want)
				}
				if j%17 == 0 {
					c.Changed("/lib")
				}
			}
		}()
	}
	wg.Wait()
}

// FuzzResolver checks that a Resolver answers as Join does for any path,
// asked twice.
func FuzzResolver(f *testing.F) {
	for _, p := range resolverPaths {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		root := resolverTree(t)
		c := Root(root).Resolver()
		for range 2 {
			want, werr := Root(root).Join(p)
			got, err := c.Join(p)
			if got != want || (err == nil) != (werr == nil) {
				t.Fatalf("Join(%q) = %q, %v; want %q, %v", p, got, err, want, werr)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
