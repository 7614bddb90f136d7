package deb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// The ar container is read and written here rather than with
// github.com/blakesmith/ar: that reader ignores the global magic, the
// header terminator and malformed numbers, slices out of range (a panic)
// on a short mode field, turns a negative size into a panic in Read, and
// reports a truncated member as a clean end of file; its writer pads
// after every odd-sized Write call instead of once per member.

const (
	arMagic      = "!<arch>\n"
	arHeaderSize = 60
	arNameMax    = 16
)

// arHeader is one member header of an ar archive.
type arHeader struct {
	Name    string
	ModTime int64
	UID     int
	GID     int
	Mode    int64
	Size    int64
}

// arReader reads the members of an ar archive from a stream.
type arReader struct {
	r      io.Reader
	name   string // current member
	remain int64  // unread bytes of the current member
	pad    int64  // padding byte after the current member
	n      int64  // bytes consumed so far
}

// newArReader checks the global magic of an ar archive.
func newArReader(r io.Reader) (*arReader, error) {
	var magic [len(arMagic)]byte
	n, err := io.ReadFull(r, magic[:])
	if err != nil {
		if n == 0 {
			return nil, errors.New("empty file, not a debian package")
		}
		return nil, errors.New("file too short, not a debian package")
	}
	if string(magic[:]) != arMagic {
		if bytes.HasPrefix(magic[:], []byte("!<arch>")) {
			return nil, errors.New("not a debian format archive (bad ar magic; corrupted by a text-mode transfer?)")
		}
		return nil, errors.New("not a debian format archive (no ar magic)")
	}
	return &arReader{r: r, n: int64(len(arMagic))}, nil
}

// next skips what is left of the current member and reads the next
// header. It returns io.EOF at a clean end of the archive.
func (a *arReader) next() (*arHeader, error) {
	if err := a.skip(); err != nil {
		return nil, err
	}
	var buf [arHeaderSize]byte
	n, err := io.ReadFull(a.r, buf[:])
	a.n += int64(n)
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, a.eofError("member header", err)
	}
	h, err := parseArHeader(buf[:])
	if err != nil {
		return nil, fmt.Errorf("corrupt archive at offset %d: %w", a.n-arHeaderSize, err)
	}
	a.name, a.remain, a.pad = h.Name, h.Size, h.Size&1
	return h, nil
}

// skip discards the unread data and padding of the current member.
func (a *arReader) skip() error {
	if a.remain > 0 {
		if _, err := io.Copy(io.Discard, a); err != nil {
			return err
		}
	}
	if a.pad > 0 {
		var b [1]byte
		n, err := io.ReadFull(a.r, b[:])
		a.n += int64(n)
		a.pad = 0
		if err != nil {
			return a.eofError("member "+a.name, err)
		}
	}
	return nil
}

// Read reads the data of the current member.
func (a *arReader) Read(p []byte) (int, error) {
	if a.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > a.remain {
		p = p[:a.remain]
	}
	n, err := a.r.Read(p)
	a.remain -= int64(n)
	a.n += int64(n)
	if err == io.EOF && a.remain > 0 {
		return n, a.eofError("member "+a.name, io.ErrUnexpectedEOF)
	}
	if err == io.EOF {
		err = nil
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("read member %s: %w", a.name, err)
	}
	return n, err
}

