package sources

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"aim/deb"
	"aim/deb/rootfs"
)

// Paths of the sources files, relative to the root (see deb/rootfs).
const (
	// ListFile is the main one-line sources file.
	ListFile = rootfs.SourcesList
	// Dir holds *.list (one-line) and *.sources (deb822) files.
	Dir = rootfs.SourcesListDir
	// KeyringsDir holds keys trusted for one source only, named by
	// that source's Signed-By; AddLine installs keys there.
	KeyringsDir = rootfs.KeyringsDir
)

// Source types.
const (
	TypeDeb    = "deb"     // binary packages
	TypeDebSrc = "deb-src" // source packages
)

// Format tells in which of apt's two formats a source is written.
type Format int

const (
	// OneLine is a "deb URI SUITE COMPONENT..." line of a .list file.
	OneLine Format = iota
	// Deb822 is a paragraph of a .sources file.
	Deb822
)

// String returns "one-line" or "deb822".
func (f Format) String() string {
	if f == Deb822 {
		return "deb822"
	}
	return "one-line"
}

// Source is one sources entry as written: a line of a .list file or a
// paragraph of a .sources file. A parsed Source has passed the syntax
// checks: at least one type, URI and suite; http, https or file URIs;
// components present exactly when some suite is not flat; valid
// architecture names; and a well-formed Signed-By.
//
// Name is stable and unique among the sources under one root as long as the
// files are not edited by hand:
//   - a .sources file holding one paragraph: the file's stem ("example" for
//     example.sources);
//   - a .sources file holding several: "STEM:N", N counting paragraphs from 1;
//   - a one-line entry: "STEM:LINE" (sources.list has the stem "sources").
//
// Commented-out one-line entries and invalid entries count too, so enabling
// or fixing one never renames another.
type Source struct {
	Name   string `json:"name"`
	File   string `json:"file"` // absolute path inside the root, "/etc/aim/..."
	Line   int    `json:"line"` // line of the entry, or of its paragraph's first field
	Format Format `json:"-"`

	Types      []string `json:"types"`
	URIs       []string `json:"uris"`
	Suites     []string `json:"suites"`
	Components []string `json:"components"`
	// Architectures is the arch= option or Architectures field as written;
	// nil means the caller's defaults. ArchitecturesAdd and
	// ArchitecturesRemove are arch+= and arch-= (Architectures-Add and
	// Architectures-Remove); see EffectiveArchitectures.
	Architectures       []string `json:"architectures,omitempty"`
	ArchitecturesAdd    []string `json:"architecturesAdd,omitempty"`
	ArchitecturesRemove []string `json:"architecturesRemove,omitempty"`
	SignedBy            SignedBy `json:"signedBy"`
	// Trusted is trusted=yes: the repository may be used without a valid
	// signature.
	Trusted bool `json:"trusted"`
	// Enabled is false for "Enabled: no" and commented-out one-line entries.
	Enabled bool `json:"enabled"`
	// Extra holds the other options and fields in input order, named as in
	// deb822 (one-line options are renamed: lang= becomes Languages, ...;
	// unknown ones keep their name). Values are as written.
	Extra []deb.Field `json:"-"`
}

// SignedBy is what a source's signed-by option or Signed-By field names:
// the keys its Release files must be signed with. It is empty when the
// source names no key, and then the keys of etc/aim/trusted.gpg.d apply.
type SignedBy struct {
	// Keyrings are absolute paths inside the root of keyring files.
	Keyrings []string `json:"keyrings,omitempty"`
	// Fingerprints are hex fingerprints (upper or lower case as written),
	// possibly ending in "!" to name a subkey exactly; they select keys
	// from Keyrings, or from trusted.gpg.d when Keyrings is empty.
	Fingerprints []string `json:"fingerprints,omitempty"`
	// Key is an inline armored public key block (deb822 only), lines
	// joined by "\n" with a final "\n", or "".
	Key string `json:"key,omitempty"`
}

// IsZero reports whether the source names no key.
func (s SignedBy) IsZero() bool {
	return len(s.Keyrings) == 0 && len(s.Fingerprints) == 0 && s.Key == ""
}

// Error is a malformed sources entry, or a sources file that could
// not be read (Line 0).
type Error struct {
	File string // absolute path inside the root
	Line int
	// Name is the name the entry would have had, "" for a file error.
	Name string
	Msg  string
	Err  error // the underlying error, if any
}

// Error returns "FILE:LINE: MSG", or "FILE: MSG" without a line.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Option returns the value of the option or field called name (deb822
// spelling, compared without regard to case) among s.Extra.
func (s *Source) Option(name string) (string, bool) {
	for _, f := range s.Extra {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// EffectiveArchitectures returns the architectures whose indexes the source
// provides, as apt computes them: Architectures when set, else defaults
// (the native architecture and any foreign ones, as the caller configures);
// then each of ArchitecturesAdd not already present is appended, and every
// one of ArchitecturesRemove is removed. The result is a new slice; "all"
// is not added (that is the fetcher's business).
func (s *Source) EffectiveArchitectures(defaults []string) []string {
	base := s.Architectures
	if base == nil {
		base = defaults
	}
	out := slices.Clone(base)
	for _, a := range s.ArchitecturesAdd {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return slices.DeleteFunc(out, func(a string) bool { return slices.Contains(s.ArchitecturesRemove, a) })
}

// Matches reports whether key names s: it is s.Name, or one of s.URIs as
// SameURI compares them.
func (s *Source) Matches(key string) bool {
	if key == s.Name {
		return true
	}
	return slices.ContainsFunc(s.URIs, func(u string) bool { return SameURI(u, key) })
}

// SameURI reports whether a and b name the same repository: equal
// once the scheme and host are lower-cased, a final "/" removed, and
// "file:///p", "file://localhost/p" and "file:/p" taken as one.
func SameURI(a, b string) bool { return normalSourceURI(a) == normalSourceURI(b) }

func normalSourceURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return strings.TrimRight(raw, "/")
	}
	host := strings.ToLower(u.Host)
	if strings.EqualFold(u.Scheme, "file") && host == "localhost" {
		host = ""
	}
	return strings.ToLower(u.Scheme) + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}

// Find returns the sources key names: the one whose Name is key
// when there is one, else every source with key among its URIs, in order.
func Find(sources []Source, key string) []*Source {
	var byName, byURI []*Source
	for i := range sources {
		s := &sources[i]
		switch {
		case s.Name == key:
			byName = append(byName, s)
		case s.Matches(key):
			byURI = append(byURI, s)
		}
	}
	if len(byName) > 0 {
		return byName
	}
	return byURI
}

// IsFlatSuite reports whether suite names a flat repository (it ends in "/"),
// whose indexes sit in URI/SUITE without components.
func IsFlatSuite(suite string) bool { return strings.HasSuffix(suite, "/") }
