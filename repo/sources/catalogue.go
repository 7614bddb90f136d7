package sources

import (
	"slices"

	"aim/repo/installfile"
)

// MatchCatalogue returns the source among sources that already
// provides c on a device running dist, or nil: a deb source with the same
// URI (as SameURI compares them: trailing "/" ignored), the same
// suite (c's dist, or dist when c names none) and the same components as
// a set. An enabled source is preferred to a disabled one.
func MatchCatalogue(sources []Source, c *installfile.Catalogue, dist string) *Source {
	var found *Source
	for i := range sources {
		s := &sources[i]
		if !slices.Contains(s.Types, TypeDeb) || !slices.Contains(s.Suites, c.Suite(dist)) ||
			!slices.ContainsFunc(s.URIs, func(u string) bool { return SameURI(u, c.URI) }) ||
			!sameComponentSet(s.Components, c.Components) {
			continue
		}
		if s.Enabled {
			return s
		}
		if found == nil {
			found = s
		}
	}
	return found
}

func sameComponentSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
