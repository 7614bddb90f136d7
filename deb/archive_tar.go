package deb

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Bounds on tar entries of a .deb.
const (
	// MaxPathLen bounds the length of an entry name or link target.
	MaxPathLen = 4096
	// MaxDataEntries bounds the number of entries of a data.tar.
	MaxDataEntries = 1 << 20
)

// CleanEntryName returns the tar entry name as a clean relative slash path
// ("usr/bin/foo"; "." for the top directory "./"). It refuses absolute
// names, ".." components, NUL bytes and names longer than MaxPathLen.
func CleanEntryName(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty entry name")
	}
	if len(name) > MaxPathLen {
		return "", fmt.Errorf("entry name too long (%d bytes)", len(name))
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("entry name %q contains a NUL byte", name)
	}
	if name[0] == '/' {
		return "", fmt.Errorf("entry %q has an absolute path", name)
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("entry %q has a '..' component", name)
		}
	}
	return path.Clean(name), nil
}

// EntryChecker checks the entries of a data.tar one after the other, in
// archive order: names must pass CleanEntryName, the top directory must be
// a directory, a relative symlink target must stay inside the tree (an
// absolute one is allowed: it resolves below the install root), and a hard
// link must point to a non-directory entry seen before. The zero value is
// ready to use.
type EntryChecker struct {
	seen  map[string]bool // non-directory entries so far
	count int
}

// Check validates h and returns its clean name.
func (c *EntryChecker) Check(h *tar.Header) (string, error) {
	c.count++
	if c.count > MaxDataEntries {
		return "", fmt.Errorf("more than %d entries", MaxDataEntries)
	}
	name, err := CleanEntryName(h.Name)
	if err != nil {
		return "", err
	}
	if err := c.checkType(name, h); err != nil {
		return "", err
	}
	if h.Typeflag != tar.TypeDir {
		if c.seen == nil {
			c.seen = map[string]bool{}
		}
		c.seen[name] = true
	}
	return name, nil
}

func (c *EntryChecker) checkType(name string, h *tar.Header) error {
	if h.Size < 0 {
		return fmt.Errorf("entry %q has a negative size", h.Name)
	}
	if name == "." && h.Typeflag != tar.TypeDir {
		return fmt.Errorf("entry %q: the top directory is not a directory", h.Name)
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeDir, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return nil
	case tar.TypeSymlink:
		return checkSymlink(name, h.Linkname)
	case tar.TypeLink:
		return c.checkHardLink(name, h.Linkname)
	}
	return fmt.Errorf("entry %q has unsupported type %q", h.Name, h.Typeflag)
}

// checkSymlink refuses empty targets and relative targets that climb out
// of the tree from the link's directory.
func checkSymlink(name, target string) error {
	if target == "" {
		return fmt.Errorf("symlink %q has an empty target", name)
	}
	if len(target) > MaxPathLen || strings.IndexByte(target, 0) >= 0 {
		return fmt.Errorf("symlink %q has an invalid target", name)
	}
	if target[0] == '/' {
		return nil
	}
	resolved := path.Join(path.Dir(name), target)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fmt.Errorf("symlink %q points outside the package tree (%q)", name, target)
	}
	return nil
}

func (c *EntryChecker) checkHardLink(name, target string) error {
	t, err := CleanEntryName(target)
	if err != nil {
		return fmt.Errorf("hard link %q: target: %w", name, err)
	}
	if t == name || !c.seen[t] {
		return fmt.Errorf("hard link %q points to %q, which is not an earlier file of the archive", name, target)
	}
	return nil
}

// DataReader reads the entries of a data.tar, checking each one with an
// EntryChecker: Next returns only entries that passed.
type DataReader struct {
	tr    *tar.Reader
	check EntryChecker
	name  string
	err   error
	// drain, when set, is read to its end once the tar stream ends, so
	// that a decompressor checks its trailer; member names the stream in
	// errors.
	drain  io.Reader
	member string
}

// NewDataReader returns a checking reader over an uncompressed tar stream.
func NewDataReader(tr *tar.Reader) *DataReader { return &DataReader{tr: tr} }

// Next advances to the next entry and returns its header unchanged (Name
// as stored, e.g. "./usr/bin/"); Name returns its clean form. After an
// error, every call returns the same error.
func (d *DataReader) Next() (*tar.Header, error) {
	if d.err != nil {
		return nil, d.err
	}
	h, err := d.tr.Next()
	if err == io.EOF {
		d.err = d.finish()
		return nil, d.err
	}
	if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
		d.err = d.wrap(err)
		return nil, d.err
	}
	name, err := d.check.Check(h)
	if err != nil {
		d.err = d.wrap(err)
		return nil, d.err
	}
	d.name = name
	return h, nil
}

// Name returns the clean name of the current entry ("usr/bin/foo", "."
// for the top directory).
func (d *DataReader) Name() string { return d.name }

// Read reads the contents of the current entry.
func (d *DataReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.tr.Read(p)
	if err != nil && err != io.EOF {
		err = d.wrap(err)
	}
	return n, err
}

// finish drains the decompressed stream after the end of the tar archive
// and returns io.EOF, or the error the decompressor found.
func (d *DataReader) finish() error {
	if d.drain != nil {
		if _, err := io.Copy(io.Discard, d.drain); err != nil {
			return d.wrap(err)
		}
	}
	return io.EOF
}

func (d *DataReader) wrap(err error) error {
	m := d.member
	if m == "" {
		m = "data.tar"
	}
	return &DamagedError{Member: m, Err: err}
}

// DamagedError reports a data member that cannot be read to its end: a
// corrupt or truncated compressed stream or tar archive.
type DamagedError struct {
	Member string // e.g. "data.tar.xz"
	Err    error
}

// Error says which member is damaged, and how.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("the archive is damaged: %s cannot be read (%v)", e.Member, e.Err)
}

// Unwrap returns the underlying error.
func (e *DamagedError) Unwrap() error { return e.Err }
