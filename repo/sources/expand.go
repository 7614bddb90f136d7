package sources

import (
	"path"
	"strings"
)

// Target is one index file a source asks for: what a fetcher
// downloads, after the Release file of its ReleaseURL.
type Target struct {
	// Source is the entry the target comes from (an element of the slice
	// given to Expand): its Name, SignedBy, Trusted and options
	// apply to the target.
	Source *Source
	Type   string // TypeDeb or TypeDebSrc
	URI    string // as written in the source
	// Suite is as written, with "$(ARCH)" replaced by Arch.
	Suite string
	// Component is "" for a flat repository.
	Component string
	// Arch is the architecture of a binary index. It is "" for source
	// indexes and for a flat repository whose suite has no "$(ARCH)": its
	// one Packages file holds every architecture, and the caller keeps
	// the packages of Source.EffectiveArchitectures.
	Arch string
	Flat bool
}

// sourceArchVar is the variable apt replaces by the architecture in a suite.
const sourceArchVar = "$(ARCH)"

// ReleaseURL returns the directory that holds the target's InRelease or
// Release file, ending in "/": URI/dists/SUITE/, or URI/SUITE for a flat
// repository (URI/ itself for "./" or "/").
func (t Target) ReleaseURL() string {
	base := t.URI
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	if !t.Flat {
		return base + "dists/" + t.Suite + "/"
	}
	if c := path.Clean("/" + t.Suite); c != "/" {
		return base + c[1:] + "/"
	}
	return base
}

// IndexPath returns the uncompressed index's path relative to ReleaseURL,
// as the Release file lists it: COMPONENT/binary-ARCH/Packages or
// COMPONENT/source/Sources, or Packages or Sources for a flat repository.
func (t Target) IndexPath() string {
	name := "Packages"
	if t.Type == TypeDebSrc {
		name = "Sources"
	}
	switch {
	case t.Flat:
		return name
	case t.Type == TypeDebSrc:
		return t.Component + "/source/" + name
	}
	return t.Component + "/binary-" + t.Arch + "/" + name
}

// Expand returns the targets of every enabled source, in order (see
// Source.Targets); disabled sources give none. Targets that two entries
// both ask for are kept twice: telling the user is the caller's business.
func Expand(sources []Source, defaultArchs []string) []Target {
	var out []Target
	for i := range sources {
		if sources[i].Enabled {
			out = append(out, sources[i].Targets(defaultArchs)...)
		}
	}
	return out
}

// Targets returns the targets of s whether it is enabled or not: the
// cartesian product of its types, URIs, suites, components and effective
// architectures (EffectiveArchitectures(defaultArchs)), nested in that
// order. Source indexes take no architecture, and a flat suite gives one
// target for all architectures unless it holds "$(ARCH)".
func (s *Source) Targets(defaultArchs []string) []Target {
	archs := s.EffectiveArchitectures(defaultArchs)
	var out []Target
	for _, typ := range s.Types {
		for _, uri := range s.URIs {
			for _, suite := range s.Suites {
				t := Target{Source: s, Type: typ, URI: uri, Suite: suite, Flat: IsFlatSuite(suite)}
				out = t.expand(out, s.Components, archs)
			}
		}
	}
	return out
}

// expand appends the targets of one type, URI and suite.
func (t Target) expand(out []Target, components, archs []string) []Target {
	perArch := t.Type == TypeDeb && (!t.Flat || strings.Contains(t.Suite, sourceArchVar))
	if !perArch {
		archs = []string{""}
	}
	if t.Flat {
		components = []string{""}
	}
	suite := t.Suite
	for _, c := range components {
		for _, a := range archs {
			t.Component, t.Arch = c, a
			t.Suite = strings.ReplaceAll(suite, sourceArchVar, a)
			out = append(out, t)
		}
	}
	return out
}
