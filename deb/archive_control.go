package deb

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"
)

// ControlMember is one entry of control.tar other than its top directory:
// a regular file (control, md5sums, conffiles, maintainer scripts,
// checkrm, triggers, shlibs, ...) with its contents, a symlink with its
// target, a directory, or another kind of file; dpkg-deb -I lists all but
// regular files as "not a plain file".
type ControlMember struct {
	// Name is the clean path inside control.tar, e.g. "postinst".
	Name string
	// Mode holds the permission bits and the type bits (fs.ModeSymlink...).
	Mode    fs.FileMode
	ModTime time.Time
	// Data is the contents of a regular file.
	Data []byte
	// Link is the target of a symlink.
	Link string
}

// IsRegular reports whether m is a plain file.
func (m *ControlMember) IsRegular() bool { return m.Mode.IsRegular() }

// ControlArchive is the parsed control.tar of a package.
type ControlArchive struct {
	// Control is the parsed control file.
	Control *Paragraph
	// Members lists every entry but the top directory, sorted by name;
	// "control" is among them with its raw bytes.
	Members []ControlMember
}

// Member returns the member called name, if present.
func (c *ControlArchive) Member(name string) (*ControlMember, bool) {
	for i := range c.Members {
		if c.Members[i].Name == name {
			return &c.Members[i], true
		}
	}
	return nil, false
}

// Conffiles returns the paths the conffiles member lists, in order,
// without flags such as "remove-on-upgrade" that may precede a path.
func (c *ControlArchive) Conffiles() []string {
	m, ok := c.Member("conffiles")
	if !ok || !m.IsRegular() {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(m.Data), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			out = append(out, f[len(f)-1])
		}
	}
	return out
}

// limitedReader reads from r and fails once more than n bytes came.
type limitedReader struct {
	r    io.Reader
	n    int64
	what string
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, fmt.Errorf("%s larger than %d bytes", l.what, MaxControlSize)
	}
	return n, err
}

// readControlArchive decompresses and reads a control.tar stream.
func readControlArchive(r io.Reader, c Compression) (*ControlArchive, error) {
	z, release, err := smallDecompressor(c, r)
	if err != nil {
		return nil, err
	}
	defer release()
	lr := &limitedReader{r: z, n: MaxControlSize, what: "decompressed control archive"}
	ca := &ControlArchive{}
	if err := ca.readEntries(tar.NewReader(lr)); err != nil {
		return nil, err
	}
	// Read to the end so that the decompressor checks its trailer.
	if _, err := io.Copy(io.Discard, lr); err != nil {
		return nil, err
	}
	sort.Slice(ca.Members, func(i, j int) bool { return ca.Members[i].Name < ca.Members[j].Name })
	raw, ok := ca.Member("control")
	if !ok || !raw.IsRegular() {
		return nil, errors.New("no control file in control archive")
	}
	ca.Control, err = ParseParagraph(raw.Data)
	if err != nil {
		return nil, fmt.Errorf("parse control file: %w", err)
	}
	return ca, nil
}

func (ca *ControlArchive) readEntries(tr *tar.Reader) error {
	seen := map[string]bool{}
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return err
		}
		if n >= MaxControlMembers {
			return fmt.Errorf("more than %d entries", MaxControlMembers)
		}
		m, err := controlMember(h, tr)
		if err != nil {
			return err
		}
		if m.Name == "." {
			continue
		}
		if seen[m.Name] {
			return fmt.Errorf("duplicate entry %q", h.Name)
		}
		seen[m.Name] = true
		ca.Members = append(ca.Members, *m)
	}
}

// controlMember turns one control.tar entry into a member, reading the
// contents of a regular file.
func controlMember(h *tar.Header, r io.Reader) (*ControlMember, error) {
	name, err := CleanEntryName(h.Name)
	if err != nil {
		return nil, err
	}
	m := &ControlMember{Name: name, Mode: h.FileInfo().Mode(), ModTime: h.ModTime}
	switch h.Typeflag {
	case tar.TypeReg:
		if h.Size < 0 || h.Size > MaxControlSize {
			return nil, fmt.Errorf("entry %q too large", h.Name)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		m.Data = b
	case tar.TypeSymlink:
		m.Link = h.Linkname
	case tar.TypeLink:
		m.Link, m.Mode = h.Linkname, m.Mode|fs.ModeIrregular
	case tar.TypeDir, tar.TypeFifo, tar.TypeChar, tar.TypeBlock:
	default:
		return nil, fmt.Errorf("entry %q has unsupported type %q", h.Name, h.Typeflag)
	}
	if name == "." && !m.Mode.IsDir() {
		return nil, fmt.Errorf("entry %q is not a directory", h.Name)
	}
	return m, nil
}