func (a *arReader) eofError(what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("unexpected end of archive in %s: %w", what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// parseArHeader decodes a 60-byte member header strictly: the terminator
// must be "`\n", the size plain decimal digits, and the name printable.
func parseArHeader(b []byte) (*arHeader, error) {
	if string(b[58:60]) != "`\n" {
		return nil, errors.New("bad member header magic")
	}
	name := string(bytes.TrimRight(b[0:16], " "))
	if len(name) > 1 && name[len(name)-1] == '/' { // GNU ar terminates names with '/'
		name = name[:len(name)-1]
	}
	if name == "" || name == "/" || name == "//" {
		return nil, fmt.Errorf("unsupported member name %q (symbol table or long-name table)", name)
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] >= 0x7f {
			return nil, fmt.Errorf("bad character in member name %q", name)
		}
	}
	size, err := arNumber(b[48:58], 10)
	if err != nil {
		return nil, fmt.Errorf("member %s: bad size: %w", name, err)
	}
	h := &arHeader{Name: name, Size: size}
	// dpkg ignores the other fields; a malformed one reads as zero.
	h.ModTime, _ = arNumber(b[16:28], 10)
	uid, _ := arNumber(b[28:34], 10)
	gid, _ := arNumber(b[34:40], 10)
	h.UID, h.GID = int(uid), int(gid)
	h.Mode, _ = arNumber(b[40:48], 8)
	return h, nil
}

// arNumber parses a space-padded unsigned number field.
func arNumber(field []byte, base int) (int64, error) {
	s := string(bytes.TrimRight(field, " "))
	if s == "" {
		return 0, errors.New("empty number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || (base == 8 && s[i] > '7') {
			return 0, fmt.Errorf("invalid character %q in %q", s[i], s)
		}
	}
	return strconv.ParseInt(s, base, 64)
}

// arWriter writes an ar archive in the layout dpkg-deb uses: names without
// the GNU '/' terminator, uid and gid 0, mode 100644.
type arWriter struct {
	w      io.Writer
	remain int64
	pad    bool
}

// newArWriter writes the global magic and returns the writer.
func newArWriter(w io.Writer) (*arWriter, error) {
	if _, err := io.WriteString(w, arMagic); err != nil {
		return nil, err
	}
	return &arWriter{w: w}, nil
}

// writeHeader starts a member of size bytes; exactly size bytes must then
// be written before the next header or close.
func (a *arWriter) writeHeader(name string, size int64, mtime time.Time) error {
	if err := a.finish(); err != nil {
		return err
	}
	hdr, err := formatArHeader(name, size, mtime)
	if err != nil {
		return err
	}
	if _, err := a.w.Write(hdr); err != nil {
		return err
	}
	a.remain, a.pad = size, size&1 == 1
	return nil
}

// formatArHeader returns the 60-byte header of a member.
func formatArHeader(name string, size int64, mtime time.Time) ([]byte, error) {
	if len(name) == 0 || len(name) > arNameMax {
		return nil, fmt.Errorf("ar member name %q: must be 1 to %d bytes", name, arNameMax)
	}
	sec := max(mtime.Unix(), 0)
	hdr := fmt.Sprintf("%-16s%-12d%-6d%-6d%-8s%-10d`\n", name, sec, 0, 0, "100644", size)
	if len(hdr) != arHeaderSize || size < 0 {
		return nil, fmt.Errorf("ar member %s: size or time does not fit the header", name)
	}
	return []byte(hdr), nil
}

// Write writes member data.
func (a *arWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > a.remain {
		return 0, errors.New("ar member data longer than its header says")
	}
	n, err := a.w.Write(p)
	a.remain -= int64(n)
	return n, err
}

// finish checks the current member is complete and writes its padding.
func (a *arWriter) finish() error {
	if a.remain != 0 {
		return fmt.Errorf("ar member data %d bytes short", a.remain)
	}
	if a.pad {
		a.pad = false
		_, err := a.w.Write([]byte{'\n'})
		return err
	}
	return nil
}

// writeMember writes a whole member held in memory.
func (a *arWriter) writeMember(name string, data []byte, mtime time.Time) error {
	if err := a.writeHeader(name, int64(len(data)), mtime); err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		return err
	}
	return a.finish()
}

// memberFile returns a file of its own (an open file description apart
// from the archive's, see reopen) positioned on the unread data of the
// current member, for a program to read the member directly instead of
// through this process. It does so only when the archive is a regular
// *os.File read from its start with nothing buffered ahead, and the
// member is the archive's last: reading the file to its end then reads
// that member only (and its padding byte). The member counts as read
// from then on (the archive's own file is moved past it); nil means
// none of this holds and nothing changed.
func (a *arReader) memberFile() *os.File {
	f, ok := a.r.(*os.File)
	if !ok || a.remain <= 0 {
		return nil
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil || pos != a.n {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != a.n+a.remain+a.pad {
		return nil
	}
	g := reopen(f, fi)
	if g == nil {
		return nil
	}
	if _, err := g.Seek(a.n, io.SeekStart); err != nil {
		g.Close()
		return nil
	}
	if _, err := f.Seek(a.remain, io.SeekCurrent); err != nil {
		g.Close()
		return nil
	}
	a.n += a.remain
	a.remain = 0
	return g
}

// reopen opens the file f is open on (fi is f's Stat) again, through
// /proc/self/fd: a new open file description, whose offset moves apart
// from f's. It returns nil where /proc is not mounted.
func reopen(f *os.File, fi os.FileInfo) *os.File {
	g, err := os.Open("/proc/self/fd/" + strconv.FormatUint(uint64(f.Fd()), 10))
	if err != nil {
		return nil
	}
	if gi, err := g.Stat(); err != nil || !os.SameFile(fi, gi) {
		g.Close()
		return nil
	}
	return g
}
