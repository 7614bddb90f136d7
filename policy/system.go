package policy

import (
	"sort"

	"aim/deb"
	"aim/resolver"
)

// Available is one package version that a source offers.
type Available struct {
	// Package identifies the version; its Ref is the source's handle and
	// Installed is false.
	Package *resolver.Package
	// Priority is the highest priority among the sources offering it.
	Priority int
}

// AvailableProvider is an available version that provides a name, with
// the provided version (zero when unversioned).
type AvailableProvider struct {
	Available
	Version deb.Version
}

// Source is the available packages, as the cache of `aim update` holds
// them. Implementations do the I/O; policy only asks.
type Source interface {
	// Versions returns every available version called name, of any
	// architecture, in any order.
	Versions(name string) []Available
	// Providers returns the available versions whose Provides names name.
	Providers(name string) []AvailableProvider
	// Relations returns the relation fields of an available version.
	Relations(p *resolver.Package) (*resolver.Relations, error)
}

// Installed is an installed package and what the policy must know about
// it.
type Installed struct {
	// Package identifies it, with Installed set and User for user packages.
	Package *resolver.Package
	// Relations are its fields as installed; nil means none.
	Relations *resolver.Relations
	// Auto is true when it was installed only to satisfy a dependency.
	Auto bool
	// Held packages are never changed (aim mark hold).
	Held bool
	// Dpkg is true for a package of dpkg's status file: it satisfies
	// dependencies but aim never removes, upgrades or replaces it.
	Dpkg bool
	// SystemUpdate is true for a package flagged "Maemo-Flags:
	// system-update": it is never removed.
	SystemUpdate bool
}

// System is the state a decision is made on: what is available, what is
// installed and for which architecture.
type System struct {
	Source    Source
	Installed []Installed
	// Arch is the native architecture; packages of other architectures
	// than Arch, "all" and Foreign are not considered.
	Arch string
	// Foreign are the foreign architectures whose packages may be
	// installed too; the native build is preferred at equal version and
	// priority.
	Foreign []string

	keys     map[string]*Installed
	provided map[string][]*Installed
	byName   map[string][]*Installed
}

// Options change how requests are resolved.
type Options struct {
	// NoRecommends skips recommended packages (installed by default).
	NoRecommends bool
	// AllowDowngrades permits installing a lower version than the
	// installed one when the request names that version.
	AllowDowngrades bool
}

// Outcome is a decided request: the plan and how the installed packages'
// records change.
type Outcome struct {
	Plan *resolver.Plan
	// Manual lists the packages, new or installed, that become manually
	// installed: those the user named. Every other new package is
	// automatic.
	Manual []string
	// HeldBack lists, for an upgrade, the packages that have a newer
	// candidate but stay at their version, and why.
	HeldBack []HeldBack
}

// HeldBack is a package an upgrade leaves alone.
type HeldBack struct {
	Name      string `json:"name"`
	Installed string `json:"installed"`
	Candidate string `json:"candidate"`
	// Reason is "held" (aim mark hold), "dpkg" (dpkg's package) or
	// "needs-removal" (its upgrade would need a removal or a refused change).
	Reason string `json:"reason"`
}

// HasFlag reports whether a Maemo-Flags value (comma- or space-separated)
// contains flag.
func HasFlag(value, flag string) bool {
	for _, f := range splitFlags(value) {
		if f == flag {
			return true
		}
	}
	return false
}

func splitFlags(v string) []string {
	var out []string
	cur := []byte{}
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' || v[i] == ' ' || v[i] == '\t' || v[i] == '\n' {
			if len(cur) > 0 {
				out = append(out, string(cur))
			}
			cur = cur[:0]
			continue
		}
		cur = append(cur, v[i])
	}
	return out
}

// index returns the installed packages by name; of a package installed
// for several architectures, one instance (the native one when there is
// one).
func (s *System) index() map[string]*Installed {
	m := make(map[string]*Installed, len(s.Installed))
	for i := range s.Installed {
		in := &s.Installed[i]
		if old := m[in.Package.Name]; old == nil || !s.nativeArch(old.Package.Arch) {
			m[in.Package.Name] = in
		}
	}
	return m
}

// nativeArch reports whether arch is the native architecture or all.
func (s *System) nativeArch(arch string) bool { return arch == s.Arch || arch == "all" }

// instances returns every installed instance by name: one per
// architecture of a Multi-Arch: same package installed side by side.
// It is computed once (keyOf asks it for every installed package).
func (s *System) instances() map[string][]*Installed {
	if s.byName == nil {
		s.byName = make(map[string][]*Installed, len(s.Installed))
		for i := range s.Installed {
			in := &s.Installed[i]
			s.byName[in.Package.Name] = append(s.byName[in.Package.Name], in)
		}
	}
	return s.byName
}

// installedPackages returns the installed packages sorted by name.
func (s *System) installedPackages() []*resolver.Package {
	out := make([]*resolver.Package, 0, len(s.Installed))
	for i := range s.Installed {
		out = append(out, s.Installed[i].Package)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// essential reports whether an installed package is Essential.
func (i *Installed) essential() bool { return i.Relations != nil && i.Relations.Essential }
