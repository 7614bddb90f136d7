package deb

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// treeFile describes one file of a test tree. mode carries the type bits
// (fs.ModeDir, fs.ModeSymlink, fs.ModeNamedPipe); link is a symlink
// target, or for a regular file with hard set, the earlier file it is a
// hard link to.
type treeFile struct {
	name string
	body string
	mode fs.FileMode
	link string
	hard bool
}

const sampleControl = `Package: sample
Version: 1.2-3
Section: user/utilities
Architecture: all
Maintainer: Test <test@example.org>
Description: a sample package
 with a long description
 .
 and a second paragraph.
Maemo-Display-Name: Sample
`

// sampleFiles is a tree with every kind of entry Build handles.
var sampleFiles = []treeFile{
	{name: "DEBIAN", mode: fs.ModeDir | 0755},
	{name: "DEBIAN/control", body: sampleControl, mode: 0644},
	{name: "DEBIAN/postinst", body: "#!/bin/sh\nset -e\necho configured\n", mode: 0755},
	{name: "DEBIAN/checkrm", body: "#! /bin/sh -e\nexit 0\n", mode: 0755},
	{name: "DEBIAN/conffiles", body: "/etc/sample.conf\n", mode: 0644},
	{name: "DEBIAN/triggers", body: "interest-noawait /usr/share/sample\n", mode: 0644},
	{name: "etc", mode: fs.ModeDir | 0755},
	{name: "etc/sample.conf", body: "key=value\n", mode: 0644},
	{name: "usr", mode: fs.ModeDir | 0755},
	{name: "usr/bin", mode: fs.ModeDir | 0755},
	{name: "usr/bin/sample", body: "#!/bin/sh\necho sample\n", mode: 0755},
	{name: "usr/bin/sample-link", mode: fs.ModeSymlink | 0777, link: "sample"},
	{name: "usr/bin/suid", body: "binary\n", mode: fs.ModeSetuid | 0755},
	{name: "usr/bin-x", mode: fs.ModeDir | 0755},
	{name: "usr/bin-x/file", body: "", mode: 0644},
	{name: "usr/lib", mode: fs.ModeDir | 0755},
	{name: "usr/lib/abs", mode: fs.ModeSymlink | 0777, link: "/etc/sample.conf"},
	{name: "usr/lib/big", body: string(bytes.Repeat([]byte("0123456789abcdef"), 5000)), mode: 0644},
	{name: "usr/lib/fifo", mode: fs.ModeNamedPipe | 0644},
	{name: "usr/share", mode: fs.ModeDir | 0755},
	{name: "usr/share/doc", mode: fs.ModeDir | 0755},
	{name: "usr/share/doc/sample", mode: fs.ModeDir | 0755},
	{name: "usr/share/doc/sample/README", body: "read me\n", mode: 0644},
	{name: "usr/share/doc/sample/README.hard", mode: 0644, link: "usr/share/doc/sample/README", hard: true},
	{name: "usr/share/doc/sample/" + longName, body: "long\n", mode: 0644},
	{name: "usr/share/doc/sample/grüße.txt", body: "utf-8 name\n", mode: 0644},
	{name: "var", mode: fs.ModeDir | fs.ModeSticky | 0777},
}

var longName = "a-very-long-file-name-" + string(bytes.Repeat([]byte("x"), 90)) + ".txt"

