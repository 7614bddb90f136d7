package install

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
)

// buildFS builds package name 1.0 with the control fields extra and the
// data m (directories as given, with their modes).
func (f *fixture) buildFS(name, extra string, m fstest.MapFS) Change {
	f.t.Helper()
	m["DEBIAN"] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	m["DEBIAN/control"] = &fstest.MapFile{Data: []byte("Package: " + name + "\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n" + extra), Mode: 0o644}
	p := filepath.Join(f.dir, name+"_1.0.deb")
	out, err := os.Create(p)
	if err != nil {
		f.t.Fatal(err)
	}
	defer out.Close()
	if _, err := deb.Build(m, out, deb.BuildOptions{}); err != nil {
		f.t.Fatal(err)
	}
	return Change{Action: Install, Name: name, Version: "1.0", Path: p}
}

// modes lists every path under the root but aim's state with its mode
// and, for a file, its contents.
func (f *fixture) modes() string {
	var lines []string
	filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(f.root, p)
		if err != nil || strings.HasPrefix(rel, "var") {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			line += " " + string(data)
		}
		lines = append(lines, line)
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// sharedDirPackages builds eight packages for f, each with files of its
// own in directories they all ship, with modes that differ from package
// to package (the last one's is 0700).
func sharedDirPackages(f *fixture) []Change {
	var out []Change
	for i := range 8 {
		mode := fs.FileMode(0o755)
		switch {
		case i == 7:
			mode = 0o700
		case i%2 == 1:
			mode = 0o750
		}
		m := fstest.MapFS{
			"usr":              {Mode: fs.ModeDir | 0o755},
			"usr/share":        {Mode: fs.ModeDir | 0o755},
			"usr/share/common": {Mode: fs.ModeDir | mode},
		}
		for j := range 40 {
			m[fmt.Sprintf("usr/share/common/p%d-%d", i, j)] = &fstest.MapFile{Data: []byte(fmt.Sprint(i, j)), Mode: 0o644}
		}
		out = append(out, f.buildFS(fmt.Sprintf("p%d", i), "", m))
	}
	return out
}

// TestStagingConcurrentlyMatchesSerial installs the same eight packages
// staged one at a time and four at a time: the trees are the same, and
// the directory they all ship has the mode of the last in the plan.
func TestStagingConcurrentlyMatchesSerial(t *testing.T) {
	var trees []string
	for _, workers := range []int{1, 4} {
		f := newFixture(t)
		f.e.stageWorkers = workers
		f.mustRun(sharedDirPackages(f)...)
		fi, err := os.Stat(filepath.Join(f.root, "usr/share/common"))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%d workers: usr/share/common: %v %v, want mode 0700 (the last package's)", workers, fi, err)
		}
		f.checkConsistent()
		trees = append(trees, f.modes())
	}
	if trees[0] != trees[1] {
		t.Errorf("staged one at a time:\n%s\nfour at a time:\n%s", trees[0], trees[1])
	}
}

// TestStagingConcurrentlySharedFile installs a and c, which both ship
// /opt/shared (c Replaces a), staged at once with a's staging held back
// until c's is done, as two workers may well do: the outcome is the one
// of staging them in plan order (c's file staged last), and so is the
// tree the failure and its rollback leave, even though a staged last.
func TestStagingConcurrentlySharedFile(t *testing.T) {
	var trees, errs []string
	for _, workers := range []int{1, 2} {
		f := newFixture(t)
		f.e.stageWorkers = workers
		os.WriteFile(filepath.Join(f.root, "x"), []byte("in the way"), 0o644)
		a := f.buildFS("a", "", fstest.MapFS{
			"x":          {Mode: fs.ModeDir | 0o755},
			"x/a":        {Data: []byte("a"), Mode: 0o644},
			"opt":        {Mode: fs.ModeDir | 0o755},
			"opt/shared": {Data: []byte("a"), Mode: 0o644},
		})
		c := f.buildFS("c", "Replaces: a\n", fstest.MapFS{
			"opt":        {Mode: fs.ModeDir | 0o755},
			"opt/shared": {Data: []byte("c"), Mode: 0o644},
		})
		if workers > 1 {
			cDone, once := make(chan struct{}), sync.Once{}
			f.e.fault = func(p string) error {
				switch p {
				case "stage c":
					once.Do(func() { close(cDone) })
				case "displace /x": // a's first directory, before its files
					select {
					case <-cDone:
					case <-time.After(time.Minute): // a failure below, not a hang
					}
				}
				return nil
			}
		}
		_, err := f.run(false, a, c)
		msg := "<nil>"
		if err != nil {
			msg = strings.ReplaceAll(err.Error(), f.root, "ROOT")
		}
		errs = append(errs, msg)
		trees = append(trees, f.modes())
	}
	if errs[0] != errs[1] || trees[0] != trees[1] {
		t.Errorf("staged one at a time: %s\n%s\ntwo at a time: %s\n%s", errs[0], trees[0], errs[1], trees[1])
	}
}

// TestStagingConcurrentlyFirstError stages four packages, the second
// and the fourth damaged: the error names the second, as staging one at
// a time does, and the rollback leaves no staged file. With four
// workers all start at once; with one, which starts the largest archive
// first, q3 (the largest, and damaged) fails before q0 to q2 are
// staged, yet they still are and the error is still q1's.
func TestStagingConcurrentlyFirstError(t *testing.T) {
	for _, tc := range []struct {
		workers int
		body    func(i int) string // the file package i ships
	}{
		{4, func(int) string { return strings.Repeat("x", 1<<16) }},
		{1, func(i int) string {
			if i == 3 {
				return randomText(i, 1<<20)
			}
			return randomText(i, 1<<12)
		}},
	} {
		t.Run(fmt.Sprintf("workers=%d", tc.workers), func(t *testing.T) {
			f := newFixture(t)
			f.e.stageWorkers = tc.workers
			before := f.snapshot()
			var changes []Change
			for i := range 4 {
				c := f.install(spec{name: fmt.Sprintf("q%d", i), version: "1", files: map[string]string{fmt.Sprintf("/usr/share/q%d/f", i): tc.body(i)}})
				if i%2 == 1 {
					damage(t, c.Path)
				}
				changes = append(changes, c)
			}
			_, err := f.run(false, changes...)
			if err == nil || !strings.Contains(err.Error(), "unpack q1") {
				t.Fatalf("err = %v, want q1's", err)
			}
			if got := f.snapshot(); got != before {
				t.Errorf("root after the failure:\n%s\nwant:\n%s", got, before)
			}
			f.checkConsistent()
		})
	}
}

// randomText returns n bytes that do not compress, the same for a seed.
func randomText(seed, n int) string {
	b := make([]byte, n)
	x := uint32(seed*2654435761 + 1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return string(b)
}

// TestLargestFirst checks the start order: by size, largest first,
// plan order among equals and for steps not yet read.
func TestLargestFirst(t *testing.T) {
	dir := t.TempDir()
	var todo []*step
	for i, size := range []int{10, 300, 0, 300, 50, -1} {
		s := &step{}
		if size >= 0 {
			p := filepath.Join(dir, fmt.Sprint(i))
			if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			s.read = &readArchive{file: fi}
		}
		todo = append(todo, s)
	}
	if got, want := largestFirst(todo), []int{1, 3, 4, 0, 2, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("largestFirst = %v, want %v", got, want)
	}
}

// damage flips a byte near the end of the archive at p, in its payload,
// keeping its identity (the same file, size and modification time).
func damage(t *testing.T, p string) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	off := fi.Size() - 40
	fh.ReadAt(b, off)
	b[0] ^= 0xff
	fh.WriteAt(b, off)
	fh.Close()
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
}

// TestStagingSharedFilesRestagedOnlyWhenTheyDiffer counts stagings: the
// two instances of a Multi-Arch: same library, whose shared file is
// identical, are staged once each; of a, c and d shipping /opt/shared as
// "1", "2" and "1", c and d are staged again in plan order, so d's file
// is the one left, as staging one after another leaves it.
func TestStagingSharedFilesRestagedOnlyWhenTheyDiffer(t *testing.T) {
	count := func(f *fixture) map[string]int {
		n := map[string]int{}
		var mu sync.Mutex
		f.e.fault = func(p string) error {
			if name, ok := strings.CutPrefix(p, "stage "); ok {
				mu.Lock()
				n[name]++
				mu.Unlock()
			}
			return nil
		}
		return n
	}
	f := newFixture(t)
	f.e.Arch, f.e.stageWorkers = "amd64", 2
	n := count(f)
	f.mustRun(f.installArch(f.libz("1", "amd64", "zlib licence")), f.installArch(f.libz("1", "i386", "zlib licence")))
	if n["libz1"] != 2 {
		t.Errorf("libz1's instances staged %d times, want once each", n["libz1"])
	}

	f = newFixture(t)
	f.e.stageWorkers = 2
	n = count(f)
	ship := func(name, content, fields string) Change {
		return f.install(spec{name: name, version: "1", files: map[string]string{"/opt/shared": content}, fields: fields})
	}
	f.mustRun(ship("a", "1", ""), ship("c", "2", "Replaces: a\n"), ship("d", "1", "Replaces: a, c\n"))
	if want := map[string]int{"a": 1, "c": 2, "d": 2}; !reflect.DeepEqual(n, want) {
		t.Errorf("stagings = %v, want %v", n, want)
	}
	if got := f.read("opt/shared"); got != "1" {
		t.Errorf("/opt/shared = %q, want d's", got)
	}
}
