package unpack

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// ownedStream is tarStream with every entry owned by uid:gid.
func ownedStream(t *testing.T, uid, gid int, entries ...th) *tar.Reader {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, ModTime: mtime,
			Uid: uid, Gid: gid, Size: int64(len(e.body)), Format: tar.FormatGNU}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	tw.Close()
	return tar.NewReader(&b)
}

func TestReadUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	if got := readUmask(); got != 0o027 && got != -1 {
		t.Errorf("readUmask() = %#o, want 027", got)
	}
}

// TestExtractModesUnderUmask extracts files of every kind of mode under
// several creation masks: each gets its header's mode, whether it was
// created with it or given it by a chmod.
func TestExtractModesUnderUmask(t *testing.T) {
	modes := []int64{0o644, 0o755, 0o600, 0o777, 0o640, 0o444, 0o1755, 0o4755, 0o2750, 0o6711}
	var entries []th
	for _, m := range modes {
		entries = append(entries, th{name: "./f" + strconv.FormatInt(m, 8), typ: tar.TypeReg, mode: m, body: "x"})
	}
	chown := os.Geteuid() == 0
	for _, mask := range []int{0, 0o022, 0o077} {
		old := syscall.Umask(mask)
		_, root := sandbox(t)
		_, err := Extract(ownedStream(t, os.Geteuid(), os.Getegid(), entries...), root, Options{Chown: chown})
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range modes {
			want := fs.FileMode(m & 0o777)
			if chown && m&0o4000 != 0 {
				want |= fs.ModeSetuid
			}
			if chown && m&0o2000 != 0 {
				want |= fs.ModeSetgid
			}
			if m&0o1000 != 0 {
				want |= fs.ModeSticky
			}
			fi, err := os.Lstat(filepath.Join(root, entries[i].name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != want {
				t.Errorf("umask %#o, mode %#o: got %v, want %v", mask, m, fi.Mode(), want)
			}
		}
	}
}

// TestExtractOwnerInGroupDirectory checks the chown that is skipped for
// files already owned right: a file of root's group in a set-group-ID
// directory of another group would get that group without it.
func TestExtractOwnerInGroupDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	_, root := sandbox(t)
	for _, d := range []struct {
		name string
		mode fs.FileMode
	}{{"setgid", 0o755 | fs.ModeSetgid}, {"group", 0o755}} {
		p := filepath.Join(root, d.name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, 0, 4242); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, d.mode); err != nil {
			t.Fatal(err)
		}
	}
	entries := []th{
		{name: "./setgid/f", typ: tar.TypeReg, mode: 0o644, body: "x"},
		{name: "./group/f", typ: tar.TypeReg, mode: 0o644, body: "x"},
		{name: "./plain/f", typ: tar.TypeReg, mode: 0o644, body: "x"},
	}
	if _, err := Extract(ownedStream(t, 0, 0, entries...), root, Options{Chown: true}); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fi, err := os.Lstat(filepath.Join(root, e.name))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", e.name, st.Uid, st.Gid)
		}
	}
	// The skip must not drop a chown to another owner.
	_, root = sandbox(t)
	if _, err := Extract(ownedStream(t, 1000, 0, entries[2]), root, Options{Chown: true}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Lstat(filepath.Join(root, entries[2].name))
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1000 || st.Gid != 0 {
		t.Errorf("owner %d:%d, want 1000:0", st.Uid, st.Gid)
	}
}

// TestHasAttrs checks when an existing directory is left as it is: only
// when its mode, set-id and sticky bits and (restoring ownership) owner
// are the entry's.
func TestHasAttrs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755|fs.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Geteuid(), os.Getegid()
	for _, c := range []struct {
		mode     fs.FileMode
		uid, gid int
		chown    bool
		want     bool
	}{
		{fs.ModeDir | 0o755 | fs.ModeSetgid, uid, gid, true, true},
		{fs.ModeDir | 0o755, uid, gid, true, false},
		{fs.ModeDir | 0o775 | fs.ModeSetgid, uid, gid, true, false},
		{fs.ModeDir | 0o755 | fs.ModeSetgid | fs.ModeSticky, uid, gid, true, false},
		{fs.ModeDir | 0o755 | fs.ModeSetgid, uid + 1, gid, true, false},
		{fs.ModeDir | 0o755 | fs.ModeSetgid, uid, gid + 1, true, false},
		{fs.ModeDir | 0o755 | fs.ModeSetgid, uid + 1, gid + 1, false, true},
	} {
		x := &extractor{opts: Options{Chown: c.chown}}
		if got := x.hasAttrs(fi, &Entry{Mode: c.mode, UID: c.uid, GID: c.gid}); got != c.want {
			t.Errorf("mode %v owner %d:%d chown %v: %v, want %v", c.mode, c.uid, c.gid, c.chown, got, c.want)
		}
	}
}
