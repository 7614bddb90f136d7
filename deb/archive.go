package deb

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Bounds the archive reader enforces.
const (
	// MaxControlSize bounds the control.tar member, both as stored and
	// decompressed (so it bounds every control member too).
	MaxControlSize = 64 << 20
	// MaxControlMembers bounds the number of entries of control.tar.
	MaxControlMembers = 1024
	// MaxSignatureSize bounds one _gpg* member.
	MaxSignatureSize = 1 << 20
	// MaxArMembers bounds the number of members of the ar container.
	MaxArMembers = 64
	// maxDebianBinary bounds the debian-binary member.
	maxDebianBinary = 1024
)

// Member is a member of the ar container held in memory, such as a _gpg*
// signature.
type Member struct {
	Name string
	Data []byte
}

// readerState tracks where an ArchiveReader stands in the stream.
type readerState int

const (
	atControlEnd readerState = iota // control.tar read, data.tar not reached
	inData                          // Data returned a reader on data.tar
	atEnd                           // every member read
)

// ArchiveReader reads a binary package (.deb, format 2.x) from a stream,
// in one pass and without seeking: NewArchiveReader consumes the stream up
// to the end of control.tar and no further, so a caller can stop before
// the payload arrives. Data then reads data.tar, and Signatures reads the
// members after it. An ArchiveReader never panics on malformed input and
// bounds what it keeps in memory (see MaxControlSize and friends).
type ArchiveReader struct {
	ar          *arReader
	version     string
	control     *ControlArchive
	controlName string
	controlSize int64
	dataName    string
	dataSize    int64
	state       readerState
	data        *DataReader
	release     func()
	sigs        []Member
	members     int
}

// NewArchiveReader reads the start of a .deb from r: the ar magic, the
// debian-binary member (which must hold "2.x"), any members whose name
// starts with '_' (skipped, as dpkg does), and control.tar[.gz|.xz|.zst],
// which it decompresses and parses. It reads no byte past control.tar.
func NewArchiveReader(r io.Reader) (*ArchiveReader, error) {
	return newArchiveReader(r, false)
}

// NewDataArchiveReader reads the start of a .deb from r as
// NewArchiveReader does, but passes over control.tar without
// decompressing it (its name and size are still checked), and Control
// returns nil: for a caller that already holds the control archive of
// the same file and wants only Data and Signatures.
func NewDataArchiveReader(r io.Reader) (*ArchiveReader, error) {
	return newArchiveReader(r, true)
}

func newArchiveReader(r io.Reader, skipControl bool) (*ArchiveReader, error) {
	a, err := newArReader(r)
	if err != nil {
		return nil, err
	}
	ar := &ArchiveReader{ar: a}
	if err := ar.readVersion(); err != nil {
		return nil, err
	}
	if err := ar.readControl(skipControl); err != nil {
		return nil, err
	}
	return ar, nil
}

// nextMember reads the next member header, bounding the member count.
func (ar *ArchiveReader) nextMember() (*arHeader, error) {
	ar.members++
	if ar.members > MaxArMembers {
		return nil, fmt.Errorf("more than %d archive members", MaxArMembers)
	}
	return ar.ar.next()
}

func (ar *ArchiveReader) readVersion() error {
	h, err := ar.nextMember()
	if err == io.EOF {
		return errors.New("empty ar archive, not a debian package")
	}
	if err != nil {
		return err
	}
	if h.Name != "debian-binary" {
		return fmt.Errorf("not a debian binary archive (first member is %q, not debian-binary)", h.Name)
	}
	if h.Size > maxDebianBinary {
		return fmt.Errorf("debian-binary member too large (%d bytes)", h.Size)
	}
	b, err := io.ReadAll(ar.ar)
	if err != nil {
		return err
	}
	v, _, ok := strings.Cut(string(b), "\n")
	if !ok {
		return errors.New("debian-binary has no newline")
	}
	major, _, ok := strings.Cut(v, ".")
	if !ok {
		return fmt.Errorf("debian-binary version %q has no dot", DisplayString(v))
	}
	if major != "2" {
		return fmt.Errorf("archive format version %q not understood (only 2.x is)", DisplayString(v))
	}
	ar.version = v
	return nil
}

