package installfile

// This file is a GLib key file (GKeyFile) reader and writer: the format of
// single-click .install files and of .desktop entries.

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxKeyFileSize bounds the key files ParseKeyFile reads.
const MaxKeyFileSize = 1 << 20

// ErrKeyNotFound reports a key, or its group, that a key file lacks.
var ErrKeyNotFound = errors.New("key not found")

// KeyFileError is a line of a key file that GKeyFile would refuse, or a
// value that is not valid.
type KeyFileError struct {
	Line int // 1-based; 0 when the error is not about one line
	Msg  string
}

func (e *KeyFileError) Error() string {
	if e.Line == 0 {
		return "key file: " + e.Msg
	}
	return fmt.Sprintf("key file:%d: %s", e.Line, e.Msg)
}

// KeyFile is a parsed GLib key file: groups in the order they first
// appear, each with its keys in the order they first appear and their raw
// (still escaped) values. As with GKeyFile, a group that appears twice is
// one group, a key that appears twice keeps its last value, and names are
// case-sensitive. Comments are not kept. The zero value is an empty key
// file ready for use.
type KeyFile struct {
	groups []*keyFileGroup
}

type keyFileGroup struct {
	name string
	keys []string
	vals map[string]string
}

// ParseKeyFile parses data with GKeyFile's rules: lines are "[group]"
// headers (whitespace allowed after "]"), "key=value" pairs (whitespace
// around "=" ignored, a key may carry a locale, "key[de_DE]"), and blank
// or "#" comment lines; leading whitespace of a line is ignored and so are
// trailing carriage returns. A pair before the first group, an invalid
// group or key name, any other line, invalid UTF-8, a NUL byte and data
// over MaxKeyFileSize are errors (*KeyFileError). Values are kept as
// written; String and StringList unescape them.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	if len(data) > MaxKeyFileSize {
		return nil, &KeyFileError{Msg: fmt.Sprintf("larger than %d bytes", MaxKeyFileSize)}
	}
	kf := &KeyFile{}
	var cur *keyFileGroup
	for n, line := range bytes.Split(data, []byte("\n")) {
		if err := checkKeyFileText(line); err != nil {
			return nil, &KeyFileError{Line: n + 1, Msg: err.Error()}
		}
		l := strings.TrimRight(strings.TrimLeft(string(line), " \t\v\f\r"), "\r")
		switch {
		case l == "" || l[0] == '#':
		case l[0] == '[':
			name, err := parseGroupLine(l)
			if err != nil {
				return nil, &KeyFileError{Line: n + 1, Msg: err.Error()}
			}
			cur = kf.group(name, true)
		default:
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				return nil, &KeyFileError{Line: n + 1, Msg: fmt.Sprintf("%q is not a key-value pair, group or comment", l)}
			}
			k = strings.TrimRight(k, " \t\v\f\r")
			if !ValidKeyName(k) {
				return nil, &KeyFileError{Line: n + 1, Msg: fmt.Sprintf("invalid key name %q", k)}
			}
			if cur == nil {
				return nil, &KeyFileError{Line: n + 1, Msg: "key file does not start with a group"}
			}
			cur.set(k, strings.TrimLeft(v, " \t\v\f\r"))
		}
	}
	return kf, nil
}

// checkKeyFileText refuses invalid UTF-8 and NUL bytes.
func checkKeyFileText(line []byte) error {
	if !utf8.Valid(line) {
		return errors.New("invalid UTF-8")
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return errors.New("NUL byte")
	}
	return nil
}

// parseGroupLine returns the name of a "[name]" line.
func parseGroupLine(l string) (string, error) {
	end := strings.IndexByte(l, ']')
	if end < 0 || strings.Trim(l[end+1:], " \t") != "" {
		return "", fmt.Errorf("%q is not a group header", l)
	}
	name := l[1:end]
	if !ValidGroupName(name) {
		return "", fmt.Errorf("invalid group name %q", name)
	}
	return name, nil
}

