package deb

import (
	"strings"
	"unicode/utf8"
)

// TextLines returns the lines of a multi-line field value as text: the
// first line as it is, then each continuation line without its leading
// blank, with the " ." placeholder turned into an empty line.
func TextLines(value string) []string {
	lines := strings.Split(value, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			l = l[1:]
		}
		if l == "." {
			l = ""
		}
		lines[i] = l
	}
	return lines
}

// FormatText turns a first line and a body of free text into a field
// value: each body line becomes a continuation line, and empty lines
// become " ." as deb822 requires. It is the inverse of TextLines.
func FormatText(first string, body []string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(first))
	for _, l := range body {
		l = strings.TrimRight(l, " \t\r")
		b.WriteString("\n ")
		if l == "" || l == "." {
			b.WriteByte('.')
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

// Synopsis returns the first line of a Description value; Extended
// returns the rest as text with lines joined by "\n".
func Synopsis(desc string) string {
	first, _, _ := strings.Cut(desc, "\n")
	return first
}

// Extended returns the extended part of a Description value as text.
func Extended(desc string) string {
	lines := TextLines(desc)
	return strings.Join(lines[1:], "\n")
}

// DisplayString returns s for display as UTF-8: valid UTF-8 is kept and
// each byte that is not part of valid UTF-8 (necessarily above 127) is
// replaced by '?', the maemo rule for control strings.
func DisplayString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte('?')
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
