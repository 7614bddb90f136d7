package main

import (
	"archive/tar"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"aim/deb"
)

func setupDebContents(*pflag.FlagSet) func(*env, []string) error { return runDebContents }

// debContentEntry is one entry of "aim deb contents --json".
type debContentEntry struct {
	Path  string    `json:"path"`
	Type  string    `json:"type"`
	Mode  string    `json:"mode"`
	UID   int       `json:"uid"`
	GID   int       `json:"gid"`
	User  string    `json:"user"`
	Group string    `json:"group"`
	Size  int64     `json:"size"`
	MTime time.Time `json:"mtime"`
	Link  string    `json:"link,omitempty"`
}

var tarTypeNames = map[byte]string{
	tar.TypeReg: "file", tar.TypeDir: "dir", tar.TypeSymlink: "symlink", tar.TypeLink: "hardlink",
	tar.TypeFifo: "fifo", tar.TypeChar: "char", tar.TypeBlock: "block",
}

func runDebContents(e *env, args []string) error {
	if len(args) != 1 {
		return usageError("usage: aim deb contents FILE")
	}
	dr, done, err := openDebData(args[0])
	if err != nil {
		return err
	}
	defer done()
	var list []debContentEntry
	lister := &tarLister{w: e.stdout, ugsWidth: 19}
	for {
		h, err := dr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if e.g.json {
			list = append(list, contentEntry(h))
		} else {
			lister.print(h)
		}
	}
	if e.g.json {
		return writeJSON(e.stdout, list)
	}
	return nil
}

func contentEntry(h *tar.Header) debContentEntry {
	return debContentEntry{Path: deb.DisplayString(h.Name), Type: tarTypeNames[h.Typeflag],
		Mode: fmt.Sprintf("%04o", h.Mode&07777), UID: h.Uid, GID: h.Gid, User: h.Uname, Group: h.Gname,
		Size: h.Size, MTime: h.ModTime.UTC(), Link: deb.DisplayString(h.Linkname)}
}

// tarLister prints entries like GNU tar -tv, which dpkg-deb -c runs.
type tarLister struct {
	w        io.Writer
	ugsWidth int // grows, as in GNU tar, once a wider owner/size shows up
}

func (l *tarLister) print(h *tar.Header) {
	user, group := h.Uname, h.Gname
	if user == "" {
		user = strconv.Itoa(h.Uid)
	}
	if group == "" {
		group = strconv.Itoa(h.Gid)
	}
	size := strconv.FormatInt(h.Size, 10)
	if h.Typeflag == tar.TypeChar || h.Typeflag == tar.TypeBlock {
		size = fmt.Sprintf("%d,%d", h.Devmajor, h.Devminor)
	}
	pad := len(user) + 1 + len(group) + 1 + len(size)
	l.ugsWidth = max(l.ugsWidth, pad)
	fmt.Fprintf(l.w, "%s %s/%s %*s %s %s", modeString(h), user, group, l.ugsWidth-pad+len(size), size,
		h.ModTime.Local().Format("2006-01-02 15:04"), deb.DisplayString(h.Name))
	switch h.Typeflag {
	case tar.TypeSymlink:
		fmt.Fprintf(l.w, " -> %s", deb.DisplayString(h.Linkname))
	case tar.TypeLink:
		fmt.Fprintf(l.w, " link to %s", deb.DisplayString(h.Linkname))
	}
	fmt.Fprintln(l.w)
}

// modeString renders a header's type and mode as ls and tar do, such as
// "drwxr-xr-x" or "-rwsr-xr-x".
func modeString(h *tar.Header) string {
	t := map[byte]byte{tar.TypeDir: 'd', tar.TypeSymlink: 'l', tar.TypeLink: 'h',
		tar.TypeFifo: 'p', tar.TypeChar: 'c', tar.TypeBlock: 'b'}[h.Typeflag]
	if t == 0 {
		t = '-'
	}
	b := []byte{t}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		c := byte('-')
		if h.Mode&(1<<(8-i)) != 0 {
			c = rwx[i]
		}
		b = append(b, c)
	}
	setBit(b, 3, h.Mode&04000 != 0, 's', 'S')
	setBit(b, 6, h.Mode&02000 != 0, 's', 'S')
	setBit(b, 9, h.Mode&01000 != 0, 't', 'T')
	return string(b)
}

// setBit marks a set-id or sticky bit over the execute position i.
func setBit(b []byte, i int, on bool, exec, noExec byte) {
	if !on {
		return
	}
	if b[i] == 'x' {
		b[i] = exec
	} else {
		b[i] = noExec
	}
}
