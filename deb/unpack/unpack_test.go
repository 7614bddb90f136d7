package unpack

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	mtime = time.Unix(1700000000, 0)
	older = time.Unix(1600000000, 0)
)

// th is a tar entry for tarStream; body is a regular file's contents.
type th struct {
	name string
	typ  byte
	mode int64
	link string
	body string
}

// tarStream returns a tar stream of entries, all dated mtime and owned by
// uid/gid 1000.
func tarStream(t testing.TB, entries ...th) *tar.Reader {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link, ModTime: mtime,
			Uid: 1000, Gid: 1000, Size: int64(len(e.body)), Format: tar.FormatGNU}
		if h.Mode == 0 {
			h.Mode = 0644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	tw.Close()
	return tar.NewReader(&b)
}

// sandbox returns base, with base/root (the unpack root) and
// base/outside/sentinel, which no extraction may touch.
func sandbox(t testing.TB) (base, root string) {
	t.Helper()
	base = t.TempDir()
	root = filepath.Join(base, "root")
	for _, d := range []string{root, filepath.Join(base, "outside")} {
		if err := os.Mkdir(d, 0755); err != nil {
			t.Fatal(err)
		}
	}
	sentinel := filepath.Join(base, "outside", "sentinel")
	if err := os.WriteFile(sentinel, []byte("untouched"), 0644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(sentinel, older, older)
	os.Chtimes(filepath.Join(base, "outside"), older, older)
	return base, root
}

// checkOutside fails when anything below base but outside root changed.
func checkOutside(t testing.TB, base string) {
	t.Helper()
	var found []string
	filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(base, p)
		if rel == "root" {
			return fs.SkipDir
		}
		found = append(found, rel)
		return nil
	})
	sort.Strings(found)
	if strings.Join(found, " ") != ". outside outside/sentinel" {
		t.Fatalf("files outside the root: %q", found)
	}
	fi, err := os.Lstat(filepath.Join(base, "outside", "sentinel"))
	b, _ := os.ReadFile(filepath.Join(base, "outside", "sentinel"))
	if err != nil || !fi.Mode().IsRegular() || string(b) != "untouched" || !fi.ModTime().Equal(older) {
		t.Fatalf("sentinel changed: %v %v %q", fi, err, b)
	}
	if fi, _ := os.Lstat(filepath.Join(base, "outside")); !fi.ModTime().Equal(older) {
		t.Fatal("outside directory changed")
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestExtractEntries(t *testing.T) {
	base, root := sandbox(t)
	tr := tarStream(t,
		th{name: "./", typ: tar.TypeDir, mode: 0755},
		th{name: "./usr/", typ: tar.TypeDir, mode: 0755},
		th{name: "./usr/bin/", typ: tar.TypeDir, mode: 0750},
		th{name: "./usr/bin/tool", typ: tar.TypeReg, mode: 04755, body: "#!/bin/sh\n"},
		th{name: "./usr/bin/alias", typ: tar.TypeLink, link: "./usr/bin/tool"},
		th{name: "./usr/lib/deep/file", typ: tar.TypeReg, mode: 0600, body: "no parent entries"},
		th{name: "./usr/bin/rel", typ: tar.TypeSymlink, mode: 0777, link: "tool"},
		th{name: "./usr/bin/abs", typ: tar.TypeSymlink, mode: 0777, link: "/etc/passwd"},
		th{name: "./run/fifo", typ: tar.TypeFifo, mode: 0640},
	)
	entries, err := Extract(tr, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutside(t, base)
	want := []Entry{
		{Path: ".", Type: tar.TypeDir, Mode: fs.ModeDir | 0755},
		{Path: "usr", Type: tar.TypeDir, Mode: fs.ModeDir | 0755},
		{Path: "usr/bin", Type: tar.TypeDir, Mode: fs.ModeDir | 0750},
		{Path: "usr/bin/tool", Type: tar.TypeReg, Mode: 0755, Size: 10, SHA256: sum("#!/bin/sh\n")},
		{Path: "usr/bin/alias", Type: tar.TypeLink, Mode: 0755, Size: 10, SHA256: sum("#!/bin/sh\n"), Link: "usr/bin/tool"},
		{Path: "usr/lib/deep/file", Type: tar.TypeReg, Mode: 0600, Size: 17, SHA256: sum("no parent entries")},
		{Path: "usr/bin/rel", Type: tar.TypeSymlink, Mode: fs.ModeSymlink | 0777, Link: "tool"},
		{Path: "usr/bin/abs", Type: tar.TypeSymlink, Mode: fs.ModeSymlink | 0777, Link: "/etc/passwd"},
		{Path: "run/fifo", Type: tar.TypeFifo, Mode: fs.ModeNamedPipe | 0640},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(entries), len(want))
	}
	for i, w := range want {
		w.ModTime, w.UID, w.GID = mtime, 1000, 1000
		if entries[i] != w {
			t.Errorf("entry %d:\n%+v\nwant\n%+v", i, entries[i], w)
		}
	}
	checkDisk(t, root)
}

func checkDisk(t *testing.T, root string) {
	t.Helper()
	modes := map[string]fs.FileMode{
		"usr/bin": fs.ModeDir | 0750, "usr/bin/tool": 0755, "usr/lib/deep/file": 0600,
		"usr/lib": fs.ModeDir | 0755, "usr/bin/rel": fs.ModeSymlink | 0777, "run/fifo": fs.ModeNamedPipe | 0640,
	}
	for p, m := range modes {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil || fi.Mode() != m {
			t.Errorf("%s: %v %v, want mode %v", p, fi, err, m)
			continue
		}
		if p != "usr/lib" && !fi.ModTime().Equal(mtime) {
			t.Errorf("%s: mtime %v, want %v", p, fi.ModTime(), mtime)
		}
	}
	a, _ := os.Stat(filepath.Join(root, "usr/bin/tool"))
	b, _ := os.Stat(filepath.Join(root, "usr/bin/alias"))
	if !os.SameFile(a, b) {
		t.Error("hard link is not the same file")
	}
}

func TestExtractFollowsParentsInsideRoot(t *testing.T) {
	base, root := sandbox(t)
	os.MkdirAll(filepath.Join(root, "usr/lib"), 0755)
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0755)
	os.Symlink("usr/lib", filepath.Join(root, "lib"))
	os.Symlink("/usr/bin", filepath.Join(root, "bin"))
	os.Symlink("../../outside", filepath.Join(root, "up"))
	os.Symlink("/../../outside", filepath.Join(root, "absup"))
	tr := tarStream(t,
		th{name: "./lib/", typ: tar.TypeDir, mode: 0755},
		th{name: "./lib/libx.so", typ: tar.TypeReg, body: "lib"},
		th{name: "./bin/", typ: tar.TypeDir, mode: 0700},
		th{name: "./bin/tool", typ: tar.TypeReg, body: "tool"},
		th{name: "./up/escaped", typ: tar.TypeReg, body: "stays inside"},
		th{name: "./absup/escaped2", typ: tar.TypeReg, body: "stays inside"},
	)
	if _, err := Extract(tr, root, Options{}); err != nil {
		t.Fatal(err)
	}
	checkOutside(t, base)
	for p, body := range map[string]string{"usr/lib/libx.so": "lib", "usr/bin/tool": "tool",
		"outside/escaped": "stays inside", "outside/escaped2": "stays inside"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(b) != body {
			t.Errorf("%s: %q %v", p, b, err)
		}
	}
	for _, l := range []string{"lib", "bin"} {
		if fi, err := os.Lstat(filepath.Join(root, l)); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s: symlink replaced (%v)", l, err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(root, "usr/bin")); fi.Mode().Perm() != 0755 {
		t.Error("directory entry changed the mode of a symlinked directory")
	}
}

