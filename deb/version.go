package deb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is a Debian package version, [epoch:]upstream[-revision], as dpkg
// 1.21 parses it (lib/dpkg/parsehelp.c parseversion).
//
// The zero Version is dpkg's blank version: it is what an empty or missing
// version field means, String returns "" for it, and it sorts before every
// other version. ParseVersion never returns it without an error, because a
// parsed Upstream is never empty.
type Version struct {
	// Epoch is the number before the first colon; 0 when there is none.
	Epoch uint32
	// Upstream is the text between the epoch colon and the last hyphen.
	Upstream string
	// Revision is the text after the last hyphen; "" when there is none.
	Revision string
}

// maxEpoch is INT_MAX, the largest epoch dpkg accepts.
const maxEpoch = 1<<31 - 1

// The messages of VersionError, word for word as dpkg prints them.
const (
	msgVersionEmpty    = "version string is empty"
	msgEmbeddedSpaces  = "version string has embedded spaces"
	msgEpochEmpty      = "epoch in version is empty"
	msgEpochNotNumber  = "epoch in version is not number"
	msgEpochNegative   = "epoch in version is negative"
	msgEpochTooBig     = "epoch in version is too big"
	msgNothingAfter    = "nothing after colon in version number"
	msgRevisionEmpty   = "revision number is empty"
	msgUpstreamEmpty   = "version number is empty"
	msgNoLeadingDigit  = "version number does not start with digit"
	msgBadUpstreamChar = "invalid character in version number"
	msgBadRevisionChar = "invalid character in revision number"
)

// VersionError is a version string that dpkg rejects. Msg is dpkg's own
// message (e.g. "epoch in version is not number"), so a front end can print
// it the way dpkg does.
type VersionError struct {
	Version string // the text as given
	Msg     string
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("parse version %q: %s", e.Version, e.Msg)
}

// VersionWarning is a version string that dpkg accepts with a warning: the
// upstream part does not start with a digit, or a part holds a character
// the format does not allow. ParseVersion returns the fully parsed Version
// together with a *VersionWarning, so a caller can report it with
// errors.As and go on with the version. Msg is dpkg's message for the first
// problem found.
type VersionWarning struct {
	Version string // the text as given
	Msg     string
}

func (w *VersionWarning) Error() string {
	return fmt.Sprintf("parse version %q: %s", w.Version, w.Msg)
}

// ParseVersion parses s exactly as dpkg does: blanks (space, tab) around it
// are trimmed, the epoch is read like C's strtol up to the first colon, and
// the revision is what follows the last hyphen.
//
// When dpkg would fail, ParseVersion returns the zero Version and a
// *VersionError. When dpkg would only warn, it returns the parsed Version
// and a *VersionWarning; use ParseVersionLax to accept those silently and
// ParseVersionStrict to reject them. ParseVersion does not allocate unless
// it returns an error.
func ParseVersion(s string) (Version, error) {
	v, msg, warn := parseVersion(s)
	switch {
	case msg == "":
		return v, nil
	case warn:
		return v, &VersionWarning{Version: s, Msg: msg}
	default:
		return Version{}, &VersionError{Version: s, Msg: msg}
	}
}

// ParseVersionLax is ParseVersion with warnings ignored: it fails only
// where dpkg fails. This is how dpkg reads versions from its own database
// and how relation fields are read here.
func ParseVersionLax(s string) (Version, error) {
	v, msg, warn := parseVersion(s)
	if msg != "" && !warn {
		return Version{}, &VersionError{Version: s, Msg: msg}
	}
	return v, nil
}

// ParseVersionStrict is ParseVersion with warnings turned into failures: it
// returns the zero Version and the *VersionWarning as the error.
func ParseVersionStrict(s string) (Version, error) {
	v, err := ParseVersion(s)
	if err != nil {
		return Version{}, err
	}
	return v, nil
}

// IsVersionWarning reports whether err is, or wraps, a *VersionWarning.
func IsVersionWarning(err error) bool {
	var w *VersionWarning
	return errors.As(err, &w)
}

// parseVersion returns the version, dpkg's message for the first problem
// ("" when none) and whether that problem is only a warning.
func parseVersion(s string) (v Version, msg string, warn bool) {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return v, msgVersionEmpty, false
	}
	end := strings.IndexAny(s, " \t")
	if end < 0 {
		end = len(s)
	} else if strings.TrimLeft(s[end:], " \t") != "" {
		return v, msgEmbeddedSpaces, false
	}
	rest := s[:end]
	if colon := strings.IndexByte(s, ':'); colon >= 0 {
		epoch, m := parseEpoch(s, colon)
		if m != "" {
			return v, m, false
		}
		v.Epoch = epoch
		rest = s[colon+1 : end] // colon < end: there are no colons among trailing blanks
	}
	if h := strings.LastIndexByte(rest, '-'); h >= 0 {
		v.Upstream, v.Revision = rest[:h], rest[h+1:]
		if v.Revision == "" {
			return Version{}, msgRevisionEmpty, false
		}
	} else {
		v.Upstream = rest
	}
	if v.Upstream == "" {
		return Version{}, msgUpstreamEmpty, false
	}
	return v, versionWarning(v), true
}