// makeTree writes files below a new temporary directory and returns it.
// Every mtime is set to mtime so that trees compare.
func makeTree(t testing.TB, files []treeFile, mtime time.Time) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := makeFile(p, dir, f); err != nil {
			t.Fatal(err)
		}
	}
	for i := len(files) - 1; i >= 0; i-- {
		p := filepath.Join(dir, files[i].name)
		if err := setTimes(p, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(dir, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return dir
}

// setTimes sets the times of p, a symlink's own included.
func setTimes(p string, t time.Time) error {
	b, err := syscall.BytePtrFromString(p)
	if err != nil {
		return err
	}
	ts := [2]syscall.Timespec{syscall.NsecToTimespec(t.UnixNano()), syscall.NsecToTimespec(t.UnixNano())}
	atFDCWD := -100
	_, _, errno := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(atFDCWD), uintptr(unsafe.Pointer(b)),
		uintptr(unsafe.Pointer(&ts[0])), 0x100, 0, 0) // AT_SYMLINK_NOFOLLOW
	if errno != 0 {
		return errno
	}
	return nil
}

func makeFile(p, dir string, f treeFile) error {
	switch {
	case f.mode.IsDir():
		if err := os.MkdirAll(p, 0755); err != nil {
			return err
		}
	case f.mode&fs.ModeSymlink != 0:
		return os.Symlink(f.link, p)
	case f.mode&fs.ModeNamedPipe != 0:
		if err := syscall.Mkfifo(p, 0600); err != nil {
			return err
		}
	case f.hard:
		return os.Link(filepath.Join(dir, f.link), p)
	default:
		if err := os.WriteFile(p, []byte(f.body), 0600); err != nil {
			return err
		}
	}
	return os.Chmod(p, f.mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
}

// buildBytes builds dir into memory.
func buildBytes(t testing.TB, dir string, opts BuildOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Build(os.DirFS(dir), &b, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// epoch returns a pointer to the time at sec.
func epoch(sec int64) *time.Time {
	t := time.Unix(sec, 0)
	return &t
}

// debEntry is what the tests compare of a data.tar entry.
type debEntry struct {
	Name, Link string
	Type       byte
	Mode       int64
	Size       int64
	UID, GID   int
	Uname      string
	Gname      string
	ModTime    int64
	Body       string
}

// readEntries reads every data.tar entry of a package.
func readEntries(t testing.TB, deb []byte) (*ArchiveReader, []debEntry) {
	t.Helper()
	ar, err := NewArchiveReader(bytes.NewReader(deb))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := ar.Data()
	if err != nil {
		t.Fatal(err)
	}
	out, err := dataEntries(dr)
	if err != nil {
		t.Fatal(err)
	}
	return ar, out
}

// dataEntries reads every entry of dr, with its contents, up to the
// first error.
func dataEntries(dr *DataReader) ([]debEntry, error) {
	var out []debEntry
	for {
		h, err := dr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		body, err := io.ReadAll(dr)
		if err != nil {
			return out, err
		}
		out = append(out, debEntry{Name: h.Name, Link: h.Linkname, Type: h.Typeflag, Mode: h.Mode,
			Size: h.Size, UID: h.Uid, GID: h.Gid, Uname: h.Uname, Gname: h.Gname,
			ModTime: h.ModTime.Unix(), Body: string(body)})
	}
}

// arMember is a raw member for craftAr.
type arMember struct {
	name string
	data []byte
}

// craftAr builds an ar archive from raw members, whatever their order.
func craftAr(t testing.TB, members ...arMember) []byte {
	t.Helper()
	var b bytes.Buffer
	aw, err := newArWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if err := aw.writeMember(m.name, m.data, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// tarOf builds an uncompressed GNU tar stream from headers, taking the
// body of each regular file from bodies by entry name. Names are written
// as given, however malformed.
func tarOf(t testing.TB, hdrs []*tar.Header, bodies map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := &gnuTarWriter{w: &b}
	for _, h := range hdrs {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(bodies[h.Name]))
		}
		if h.Mode == 0 {
			h.Mode = 0644
		}
		if err := tw.writeHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, bodies[h.Name])
		}
	}
	if err := tw.close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// minimalDeb returns a package whose data.tar is data (uncompressed).
func minimalDeb(t testing.TB, data []byte) []byte {
	t.Helper()
	ctrl := tarOf(t, []*tar.Header{
		{Name: "./", Typeflag: tar.TypeDir, Mode: 0755},
		{Name: "./control", Typeflag: tar.TypeReg},
	}, map[string]string{"./control": "Package: m\nVersion: 1\nArchitecture: all\n"})
	return craftAr(t, arMember{"debian-binary", []byte("2.0\n")},
		arMember{"control.tar", ctrl}, arMember{"data.tar", data})
}