// tarMember reports whether name is prefix+extension with an extension
// out of allowed, and which compression it means.
func tarMember(name, prefix string, allowed ...Compression) (Compression, bool, error) {
	ext, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return "", false, nil
	}
	c, known := compressionForExt(ext)
	if known {
		for _, a := range allowed {
			if a == c {
				return c, true, nil
			}
		}
	}
	return "", true, fmt.Errorf("member %s uses an unknown compression", name)
}

var (
	controlCompressions = []Compression{None, Gzip, Xz, Zstd}
	dataCompressions    = []Compression{None, Gzip, Xz, Zstd, Bzip2, Lzma}
)

func (ar *ArchiveReader) readControl(skip bool) error {
	for {
		h, err := ar.nextMember()
		if err == io.EOF {
			return errors.New("archive has no control.tar member")
		}
		if err != nil {
			return err
		}
		if strings.HasPrefix(h.Name, "_") {
			continue
		}
		c, ok, err := tarMember(h.Name, "control.tar", controlCompressions...)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("member %s before control.tar", h.Name)
		}
		if h.Size > MaxControlSize {
			return fmt.Errorf("member %s too large (%d bytes, at most %d)", h.Name, h.Size, MaxControlSize)
		}
		ar.controlName, ar.controlSize = h.Name, h.Size
		if skip {
			return nil // the next member header skips it
		}
		ar.control, err = readControlArchive(ar.ar, c)
		if err != nil {
			return fmt.Errorf("%s: %w", h.Name, err)
		}
		return nil
	}
}

// Version returns the format version from debian-binary, such as "2.0".
func (ar *ArchiveReader) Version() string { return ar.version }

// Control returns the parsed control archive (nil from
// NewDataArchiveReader).
func (ar *ArchiveReader) Control() *ControlArchive { return ar.control }

// ControlMemberName returns the ar name of the control archive, such as
// "control.tar.xz".
func (ar *ArchiveReader) ControlMemberName() string { return ar.controlName }

// ControlSize returns the size in bytes of the control.tar member as
// stored (what dpkg-deb -I reports as "control archive").
func (ar *ArchiveReader) ControlSize() int64 { return ar.controlSize }

// DataMemberName returns the ar name of the data archive, such as
// "data.tar.xz", once Data or Signatures has reached it.
func (ar *ArchiveReader) DataMemberName() string { return ar.dataName }

// inlineDataSize bounds the data.tar members (as stored) that Data
// decompresses in the reader's goroutine: for a small package, handing
// buffers between two goroutines costs more than it gains (a repository
// add reads thousands).
const inlineDataSize = 64 << 10

// Data positions the reader on data.tar (skipping members whose name
// starts with '_') and returns a reader over its decompressed entries,
// each checked as EntryChecker describes. It may be called once. Unless
// the member is small or uncompressed, the decompressor runs a few
// buffers ahead in its own goroutine; Close (or Signatures) stops it and
// releases it, and must be called.
func (ar *ArchiveReader) Data() (*DataReader, error) {
	if ar.state != atControlEnd {
		return nil, errors.New("data.tar already read")
	}
	c, err := ar.findData()
	if err != nil {
		ar.state = atEnd
		return nil, err
	}
	// A small member decompresses in this goroutine and in Go (with a
	// pooled decoder, see smallDecompressor): starting the xz program
	// costs more than decoding a few KiB. An uncompressed one is read in
	// this goroutine too: a read-ahead would only copy it from one buffer
	// to another.
	inline := ar.dataSize <= inlineDataSize || c == None
	z, release, err := ar.decompressData(c, inline)
	if err != nil {
		ar.state = atEnd
		return nil, fmt.Errorf("%s: %w", ar.dataName, err)
	}
	if inline {
		ar.state, ar.release = inData, release
		ar.data = NewDataReader(tar.NewReader(z))
		ar.data.drain, ar.data.member = z, ar.dataName
		return ar.data, nil
	}
	if x, ok := z.(*xzProcess); ok {
		// The xz program decodes in a process of its own, up to the
		// pipe's megabyte ahead (see growPipe): a read-ahead goroutine
		// would only add a copy of every byte and a hand-over between
		// goroutines every buffer. A buffered reader takes the headers
		// and small files in few reads; a large file's reads go to the
		// pipe directly.
		br := pipeReaders.Get().(*bufio.Reader)
		br.Reset(x)
		ar.state, ar.release = inData, func() { br.Reset(nil); pipeReaders.Put(br); release() }
		ar.data = NewDataReader(tar.NewReader(br))
		ar.data.drain, ar.data.member = br, ar.dataName
		return ar.data, nil
	}
	ra := newReadAhead(z)
	ar.state, ar.release = inData, func() { ra.Close(); release() }
	ar.data = NewDataReader(tar.NewReader(ra))
	ar.data.drain, ar.data.member = ra, ar.dataName
	return ar.data, nil
}