func TestExtractReplacesLastComponent(t *testing.T) {
	base, root := sandbox(t)
	victim := filepath.Join(base, "outside", "sentinel")
	os.Symlink(victim, filepath.Join(root, "file"))
	os.Symlink(victim, filepath.Join(root, "link"))
	os.Symlink(victim, filepath.Join(root, "dir"))
	os.Symlink(victim, filepath.Join(root, "fifo"))
	os.WriteFile(filepath.Join(root, "old"), []byte("old"), 0644)
	tr := tarStream(t,
		th{name: "./file", typ: tar.TypeReg, mode: 0600, body: "new"},
		th{name: "./link", typ: tar.TypeSymlink, link: "file"},
		th{name: "./dir/", typ: tar.TypeDir, mode: 0755},
		th{name: "./fifo", typ: tar.TypeFifo, mode: 0600},
		th{name: "./old", typ: tar.TypeReg, body: "replaced"},
		th{name: "./hard", typ: tar.TypeLink, link: "./file"},
	)
	if _, err := Extract(tr, root, Options{}); err != nil {
		t.Fatal(err)
	}
	checkOutside(t, base)
	if b, _ := os.ReadFile(filepath.Join(root, "old")); string(b) != "replaced" {
		t.Errorf("old = %q", b)
	}
	if l, _ := os.Readlink(filepath.Join(root, "link")); l != "file" {
		t.Errorf("link -> %q", l)
	}
	if fi, _ := os.Lstat(filepath.Join(root, "dir")); !fi.IsDir() {
		t.Error("dir entry kept a symlink that leads outside the root")
	}
}

