package deb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Field is one field of a deb822 paragraph.
//
// Name keeps the spelling it had in the input. Value is the field's text
// without the name and colon: the first line with surrounding blanks
// removed, then each continuation line appended as "\n" followed by the
// line exactly as written (its leading space or tab kept, trailing blanks
// removed). A value whose first line is empty starts with "\n".
type Field struct {
	Name  string
	Value string
}

// Paragraph is an ordered list of fields. Field names are unique within a
// paragraph when compared without regard to case.
type Paragraph struct {
	Fields []Field
	// Line is the line number (1-based) of the paragraph's first field in
	// its input, or 0 for a paragraph built in memory.
	Line int
}

// Lookup returns the value of the field called name (compared without
// regard to case) and whether it exists.
func (p *Paragraph) Lookup(name string) (string, bool) {
	if i := p.index(name); i >= 0 {
		return p.Fields[i].Value, true
	}
	return "", false
}

// Get returns the value of the field called name, or "" when it is absent.
func (p *Paragraph) Get(name string) string {
	v, _ := p.Lookup(name)
	return v
}

// Has reports whether the paragraph has a field called name.
func (p *Paragraph) Has(name string) bool { return p.index(name) >= 0 }

// Set gives the field called name the value value. An existing field keeps
// its position and its original spelling; a new one is appended.
func (p *Paragraph) Set(name, value string) {
	if i := p.index(name); i >= 0 {
		p.Fields[i].Value = value
		return
	}
	p.Fields = append(p.Fields, Field{Name: name, Value: value})
}

// Delete removes the field called name, if present, keeping the order of
// the others.
func (p *Paragraph) Delete(name string) {
	if i := p.index(name); i >= 0 {
		p.Fields = append(p.Fields[:i], p.Fields[i+1:]...)
	}
}

// Clone returns a copy of p whose field list can be changed independently.
func (p *Paragraph) Clone() *Paragraph {
	return &Paragraph{Fields: append([]Field(nil), p.Fields...), Line: p.Line}
}

func (p *Paragraph) index(name string) int {
	for i := range p.Fields {
		if n := p.Fields[i].Name; len(n) == len(name) && (n == name || strings.EqualFold(n, name)) {
			return i
		}
	}
	return -1
}

// WriteTo writes the paragraph in deb822 form, one field after the other
// in order, without a trailing blank line. Values are written so that the
// result always parses back: a continuation line that lacks its leading
// blank gets one, and an empty continuation line is written as " .".
func (p *Paragraph) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	p.appendTo(&b)
	return b.WriteTo(w)
}

// AppendText appends the paragraph as WriteTo writes it to b and returns
// the extended slice.
func (p *Paragraph) AppendText(b []byte) []byte {
	buf := bytes.NewBuffer(b)
	p.appendTo(buf)
	return buf.Bytes()
}

// String returns the paragraph as WriteTo writes it.
func (p *Paragraph) String() string {
	var b bytes.Buffer
	p.appendTo(&b)
	return b.String()
}

func (p *Paragraph) appendTo(b *bytes.Buffer) {
	for _, f := range p.Fields {
		b.WriteString(f.Name)
		b.WriteByte(':')
		first, rest, multi := strings.Cut(f.Value, "\n")
		if first = strings.Trim(first, " \t\r"); first != "" {
			b.WriteByte(' ')
			b.WriteString(first)
		}
		b.WriteByte('\n')
		for multi {
			var line string
			line, rest, multi = strings.Cut(rest, "\n")
			line = strings.TrimRight(line, " \t\r")
			switch {
			case strings.Trim(line, " \t\r") == "":
				b.WriteString(" .")
			case line[0] != ' ' && line[0] != '\t':
				b.WriteByte(' ')
				b.WriteString(line)
			default:
				b.WriteString(line)
			}
			b.WriteByte('\n')
		}
	}
}

// WriteParagraphs writes paras separated by blank lines, as in a Packages
// or status file.
func WriteParagraphs(w io.Writer, paras []*Paragraph) error {
	var b bytes.Buffer
	for i, p := range paras {
		if i > 0 {
			b.WriteByte('\n')
		}
		p.appendTo(&b)
		if b.Len() > 1<<16 {
			if _, err := b.WriteTo(w); err != nil {
				return err
			}
		}
	}
	_, err := b.WriteTo(w)
	return err
}

// SyntaxError reports malformed control data at a line of the input.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ErrMultipleParagraphs is returned by ParseParagraph for input holding
// more than one paragraph.
var ErrMultipleParagraphs = errors.New("more than one paragraph")

// ParseParagraph parses data that holds exactly one paragraph (blank lines
// around it are allowed), such as a binary package's control file.
func ParseParagraph(data []byte) (*Paragraph, error) {
	r := newBytesParagraphReader(data)
	p, err := r.Next()
	if err == io.EOF {
		return nil, &SyntaxError{Line: r.line, Msg: "no paragraph"}
	}
	if err != nil {
		return nil, err
	}
	if _, err := r.Next(); err != io.EOF {
		if err == nil {
			return nil, &SyntaxError{Line: r.paraLine, Msg: ErrMultipleParagraphs.Error()}
		}
		return nil, err
	}
	return p, nil
}

// ParseParagraphs parses every paragraph of data.
func ParseParagraphs(data []byte) ([]*Paragraph, error) {
	r := newBytesParagraphReader(data)
	var out []*Paragraph
	for {
		p, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
}
