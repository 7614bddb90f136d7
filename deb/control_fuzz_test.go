package deb

import (
	"bytes"
	"io"
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
