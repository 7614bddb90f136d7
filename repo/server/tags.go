package server

import (
	"fmt"
	"slices"
	"strings"
)

// Tag is one tag of a package or a device: a name of lowercase letters,
// digits and "_", and an optional version of the same characters and ".",
// kept as its dot-separated parts.
type Tag struct {
	Name    string
	Version []string
}

// String returns the tag as written: "name" or "name:version".
func (t Tag) String() string {
	if len(t.Version) == 0 {
		return t.Name
	}
	return t.Name + ":" + strings.Join(t.Version, ".")
}

// TagError names a malformed tag.
type TagError struct {
	Tag string
	Why string
}

func (e *TagError) Error() string { return fmt.Sprintf("malformed tag %q: %s", e.Tag, e.Why) }

// maxTags bounds how many tags one list may hold (before simplifying).
const maxTags = 256

// ParseTag reads one tag. Uppercase letters are lowered; anything else
// outside [a-z0-9_] in the name, or [a-z0-9_.] in the version, an empty
// name, version or version part, is a *TagError naming the tag.
func ParseTag(s string) (Tag, error) {
	raw := s
	s = strings.ToLower(strings.TrimSpace(s))
	name, version, versioned := strings.Cut(s, ":")
	if name == "" {
		return Tag{}, &TagError{raw, "empty name"}
	}
	if !tagWord(name, false) {
		return Tag{}, &TagError{raw, "a name has only letters, digits and _"}
	}
	t := Tag{Name: name}
	if !versioned {
		return t, nil
	}
	if !tagWord(version, true) {
		return Tag{}, &TagError{raw, "a version has only letters, digits, _ and ."}
	}
	t.Version = strings.Split(version, ".")
	if slices.Contains(t.Version, "") {
		return Tag{}, &TagError{raw, "empty version part"}
	}
	return t, nil
}

func tagWord(s string, dots bool) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || dots && c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// ParseTags reads a comma-separated tag list (empty items are skipped)
// and returns it simplified (see SimplifyTags).
func ParseTags(s string) ([]Tag, error) {
	var tags []Tag
	for item := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		t, err := ParseTag(item)
		if err != nil {
			return nil, err
		}
		if len(tags) == maxTags {
			return nil, &TagError{item, fmt.Sprintf("more than %d tags", maxTags)}
		}
		tags = append(tags, t)
	}
	return SimplifyTags(tags), nil
}

// Matches reports whether the requested tag r matches the tag t: the
// names are equal and r has no version, t has no version, or r's version
// parts are a prefix of t's. So "qt:5.12" matches "qt:5.12.0" but not the
// other way round, and "qt:5.1" does not match "qt:5.12".
func (r Tag) Matches(t Tag) bool {
	if r.Name != t.Name {
		return false
	}
	if len(r.Version) == 0 || len(t.Version) == 0 {
		return true
	}
	return len(r.Version) <= len(t.Version) && slices.Equal(r.Version, t.Version[:len(r.Version)])
}

// SimplifyTags drops every tag another tag of the list matches and is
// more general than ("qt:5.12,qt:5.12.0" becomes "qt:5.12"; "qt" absorbs
// every "qt:..."), and duplicates. The result is sorted, so it is the same
// whatever the order of tags.
func SimplifyTags(tags []Tag) []Tag {
	var out []Tag
	for i, t := range tags {
		if !absorbed(tags, i, t) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Tag) int { return strings.Compare(a.String(), b.String()) })
	return slices.CompactFunc(out, func(a, b Tag) bool { return a.String() == b.String() })
}

// absorbed reports whether some other tag of tags is more general than
// tags[i]: a shorter version that is its prefix (or no version at all).
func absorbed(tags []Tag, i int, t Tag) bool {
	for j, o := range tags {
		if j == i || o.Name != t.Name {
			continue
		}
		if len(o.Version) < len(t.Version) && (len(o.Version) == 0 || o.Matches(t)) {
			return true
		}
	}
	return false
}

// Fits reports whether a package with the tags required and the conflict
// tags conflicts fits a device with the tags device: each required tag is
// matched by a device tag, and no conflict tag is.
func Fits(device, required, conflicts []Tag) bool {
	for _, t := range required {
		if !matchedBy(device, t) {
			return false
		}
	}
	for _, t := range conflicts {
		if matchedBy(device, t) {
			return false
		}
	}
	return true
}

func matchedBy(device []Tag, t Tag) bool {
	return slices.ContainsFunc(device, func(d Tag) bool { return d.Matches(t) })
}

// tagStrings returns tags as strings, never nil.
func tagStrings(tags []Tag) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, t.String())
	}
	return out
}