// ValidGroupName reports whether GKeyFile accepts name as a group name:
// not empty, without "[", "]" or control characters.
func ValidGroupName(name string) bool {
	return name != "" && utf8.ValidString(name) && !strings.ContainsFunc(name, func(r rune) bool {
		return r == '[' || r == ']' || r < 0x20 || r == 0x7f
	})
}

// ValidKeyName reports whether GKeyFile accepts name as a key: not empty,
// no "=", "[" or "]" except one final "[locale]" of letters, digits and
// "-_.@", no leading or trailing space, no control characters or newline.
func ValidKeyName(name string) bool {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	base, loc, hasLoc := strings.Cut(name, "[")
	if base == "" || strings.ContainsAny(base, "=]") || base[0] == ' ' || base[len(base)-1] == ' ' {
		return false
	}
	if !hasLoc {
		return true
	}
	loc, ok := strings.CutSuffix(loc, "]")
	return ok && validLocaleName(loc)
}

func validLocaleName(loc string) bool {
	for _, r := range loc {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.@", r) {
			return false
		}
	}
	return true
}

// group returns the group called name, adding it when add is set.
func (kf *KeyFile) group(name string, add bool) *keyFileGroup {
	for _, g := range kf.groups {
		if g.name == name {
			return g
		}
	}
	if !add {
		return nil
	}
	g := &keyFileGroup{name: name, vals: map[string]string{}}
	kf.groups = append(kf.groups, g)
	return g
}

func (g *keyFileGroup) set(key, raw string) {
	if _, ok := g.vals[key]; !ok {
		g.keys = append(g.keys, key)
	}
	g.vals[key] = raw
}

// Groups returns the group names in order.
func (kf *KeyFile) Groups() []string {
	out := make([]string, len(kf.groups))
	for i, g := range kf.groups {
		out[i] = g.name
	}
	return out
}

// HasGroup reports whether the key file has the group.
func (kf *KeyFile) HasGroup(group string) bool { return kf.group(group, false) != nil }

// Keys returns the keys of group in order (localised ones included, as
// "name[de]"); nil when there is no such group.
func (kf *KeyFile) Keys(group string) []string {
	if g := kf.group(group, false); g != nil {
		return slices.Clone(g.keys)
	}
	return nil
}

// Value returns the raw value of key in group, as written after "=".
func (kf *KeyFile) Value(group, key string) (string, bool) {
	g := kf.group(group, false)
	if g == nil {
		return "", false
	}
	v, ok := g.vals[key]
	return v, ok
}

// String returns the value of key in group with GKeyFile's escapes
// undone (\s \n \t \r \\). An unknown escape or a final "\" is an error,
// and so is a missing key (wrapping ErrKeyNotFound).
func (kf *KeyFile) String(group, key string) (string, error) {
	raw, ok := kf.Value(group, key)
	if !ok {
		return "", fmt.Errorf("[%s] %s: %w", group, key, ErrKeyNotFound)
	}
	out, err := unescapeKeyFileValue(raw, false)
	if err != nil {
		return "", fmt.Errorf("[%s] %s: %w", group, key, err)
	}
	return out[0], nil
}

// StringList returns the value of key in group split at ";" (an escaped
// "\;" is kept in the element), each element unescaped as String does. A
// final ";" ends the last element rather than starting an empty one, so
// "a;b;" and "a;b" are both [a b] and "" is an empty list. Elements are
// not trimmed.
func (kf *KeyFile) StringList(group, key string) ([]string, error) {
	raw, ok := kf.Value(group, key)
	if !ok {
		return nil, fmt.Errorf("[%s] %s: %w", group, key, ErrKeyNotFound)
	}
	out, err := unescapeKeyFileValue(raw, true)
	if err != nil {
		return nil, fmt.Errorf("[%s] %s: %w", group, key, err)
	}
	return out, nil
}

// LocaleString returns the value of key in group for the first of locales
// that has one ("key[de_DE]"), else the unlocalised value. Give locales
// best first, with their fallbacks (see LocaleVariants and UserLocales).
func (kf *KeyFile) LocaleString(group, key string, locales []string) (string, error) {
	for _, loc := range locales {
		if _, ok := kf.Value(group, key+"["+loc+"]"); ok {
			return kf.String(group, key+"["+loc+"]")
		}
	}
	return kf.String(group, key)
}

