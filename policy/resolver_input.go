package policy

// This file adapts a System to resolver.Universe for one request: which
// versions the solver sees, in which order, and their relations.

import (
	"slices"
	"sort"

	"aim/deb"
	"aim/resolver"
)

// universe is the resolver's view of a System for one request: available
// versions for the native architecture, ordered the way apt prefers them,
// plus the installed versions.
type universe struct {
	sys *System
	// inst holds an installed instance by name (see System.index); all
	// every instance by name, more than one for the architectures of a
	// Multi-Arch: same package installed side by side.
	inst map[string]*Installed
	all  map[string][]*Installed
	// prefer lists installed names whose candidate is preferred to the
	// installed version (the request names them, or upgrades them).
	prefer map[string]bool
	// downgrade lists names that may go to a lower version.
	downgrade map[string]bool
	instProv  map[string][]resolver.Provided
}

func newUniverse(sys *System) *universe {
	u := &universe{sys: sys, inst: sys.index(), all: sys.instances(), prefer: map[string]bool{}, downgrade: map[string]bool{},
		instProv: map[string][]resolver.Provided{}}
	for i := range sys.Installed {
		in := &sys.Installed[i]
		if in.Relations == nil {
			continue
		}
		for _, alts := range in.Relations.Provides {
			u.instProv[alts[0].Name] = append(u.instProv[alts[0].Name], resolver.Provided{Package: in.Package, Version: alts[0].Version})
		}
	}
	return u
}

// native reports whether packages of arch may be installed: the native
// architecture, "all" and the foreign ones.
func (u *universe) native(arch string) bool {
	return arch == u.sys.Arch || arch == "all" || slices.Contains(u.sys.Foreign, arch)
}

// preferred orders two available versions: better (priority, then
// version), then the native architecture (or all) before a foreign one.
func (u *universe) preferred(a, b Available) bool {
	ca, cb := choiceOf(a), choiceOf(b)
	if better(ca, cb) || better(cb, ca) {
		return better(ca, cb)
	}
	return u.isNative(a.Package.Arch) && !u.isNative(b.Package.Arch)
}

func (u *universe) isNative(arch string) bool { return arch == u.sys.Arch || arch == "all" }

// archOf is the architecture q counts as: native for "all".
func (u *universe) archOf(q *resolver.Package) string {
	if q.Arch == "all" {
		return u.sys.Arch
	}
	return q.Arch
}

// available returns the available versions of name for the native
// architecture, candidate first.
func (u *universe) available(name string) []Available {
	var out []Available
	for _, a := range u.sys.Source.Versions(name) {
		if u.native(a.Package.Arch) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return u.preferred(out[i], out[j]) })
	return out
}

func choiceOf(a Available) Choice {
	return Choice{Version: a.Package.Version, Arch: a.Package.Arch, Priority: a.Priority}
}

// Packages implements resolver.Universe: the installed version first and
// only higher versions after it (and other architectures' builds), unless
// the name is preferred (candidate first) or may be downgraded. Held and dpkg's packages are locked by the
// request, not here, so explanations can say what a change would need.
func (u *universe) Packages(name string) []*resolver.Package {
	ins := u.all[name]
	avail := u.available(name)
	if len(ins) == 0 {
		out := make([]*resolver.Package, len(avail))
		for i, a := range avail {
			out[i] = a.Package
		}
		return out
	}
	var higher, lower, installed []*resolver.Package
	for _, in := range ins {
		installed = append(installed, in.Package)
	}
	for _, a := range avail {
		in := u.sameSlot(a.Package)
		if in == nil {
			higher = append(higher, a.Package) // another architecture's instance, beside or instead
			continue
		}
		switch c := deb.CompareVersions(a.Package.Version, in.Package.Version); {
		case c > 0:
			higher = append(higher, a.Package)
		case c < 0 && u.downgrade[name]:
			lower = append(lower, a.Package)
		}
	}
	if u.prefer[name] {
		return append(append(higher, installed...), lower...)
	}
	return append(append(installed, higher...), lower...)
}

// sameSlot returns the installed instance that q would replace rather
// than go beside: the one of q's name and architecture ("all" counting
// as native); nil when there is none.
func (u *universe) sameSlot(q *resolver.Package) *Installed {
	for _, in := range u.all[q.Name] {
		if u.archOf(in.Package) == u.archOf(q) {
			return in
		}
	}
	return nil
}

// Providers implements resolver.Universe: installed providers, then
// available ones by name, candidate first.
func (u *universe) Providers(name string) []resolver.Provided {
	out := append([]resolver.Provided(nil), u.instProv[name]...)
	var avail []AvailableProvider
	for _, p := range u.sys.Source.Providers(name) {
		if !u.native(p.Package.Arch) {
			continue
		}
		if in := u.sameSlot(p.Package); in != nil &&
			deb.CompareVersions(p.Package.Version, in.Package.Version) <= 0 && !u.downgrade[p.Package.Name] {
			continue
		}
		avail = append(avail, p)
	}
	sort.SliceStable(avail, func(i, j int) bool {
		a, b := avail[i], avail[j]
		if a.Package.Name != b.Package.Name {
			return a.Package.Name < b.Package.Name
		}
		return u.preferred(a.Available, b.Available)
	})
	for _, p := range avail {
		out = append(out, resolver.Provided{Package: p.Package, Version: p.Version})
	}
	return out
}

// Relations implements resolver.Universe. An installed version has no
// Recommends (a missing one is never back-filled) and another version of
// an installed package only those it adds (see recommends.go).
func (u *universe) Relations(p *resolver.Package) (*resolver.Relations, error) {
	in := u.sameSlot(p)
	if p.Installed && in != nil && in.Package == p {
		if in.Relations == nil {
			return &resolver.Relations{}, nil
		}
		return withoutRecommends(in.Relations), nil
	}
	r, err := u.sys.Source.Relations(p)
	if err != nil || in == nil {
		return r, err
	}
	return newRecommends(r, in.Relations), nil
}
