package deb

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// FuzzParagraphReader checks that any input either parses or gives an
// error, and that what parses writes back to text that parses to the same
// paragraphs.
func FuzzParagraphReader(f *testing.F) {
	f.Add([]byte("Package: a\nDescription: x\n y\n .\n z\n\nPackage: b\n"), false)
	f.Add([]byte("# c\nTypes: deb\nURIs:\n http://a\n"), true)
	f.Add([]byte(" x\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, comments bool) {
		paras, err := readAll(data, comments)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteParagraphs(&out, paras); err != nil {
			t.Fatal(err)
		}
		again, err := readAll(out.Bytes(), false)
		if err != nil {
			t.Fatalf("written output does not parse: %v\n%q", err, out.String())
		}
		if len(again) != len(paras) {
			t.Fatalf("%d paragraphs became %d", len(paras), len(again))
		}
		for i := range paras {
			if a, b := paras[i].String(), again[i].String(); a != b {
				t.Fatalf("paragraph %d changed:\n%q\n%q", i, a, b)
			}
		}
	})
}

func readAll(data []byte, comments bool) ([]*Paragraph, error) {
	r := NewParagraphReader(bytes.NewReader(data))
	r.Comments = comments
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

// FuzzParseParagraphFields checks that wherever ParseParagraph accepts
// the input, ParseParagraphFields gives exactly its values of the fields
// asked for, and no others.
func FuzzParseParagraphFields(f *testing.F) {
	f.Add([]byte("Package: a\nDepends: b,\n c\nDescription: x\n y\n .\n z\n"), "depends")
	f.Add([]byte("\n\nPackage: a\r\nSize: 12  \r\n\n\n"), "Size")
	f.Add([]byte("A: 1\nB:\n 2\n\t3\n"), "b")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		full, err := ParseParagraph(data)
		if err != nil {
			return
		}
		names := []string{name, "Package", "Depends"}
		got, err := ParseParagraphFields(data, names...)
		if err != nil {
			t.Fatalf("full parse accepts %q, fields parse: %v", data, err)
		}
		n := 0
		for _, fl := range full.Fields {
			for _, want := range names {
				if strings.EqualFold(fl.Name, want) {
					n++
					if v, ok := got.Lookup(want); !ok || v != fl.Value {
						t.Fatalf("%s: %q, want %q", want, v, fl.Value)
					}
					break
				}
			}
		}
		if len(got.Fields) != n {
			t.Fatalf("%d fields, want %d: %+v", len(got.Fields), n, got.Fields)
		}
	})
}

// FuzzBytesParagraphReader checks that reading paragraphs from a byte
// slice (ParseParagraphs, ParseParagraph) gives exactly what the buffered
// reader gives: the same paragraphs, or the same error.
func FuzzBytesParagraphReader(f *testing.F) {
	f.Add([]byte("Package: a\nDescription: x\n y\n .\n z\n\nPackage: b\n"))
	f.Add([]byte("A: 1\r\n\r\n\r\nB: 2"))
	f.Add([]byte(" x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := readAll(data, false)
		got, gerr := ParseParagraphs(data)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Fatalf("error %v, buffered reader's %v", gerr, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("%d paragraphs, buffered reader's %d", len(got), len(want))
		}
		for i := range want {
			if got[i].String() != want[i].String() || got[i].Line != want[i].Line {
				t.Fatalf("paragraph %d: %q (line %d), buffered reader's %q (line %d)", i, got[i].String(), got[i].Line, want[i].String(), want[i].Line)
			}
		}
	})
}

// TestBytesParagraphReaderLongLine checks that a line longer than the
// paragraph limit is refused as the buffered reader refuses it.
func TestBytesParagraphReaderLongLine(t *testing.T) {
	data := []byte("Package: a\nDescription: " + strings.Repeat("x", DefaultMaxParagraphSize) + "\n")
	_, werr := readAll(data, false)
	_, gerr := ParseParagraphs(data)
	if werr == nil || fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("error %v, buffered reader's %v", gerr, werr)
	}
}