func TestExtractRefuses(t *testing.T) {
	tests := []struct {
		name    string
		entries []th
		opts    Options
		want    string
	}{
		{"absolute", []th{{name: "/etc/x", typ: tar.TypeReg}}, Options{}, "absolute path"},
		{"dotdot", []th{{name: "./../x", typ: tar.TypeReg}}, Options{}, "'..'"},
		{"symlink escape", []th{{name: "./a/b", typ: tar.TypeSymlink, link: "../../x"}}, Options{}, "outside"},
		{"hard link outside", []th{{name: "./a", typ: tar.TypeLink, link: "../outside/sentinel"}}, Options{}, "'..'"},
		{"hard link unseen", []th{{name: "./a", typ: tar.TypeLink, link: "./b"}}, Options{}, "not an earlier file"},
		{"device", []th{{name: "./null", typ: tar.TypeChar}}, Options{}, "device files"},
		{"file too big", []th{{name: "./a", typ: tar.TypeReg, body: "12345"}}, Options{MaxFileSize: 4}, "exceeds the limit"},
		{"total too big", []th{{name: "./a", typ: tar.TypeReg, body: "123"}, {name: "./b", typ: tar.TypeReg, body: "123"}},
			Options{MaxTotalSize: 5}, "total limit"},
		{"too many", []th{{name: "./a/", typ: tar.TypeDir}, {name: "./b/", typ: tar.TypeDir}}, Options{MaxEntries: 1}, "more than 1 entries"},
		{"non-empty dir", []th{{name: "./d/x", typ: tar.TypeReg}, {name: "./d", typ: tar.TypeReg}}, Options{}, "non-empty directory"},
		{"file as parent", []th{{name: "./f", typ: tar.TypeReg}, {name: "./f/x", typ: tar.TypeReg}}, Options{}, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, root := sandbox(t)
			_, err := Extract(tarStream(t, tt.entries...), root, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			checkOutside(t, base)
		})
	}
	if _, err := Extract(tarStream(t), filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Error("missing root accepted")
	}
}

func TestExtractOwnership(t *testing.T) {
	entries := []th{{name: "./suid", typ: tar.TypeReg, mode: 06755, body: "x"}, {name: "./sticky/", typ: tar.TypeDir, mode: 01777}}
	_, root := sandbox(t)
	if _, err := Extract(tarStream(t, entries...), root, Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(root, "suid")); fi.Mode() != 0755 {
		t.Errorf("without Chown: mode %v, want set-id bits dropped", fi.Mode())
	}
	if fi, _ := os.Stat(filepath.Join(root, "sticky")); fi.Mode() != fs.ModeDir|fs.ModeSticky|0777 {
		t.Errorf("sticky dir: mode %v", fi.Mode())
	}
	if os.Geteuid() != 0 {
		t.Skip("Chown needs root")
	}
	_, root = sandbox(t)
	if _, err := Extract(tarStream(t, entries...), root, Options{Chown: true}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(root, "suid"))
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode() != fs.ModeSetuid|fs.ModeSetgid|0755 || st.Uid != 1000 || st.Gid != 1000 {
		t.Errorf("with Chown: mode %v owner %d:%d", fi.Mode(), st.Uid, st.Gid)
	}
}
