package unpack

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"aim/deb"
	"aim/deb/rootfs"
)

// Default bounds, used when Options leave them zero.
const (
	DefaultMaxFileSize  = 16 << 30
	DefaultMaxTotalSize = 64 << 30
)

// InstalledSizeSlack is how far past its Installed-Size a package may
// unpack (see SizeLimit): dpkg-deb rounds each file up to a KiB, so an
// honest package stays below its field, and other builders are
// forgiven a factor of two and this much.
const InstalledSizeSlack = 64 << 20

// SizeLimit returns the MaxTotalSize for a package declaring an
// Installed-Size of kib KiB: twice that plus InstalledSizeSlack; zero
// (the default) when kib is not positive (the field is missing).
func SizeLimit(kib int64) int64 {
	if kib <= 0 || kib > DefaultMaxTotalSize>>10 {
		return 0
	}
	return 2*kib<<10 + InstalledSizeSlack
}

// A LimitError reports an archive whose files exceed a size limit: a
// bomb, or a package that understates its Installed-Size.
type LimitError struct {
	// Path is the entry that went over; Limit the bound in bytes; File
	// is set when one file exceeds MaxFileSize, else all together
	// exceed MaxTotalSize.
	Path  string
	Limit int64
	File  bool
}

// Error names the entry and the limit.
func (e *LimitError) Error() string {
	if e.File {
		return fmt.Sprintf("%s: file exceeds the limit of %d bytes", e.Path, e.Limit)
	}
	return fmt.Sprintf("%s: the files unpacked so far exceed the total limit of %d bytes", e.Path, e.Limit)
}

// TarReader is what Extract reads: *tar.Reader and *deb.DataReader are
// both one.
type TarReader interface {
	Next() (*tar.Header, error)
	io.Reader
}

// Options tune Extract.
type Options struct {
	// Chown gives each entry the uid and gid of its header (this needs
	// root). Set-user-ID and set-group-ID bits are kept only with Chown,
	// as tar drops them when it cannot restore ownership.
	Chown bool
	// MaxFileSize bounds each file, MaxTotalSize all files together and
	// MaxEntries the number of entries; zero means the default.
	MaxFileSize  int64
	MaxTotalSize int64
	MaxEntries   int
	// Check, when not nil, is asked about every entry (its clean path
	// and whether it is a directory) before it is written; an error
	// refuses the entry and ends the extraction.
	Check func(name string, isDir bool) error
	// SkipHash leaves Entry.SHA256 empty, for callers that do not need
	// the files' hashes: extracting then costs no hashing.
	SkipHash bool
	// Paths, when not nil, resolves the parent directories of entries
	// for ExtractStaged (Extract ignores it): a Resolver of the same
	// root, shared by extractions running at once, so that a directory
	// one of them resolved costs the others no lookups. The caller
	// reports to it what it changes in the tree meanwhile (its Check
	// may move things out of a directory's way); staging itself changes
	// nothing a path resolves through.
	Paths *rootfs.Resolver
}

// Entry is one entry written below the root.
type Entry struct {
	// Path is the clean relative slash path, "." for the top directory.
	Path string
	// Type is the tar type flag: tar.TypeReg, TypeDir, TypeSymlink,
	// TypeLink or TypeFifo.
	Type byte
	// Mode holds the permission and set-id bits written and the type bits.
	Mode fs.FileMode
	// Size and SHA256 (hex) describe the contents of a regular file or of
	// the file a hard link points to.
	Size   int64
	SHA256 string
	// Link is a symlink's target or a hard link's clean target path.
	Link     string
	ModTime  time.Time
	UID, GID int
}

// dirTime is a directory whose mtime is set once everything is written.
type dirTime struct {
	path  string
	mtime time.Time
}

// extractor holds the state of one Extract call.
type extractor struct {
	root    string
	opts    Options
	check   deb.EntryChecker
	entries []Entry
	byPath  map[string]int
	suffix  string // see ExtractStaged
	dirs    []dirTime
	total   int64
	buf     []byte               // copy buffer, reused for every file
	parents map[string]parentDir // resolved parent directories, see resolveDir
	parent  parentDir            // the parent of the entry being written
	staging bool                 // set by ExtractStaged
	// own is what a new file gets without a chown, the process's
	// effective ids (see needChown); umask the process's file mode
	// creation mask, -1 when unknown (see createMode).
	own   owner
	umask int
}

// parentDir is a resolved parent directory.
type parentDir struct {
	path string
	gid  int // its group, -1 when unknown
}

// Extract writes every entry of tr below root, which must exist, and
// returns the entries written in archive order. On error it returns the
// entries written so far with the error; nothing is ever written outside
// root. Character and block devices are refused. The top directory entry
// "./" is recorded but leaves root itself untouched.
func Extract(tr TarReader, root string, opts Options) ([]Entry, error) {
	x, err := newExtractor(root, opts)
	if err != nil {
		return nil, err
	}
	defer x.releaseBuffer()
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return x.entries, err
		}
		if n >= x.opts.MaxEntries {
			return x.entries, fmt.Errorf("more than %d entries", x.opts.MaxEntries)
		}
		if err := x.entry(h, tr); err != nil {
			return x.entries, err
		}
	}
	return x.entries, x.finish()
}

