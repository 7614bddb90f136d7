package deb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// DefaultMaxParagraphSize bounds the bytes of one paragraph a
// ParagraphReader accepts unless told otherwise.
const DefaultMaxParagraphSize = 16 << 20

// ParagraphReader reads deb822 paragraphs one at a time from a stream, as
// found in Packages, Sources, Release, status, control and .sources files.
//
// It keeps nothing but the paragraph being read, so files of any length can
// be read in bounded memory. The values of one paragraph share a single
// string allocation.
type ParagraphReader struct {
	br *bufio.Reader
	// src is the input not yet read when the reader reads a byte slice
	// (br is then nil): lines are sliced from it, not copied through a buffer.
	src []byte
	// Comments, when true, skips lines starting with '#' (as .sources and
	// debian/control files allow). When false such a line is an error, as
	// in Packages, Release and status files.
	Comments bool
	// MaxParagraphSize bounds the bytes of one paragraph; 0 means
	// DefaultMaxParagraphSize.
	MaxParagraphSize int

	line     int // lines read so far
	paraLine int // first line of the current paragraph
	buf      []byte
	spans    []span
	long     []byte
	err      error
}

// span locates a field's name and value inside the paragraph buffer.
type span struct{ nameEnd, nameStart, valStart, valEnd int }

// NewParagraphReader returns a reader of the paragraphs in r. A
// *bufio.Reader is used as it is; other readers get a 256 KiB buffer, or
// one the size of the data for a *bytes.Reader holding less.
func NewParagraphReader(r io.Reader) *ParagraphReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		size := 256 << 10
		if b, isBytes := r.(*bytes.Reader); isBytes && b.Len() < size {
			size = b.Len() + 1
		}
		br = bufio.NewReaderSize(r, size)
	}
	return &ParagraphReader{br: br}
}

// newBytesParagraphReader returns a reader of the paragraphs in data,
// reading exactly as NewParagraphReader(bytes.NewReader(data)) does.
func newBytesParagraphReader(data []byte) *ParagraphReader {
	return &ParagraphReader{src: data}
}

// Line returns the number of input lines read so far.
func (r *ParagraphReader) Line() int { return r.line }

// Next returns the next paragraph, or io.EOF when the input holds no more.
// Malformed input yields a *SyntaxError carrying the line number; after
// an error, Next keeps returning it.
func (r *ParagraphReader) Next() (*Paragraph, error) {
	if r.err != nil {
		return nil, r.err
	}
	p, err := r.next()
	if err != nil {
		r.err = err
	}
	return p, err
}

func (r *ParagraphReader) next() (*Paragraph, error) {
	r.buf = r.buf[:0]
	r.spans = r.spans[:0]
	limit := r.limit()
	for {
		line, err := r.readLine()
		if err == io.EOF {
			if len(r.spans) == 0 {
				return nil, io.EOF
			}
			return r.finish(), nil
		}
		if err != nil {
			return nil, err
		}
		if err := r.addLine(line); err != nil {
			return nil, err
		}
		if len(r.buf) > limit {
			return nil, &SyntaxError{Line: r.paraLine, Msg: fmt.Sprintf("paragraph larger than %d bytes", limit)}
		}
		if len(line) == 0 && len(r.spans) > 0 && isBlankLine(line) {
			return r.finish(), nil
		}
	}
}

// addLine takes one input line (without its newline and trailing blanks).
// An empty line after a paragraph's fields ends it; the caller checks.
func (r *ParagraphReader) addLine(line []byte) error {
	if len(line) == 0 {
		return nil
	}
	switch c := line[0]; {
	case c == ' ' || c == '\t':
		if len(r.spans) == 0 {
			return &SyntaxError{Line: r.line, Msg: "continuation line outside a field"}
		}
		r.buf = append(r.buf, '\n')
		r.buf = append(r.buf, line...)
		r.spans[len(r.spans)-1].valEnd = len(r.buf)
		return nil
	case c == '#' && r.Comments:
		return nil
	}
	return r.addField(line)
}