// pipeReaders holds the buffered readers of the xz program's output
// (see Data), reused: each buffer is 64 pages to fault in.
var pipeReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readAheadSize) }}

// decompressData returns the decompressed data.tar member: in Go when
// inline, else with dataDecompressor; an xz member that ends the archive
// file goes to the xz program as its standard input itself (see
// arReader.memberFile), so that this process copies no compressed byte
// to it through a pipe.
func (ar *ArchiveReader) decompressData(c Compression, inline bool) (io.Reader, func(), error) {
	if inline {
		return smallDecompressor(c, ar.ar)
	}
	if xzByProgram(c) {
		if f := ar.ar.memberFile(); f != nil {
			defer f.Close() // xz has its own once started
			return dataDecompressor(c, f)
		}
	}
	return dataDecompressor(c, ar.ar)
}

// findData reads headers up to data.tar and returns its compression.
func (ar *ArchiveReader) findData() (Compression, error) {
	for {
		h, err := ar.nextMember()
		if err == io.EOF {
			return "", errors.New("archive has no data.tar member")
		}
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(h.Name, "_") {
			continue
		}
		if strings.HasPrefix(h.Name, "control.tar") {
			return "", errors.New("archive contains two control members")
		}
		c, ok, err := tarMember(h.Name, "data.tar", dataCompressions...)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("member %s before data.tar", h.Name)
		}
		ar.dataName, ar.dataSize = h.Name, h.Size
		return c, nil
	}
}

// Signatures reads the members after data.tar (skipping what was not read
// of data.tar) and returns those whose name starts with "_gpg" or "_aim"
// (see ValidSignatureName), as raw
// bytes in archive order. Other members after data.tar must start with
// '_' too. Signatures may be called more than once.
func (ar *ArchiveReader) Signatures() ([]Member, error) {
	switch ar.state {
	case atEnd:
		return ar.sigs, nil
	case atControlEnd:
		if _, err := ar.findData(); err != nil {
			return nil, err
		}
	case inData:
		ar.closeData()
	}
	ar.state = atEnd
	for {
		h, err := ar.nextMember()
		if err == io.EOF {
			return ar.sigs, nil
		}
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(h.Name, "_") {
			return nil, fmt.Errorf("member %s after data.tar", h.Name)
		}
		if _, ok := cutSignaturePrefix(h.Name); !ok {
			continue
		}
		if h.Size > MaxSignatureSize {
			return nil, fmt.Errorf("signature member %s too large (%d bytes)", h.Name, h.Size)
		}
		b, err := io.ReadAll(ar.ar)
		if err != nil {
			return nil, err
		}
		ar.sigs = append(ar.sigs, Member{Name: h.Name, Data: b})
	}
}

func (ar *ArchiveReader) closeData() {
	if ar.release != nil {
		ar.release()
		ar.release = nil
	}
	if ar.data != nil {
		ar.data.err = errors.New("data.tar reader closed")
	}
}

// Close releases the decompressor of data.tar, if any. It does not close
// the underlying reader.
func (ar *ArchiveReader) Close() error {
	ar.closeData()
	return nil
}