func newExtractor(root string, opts Options) (*extractor, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("unpack root: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("unpack root %s is not a directory", root)
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.MaxTotalSize <= 0 {
		opts.MaxTotalSize = DefaultMaxTotalSize
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = deb.MaxDataEntries
	}
	return &extractor{root: abs, opts: opts, byPath: map[string]int{}, parents: map[string]parentDir{},
		own: owner{os.Geteuid(), os.Getegid()}, umask: readUmask()}, nil
}

// entry writes one entry.
func (x *extractor) entry(h *tar.Header, r io.Reader) error {
	name, err := x.check.Check(h)
	if err != nil {
		return err
	}
	e := Entry{Path: name, Type: h.Typeflag, Mode: fileMode(h, x.opts.Chown), Link: h.Linkname,
		ModTime: h.ModTime, UID: h.Uid, GID: h.Gid}
	if name == "." {
		x.record(e)
		return nil
	}
	if x.opts.Check != nil {
		if err := x.opts.Check(name, h.Typeflag == tar.TypeDir); err != nil {
			return err
		}
	}
	final, parent, err := x.resolve(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	x.parent = parent
	if h.Typeflag != tar.TypeDir {
		final += x.suffix
	}
	if err := x.write(&e, h, r, final); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	x.record(e)
	return nil
}

func (x *extractor) write(e *Entry, h *tar.Header, r io.Reader, final string) error {
	switch h.Typeflag {
	case tar.TypeDir:
		return x.dir(e, final)
	case tar.TypeReg:
		return x.file(e, h, r, final)
	case tar.TypeSymlink:
		return x.symlink(e, final)
	case tar.TypeLink:
		return x.hardlink(e, final)
	case tar.TypeFifo:
		return x.fifo(e, final)
	}
	return fmt.Errorf("device files are not supported (type %q)", h.Typeflag)
}

func (x *extractor) record(e Entry) {
	x.byPath[e.Path] = len(x.entries)
	x.entries = append(x.entries, e)
}

// resolve returns the host path of name: its parent directory resolved
// inside the root (and created when missing), joined with its last
// component, which is not resolved.
func (x *extractor) resolve(name string) (string, parentDir, error) {
	parent, err := x.resolveDir(path.Dir(name))
	if err != nil {
		return "", parent, err
	}
	return filepath.Join(parent.path, path.Base(name)), parent, nil
}

// resolveDir resolves dir inside the root and makes sure it exists.
// Without a Check hook, which might change the tree between entries,
// and while staging (which writes no symlink at a target and replaces
// no directory), a directory once resolved is remembered, so that the
// files of one directory cost no further lookups. The memory is dropped
// whenever an entry removes something (removeExisting) or a directory
// entry finds something other than a directory at its target (see dir):
// the places where what a path resolves through may have changed, as
// when a caller's Check moves a file or a dangling symlink out of a
// directory's way.
func (x *extractor) resolveDir(dir string) (parentDir, error) {
	if dir == "." {
		return parentDir{x.root, -1}, nil
	}
	if p, ok := x.parents[dir]; ok {
		return p, nil
	}
	var p parentDir
	var err error
	if x.staging && x.opts.Paths != nil {
		p.path, err = x.opts.Paths.Join(dir)
	} else {
		p.path, err = rootfs.Root(x.root).Join(dir)
	}
	if err != nil {
		return p, err
	}
	if p.gid, err = makeDir(p.path); err != nil {
		return p, err
	}
	if x.opts.Check == nil || x.staging {
		x.parents[dir] = p
	}
	return p, nil
}

// makeDir makes sure a directory stands at p, as os.MkdirAll does, and
// returns its group (-1 when unknown).
func makeDir(p string) (int, error) {
	fi, err := os.Stat(p)
	if err != nil || !fi.IsDir() {
		if err := os.MkdirAll(p, 0755); err != nil {
			return -1, err
		}
		if fi, err = os.Stat(p); err != nil {
			return -1, err
		}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Gid), nil
	}
	return -1, nil
}

// forgetParents drops every remembered directory: an entry removed
// something that one of them may have resolved through.
func (x *extractor) forgetParents() { clear(x.parents) }

// fileMode turns a header's Unix mode into the mode to write, dropping
// set-id bits unless ownership is restored.
func fileMode(h *tar.Header, chown bool) fs.FileMode {
	m := fs.FileMode(h.Mode & 0777)
	if h.Mode&04000 != 0 && chown {
		m |= fs.ModeSetuid
	}
	if h.Mode&02000 != 0 && chown {
		m |= fs.ModeSetgid
	}
	if h.Mode&01000 != 0 {
		m |= fs.ModeSticky
	}
	switch h.Typeflag {
	case tar.TypeDir:
		m |= fs.ModeDir
	case tar.TypeSymlink:
		m |= fs.ModeSymlink
	case tar.TypeFifo:
		m |= fs.ModeNamedPipe
	}
	return m
}

// finish sets the mtimes of directories, deepest last written first.
func (x *extractor) finish() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		fi, err := os.Lstat(d.path)
		if err != nil || !fi.IsDir() {
			continue
		}
		if err := lutimes(d.path, d.mtime); err != nil {
			return fmt.Errorf("set time of %s: %w", d.path, err)
		}
	}
	return nil
}

// errNotEmpty reports an entry that would replace a non-empty directory.
var errNotEmpty = errors.New("cannot replace a non-empty directory")
