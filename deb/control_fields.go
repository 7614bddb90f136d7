package deb

import "bytes"

// ParseParagraphFields parses only the named fields (compared without
// regard to case) of data, which holds one paragraph, and returns a
// paragraph of those that data has, in data's order. Wherever
// ParseParagraph accepts data, the fields returned are exactly the ones
// it would give, with the same values; the other fields are skipped
// without being checked, so a reader of many well-formed paragraphs (the
// package cache's) pays only for what it uses. Malformed wanted fields
// give ParseParagraph's error.
func ParseParagraphFields(data []byte, names ...string) (*Paragraph, error) {
	var frag []byte
	keep := false
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		switch {
		case len(bytes.TrimRight(line, "\r\n \t")) == 0:
			keep = false // outside any field: a blank line ends a paragraph
		case line[0] == ' ' || line[0] == '\t':
			// a continuation line belongs to the field before it
		default:
			keep = wantedField(line, names)
		}
		if keep {
			frag = append(frag, line...)
			if line[len(line)-1] != '\n' {
				frag = append(frag, '\n')
			}
		}
	}
	if len(frag) == 0 {
		return &Paragraph{}, nil
	}
	return ParseParagraph(frag)
}

// wantedField reports whether line starts a field whose name is one of names.
func wantedField(line []byte, names []string) bool {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return false
	}
	for _, n := range names {
		if len(n) == colon && bytes.EqualFold(line[:colon], []byte(n)) {
			return true
		}
	}
	return false
}