// parseEpoch reads the epoch of s, whose first colon is at colon, the way
// dpkg does with strtol: leading white space and a sign are accepted, and
// the digits must end exactly at the colon.
func parseEpoch(s string, colon int) (uint32, string) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var n uint64
	for ; i < len(s) && isDigit(s[i]); i++ {
		if n <= maxEpoch {
			n = n*10 + uint64(s[i]-'0')
		}
	}
	switch {
	case i == start:
		return 0, msgEpochEmpty
	case i != colon:
		return 0, msgEpochNotNumber
	case neg && n != 0:
		return 0, msgEpochNegative
	case n > maxEpoch:
		return 0, msgEpochTooBig
	case colon+1 == len(s):
		return 0, msgNothingAfter
	}
	return uint32(n), ""
}

// versionWarning returns dpkg's warning for v, or "" when v is clean.
func versionWarning(v Version) string {
	if !isDigit(v.Upstream[0]) {
		return msgNoLeadingDigit
	}
	for i := 1; i < len(v.Upstream); i++ {
		if c := v.Upstream[i]; !isAlnum(c) && strings.IndexByte(".-+~:", c) < 0 {
			return msgBadUpstreamChar
		}
	}
	for i := 0; i < len(v.Revision); i++ {
		if c := v.Revision[i]; !isAlnum(c) && strings.IndexByte(".+~", c) < 0 {
			return msgBadRevisionChar
		}
	}
	return ""
}

// String returns the version as dpkg writes it: the epoch is shown when it
// is not 0 or when a colon in the rest would otherwise be read as one. For
// every Version v that ParseVersion returns, ParseVersion(v.String())
// returns v again.
func (v Version) String() string {
	var b strings.Builder
	b.Grow(len(v.Upstream) + len(v.Revision) + 12)
	if v.Epoch != 0 || strings.IndexByte(v.Upstream, ':') >= 0 || strings.IndexByte(v.Revision, ':') >= 0 {
		b.WriteString(strconv.FormatUint(uint64(v.Epoch), 10))
		b.WriteByte(':')
	}
	b.WriteString(v.Upstream)
	if v.Revision != "" {
		b.WriteByte('-')
		b.WriteString(v.Revision)
	}
	return b.String()
}

// MarshalText returns v.String(), so that v is a string in JSON.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText parses text with ParseVersionLax; empty text gives the
// blank version.
func (v *Version) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*v = Version{}
		return nil
	}
	p, err := ParseVersionLax(string(text))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// IsZero reports whether v is the blank version, which dpkg calls not
// informative.
func (v Version) IsZero() bool {
	return v.Epoch == 0 && v.Upstream == "" && v.Revision == ""
}

// Compare returns -1, 0 or +1 as v sorts before, the same as, or after w.
func (v Version) Compare(w Version) int { return CompareVersions(v, w) }

// CompareVersions returns -1, 0 or +1 as a sorts before, the same as, or
// after b in dpkg's order: epochs numerically, then the upstream parts, then
// the revisions, each with dpkg's verrevcmp. It does not allocate.
//
// The blank (zero) Version sorts before every other version, as
// dpkg --compare-versions puts an empty version before "0~" (libdpkg's own
// dpkg_version_compare would find it equal to "0" and after "0~").
func CompareVersions(a, b Version) int {
	if a.Upstream == "" || b.Upstream == "" {
		if c, ok := compareBlank(a, b); ok {
			return c
		}
	}
	switch {
	case a.Epoch < b.Epoch:
		return -1
	case a.Epoch > b.Epoch:
		return 1
	}
	if c := verrevcmp(a.Upstream, b.Upstream); c != 0 {
		return c
	}
	return verrevcmp(a.Revision, b.Revision)
}

// compareBlank orders a and b when either is blank; ok is false when
// neither is.
func compareBlank(a, b Version) (c int, ok bool) {
	za, zb := a.IsZero(), b.IsZero()
	switch {
	case za && zb:
		return 0, true
	case za:
		return -1, true
	case zb:
		return 1, true
	}
	return 0, false
}

// verrevcmp compares two version parts as dpkg does: alternately a run of
// non-digits, compared by order, and a run of digits, compared numerically.
func verrevcmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := orderAt(a, i), orderAt(b, j)
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		firstDiff := 0
		for i < len(a) && j < len(b) && isDigit(a[i]) && isDigit(b[j]) {
			if firstDiff == 0 {
				firstDiff = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if firstDiff != 0 {
			return sign(firstDiff)
		}
	}
	return 0
}

// orderAt is dpkg's order() of s[i], with the end of s as 0.
func orderAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	return int(orderTable[s[i]])
}

// orderTable holds dpkg's order(): digits 0, ASCII letters their value, '~'
// -1 and any other byte c+256, where bytes above 127 are a signed char on
// the platforms Debian builds dpkg for most (amd64), so they count as c.
var orderTable = func() (t [256]int16) {
	for c := range 256 {
		switch {
		case isDigit(byte(c)):
			t[c] = 0
		case isAlpha(byte(c)):
			t[c] = int16(c)
		case c == '~':
			t[c] = -1
		default:
			t[c] = int16(int8(c)) + 256
		}
	}
	return t
}()

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }
