package policy

import (
	"aim/deb"
)

// Choice is what candidate selection looks at in one available version.
type Choice struct {
	Version  deb.Version
	Arch     string
	Priority int
}

// Candidate returns the index of the version apt would install among
// choices: of those for the native architecture or "all", the highest
// version among the ones with the highest priority. It returns -1 when no
// choice fits the architecture. Ties keep the earlier choice, so the
// result is deterministic.
func Candidate(choices []Choice, arch string) int {
	best := -1
	for i, c := range choices {
		if c.Arch != arch && c.Arch != "all" {
			continue
		}
		if best < 0 || better(c, choices[best]) {
			best = i
		}
	}
	return best
}

// better reports whether a is preferred to b: higher priority, then
// higher version.
func better(a, b Choice) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return deb.CompareVersions(a.Version, b.Version) > 0
}