// unescapeKeyFileValue undoes GKeyFile's escapes. With list set it splits
// at unescaped ";" and accepts "\;"; it always returns at least one
// element when list is false.
func unescapeKeyFileValue(raw string, list bool) ([]string, error) {
	var out []string
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == ';' && list:
			out = append(out, b.String())
			b.Reset()
			continue
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		if i++; i == len(raw) {
			return nil, errors.New("escape character at end of line")
		}
		switch raw[i] {
		case 's':
			b.WriteByte(' ')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		case ';':
			if !list {
				return nil, errors.New(`invalid escape sequence "\;" outside a list`)
			}
			b.WriteByte(';')
		default:
			r, _ := utf8.DecodeRuneInString(raw[i:])
			return nil, fmt.Errorf("invalid escape sequence \"\\%c\"", r)
		}
	}
	if !list || b.Len() > 0 {
		out = append(out, b.String())
	}
	if list && out == nil {
		out = []string{}
	}
	return out, nil
}

// SetValue sets the raw (already escaped) value of key in group, adding
// the group and the key at the end when new. It refuses invalid names and
// a key starting with "#" (it would read as a comment), and a raw value
// that would not read back as given: invalid UTF-8, a
// newline, a NUL byte, leading whitespace or a trailing carriage return.
func (kf *KeyFile) SetValue(group, key, raw string) error {
	switch {
	case !ValidGroupName(group):
		return &KeyFileError{Msg: fmt.Sprintf("invalid group name %q", group)}
	case !ValidKeyName(key) || key[0] == '#':
		return &KeyFileError{Msg: fmt.Sprintf("invalid key name %q", key)}
	case !utf8.ValidString(raw) || strings.ContainsAny(raw, "\n\x00") || strings.HasSuffix(raw, "\r") ||
		raw != strings.TrimLeft(raw, " \t\v\f\r"):
		return &KeyFileError{Msg: fmt.Sprintf("[%s] %s: raw value %q cannot be written", group, key, raw)}
	}
	kf.group(group, true).set(key, raw)
	return nil
}

// SetString sets key in group to value, escaped as g_key_file_set_string
// does: "\\", newline, tab and carriage return always, and a leading
// space as "\s". Invalid UTF-8 is refused.
func (kf *KeyFile) SetString(group, key, value string) error {
	if !utf8.ValidString(value) {
		return &KeyFileError{Msg: fmt.Sprintf("[%s] %s: value is not UTF-8", group, key)}
	}
	return kf.SetValue(group, key, escapeKeyFileValue(value, false))
}

// SetStringList sets key in group to the list values, each escaped as
// SetString does and its ";" as "\;", each followed by ";" as
// g_key_file_set_string_list writes lists.
func (kf *KeyFile) SetStringList(group, key string, values []string) error {
	var b strings.Builder
	for _, v := range values {
		if !utf8.ValidString(v) {
			return &KeyFileError{Msg: fmt.Sprintf("[%s] %s: value is not UTF-8", group, key)}
		}
		b.WriteString(escapeKeyFileValue(v, true))
		b.WriteByte(';')
	}
	return kf.SetValue(group, key, b.String())
}

var (
	keyFileEscaper     = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	keyFileListEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`, ";", `\;`)
)

func escapeKeyFileValue(v string, list bool) string {
	if list {
		v = keyFileListEscaper.Replace(v)
	} else {
		v = keyFileEscaper.Replace(v)
	}
	if strings.HasPrefix(v, " ") {
		v = `\s` + v[1:]
	}
	return v
}

// Bytes returns the key file as text: each group as a "[name]" line and
// its "key=value" lines (raw values as set), a blank line between groups.
// ParseKeyFile reads it back to the same groups, keys and values.
func (kf *KeyFile) Bytes() []byte {
	var b bytes.Buffer
	for i, g := range kf.groups {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s]\n", g.name)
		for _, k := range g.keys {
			fmt.Fprintf(&b, "%s=%s\n", k, g.vals[k])
		}
	}
	return b.Bytes()
}