func (r *ParagraphReader) addField(line []byte) error {
	switch line[0] {
	case '#':
		return &SyntaxError{Line: r.line, Msg: "line starts with '#': comments are not allowed here"}
	case '-':
		return &SyntaxError{Line: r.line, Msg: fmt.Sprintf("line starts with '-': %q (clear-signed data must be verified and unwrapped first)", truncate(line))}
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return &SyntaxError{Line: r.line, Msg: fmt.Sprintf("missing colon in line %q", truncate(line))}
	}
	name := line[:colon]
	if err := checkFieldName(name); err != "" {
		return &SyntaxError{Line: r.line, Msg: err}
	}
	if len(r.spans) == 0 {
		r.paraLine = r.line
	} else if r.duplicate(name) {
		return &SyntaxError{Line: r.line, Msg: fmt.Sprintf("duplicate field %q", name)}
	}
	v := colon + 1
	for v < len(line) && (line[v] == ' ' || line[v] == '\t') {
		v++
	}
	if len(r.buf) > 0 {
		r.buf = append(r.buf, '\n')
	}
	start := len(r.buf)
	r.buf = append(r.buf, line...)
	r.spans = append(r.spans, span{nameStart: start, nameEnd: start + colon, valStart: start + v, valEnd: len(r.buf)})
	return nil
}

func (r *ParagraphReader) duplicate(name []byte) bool {
	for _, s := range r.spans {
		if s.nameEnd-s.nameStart == len(name) && bytes.EqualFold(r.buf[s.nameStart:s.nameEnd], name) {
			return true
		}
	}
	return false
}

// finish turns the buffered lines into a Paragraph with one allocation for
// all its text.
func (r *ParagraphReader) finish() *Paragraph {
	s := string(r.buf)
	p := &Paragraph{Fields: make([]Field, len(r.spans)), Line: r.paraLine}
	for i, sp := range r.spans {
		p.Fields[i] = Field{Name: s[sp.nameStart:sp.nameEnd], Value: s[sp.valStart:sp.valEnd]}
	}
	return p
}

func (r *ParagraphReader) limit() int {
	if r.MaxParagraphSize <= 0 {
		return DefaultMaxParagraphSize
	}
	return r.MaxParagraphSize
}

// readLine returns the next line without its line ending and trailing
// blanks. The slice is valid until the next call.
func (r *ParagraphReader) readLine() ([]byte, error) {
	var line []byte
	var err error
	if r.br == nil {
		if line, err = r.sliceLine(); err != nil && err != io.EOF {
			return nil, err
		}
	} else {
		line, err = r.br.ReadSlice('\n')
	}
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
			if len(r.long) > r.limit() {
				return nil, &SyntaxError{Line: r.line + 1, Msg: "line too long"}
			}
		}
		line = r.long
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("line %d: %w", r.line+1, err)
	}
	if len(line) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	r.line++
	end := len(line)
	for end > 0 && (line[end-1] == '\n' || line[end-1] == '\r' || line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	return line[:end], nil
}

// sliceLine is ReadSlice('\n') for a reader of a byte slice, whose
// buffer never fills: the next line with its newline, or the rest and
// io.EOF.
func (r *ParagraphReader) sliceLine() ([]byte, error) {
	line, err := r.src, io.EOF
	if i := bytes.IndexByte(r.src, '\n'); i >= 0 {
		line, err = r.src[:i+1], nil
	}
	if len(line) > r.limit() { // as the buffered reader finds a line longer than its buffer
		return nil, &SyntaxError{Line: r.line + 1, Msg: "line too long"}
	}
	r.src = r.src[len(line):]
	return line, err
}

// isBlankLine is true for the (already right-trimmed) empty line.
func isBlankLine(line []byte) bool { return len(line) == 0 }

// checkFieldName returns why name is not a valid deb822 field name, or "".
func checkFieldName(name []byte) string {
	if len(name) == 0 {
		return "empty field name"
	}
	if name[0] == '-' || name[0] == '#' {
		return fmt.Sprintf("field name %q starts with %q", name, name[0])
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return fmt.Sprintf("invalid character %q in field name %q", c, truncate(name))
		}
	}
	return ""
}

func truncate(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}
