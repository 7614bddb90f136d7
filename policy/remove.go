package policy

import (
	"fmt"
	"slices"
	"strings"

	"aim/deb"
	"aim/resolver"
)

// Remove decides removing the named packages. It refuses packages that are
// not installed, dpkg's, held, essential or flagged system-update, and
// packages that other installed packages still depend on unless those are
// named too (the error names them). Then every package the removed ones
// pulled in, directly or indirectly, goes as well when it is not a user
// package, was installed automatically and nothing left needs it.
//
// A name may be NAME:ARCH: that architecture's instance goes; the other
// instances of a Multi-Arch: same package stay. An instance that is the
// only one of its name is removed as the name.
func Remove(sys *System, names []string) (*Outcome, error) {
	inst := sys.index()
	gone := map[string]bool{}
	named := make([]string, len(names))
	for i, n := range names {
		in, key := sys.instanceOf(n, inst)
		if err := removable(in, n); err != nil {
			return nil, err
		}
		gone[key], named[i] = true, key
	}
	names = named
	if err := dependents(sys, gone, names); err != nil {
		return nil, err
	}
	for _, n := range unneeded(sys, gone, reachable(sys, gone)) {
		gone[n] = true
	}
	return removalPlan(sys, gone)
}

// Autoremove decides removing every automatically installed package that
// is not a user package and that nothing manually installed needs.
func Autoremove(sys *System) (*Outcome, error) {
	all := map[string]bool{}
	for i := range sys.Installed {
		all[sys.keyOf(&sys.Installed[i])] = true
	}
	gone := map[string]bool{}
	for _, n := range unneeded(sys, gone, all) {
		gone[n] = true
	}
	return removalPlan(sys, gone)
}

// instanceOf returns the installed package a removal names and the key
// it goes under: NAME, or NAME:ARCH for one instance of a package
// installed for several architectures ("all" counting as native).
func (s *System) instanceOf(n string, inst map[string]*Installed) (*Installed, string) {
	name, arch, qualified := strings.Cut(n, ":")
	if !qualified {
		return inst[n], n
	}
	var found *Installed
	all := s.instances()[name]
	for _, in := range all {
		if s.archOf(in.Package) == arch {
			found = in
		}
	}
	if found == nil || len(all) == 1 {
		return found, name
	}
	return found, name + ":" + arch
}

// archOf is the architecture q counts as: native for "all".
func (s *System) archOf(q *resolver.Package) string {
	if q.Arch == "all" || q.Arch == "" {
		return s.Arch
	}
	return q.Arch
}

// archMeets applies the architecture rules of a dependency of from on
// the real package in (Multi-Arch spec): an unqualified one is met by
// from's architecture, or any when in is Multi-Arch: foreign; :any by a
// Multi-Arch: allowed or foreign one; :ARCH by that architecture. A
// dependency met through Provides is left to the resolver.
func (s *System) archMeets(r deb.Relation, from *resolver.Package, in *Installed) bool {
	if r.Name != in.Package.Name {
		return true
	}
	ma := resolver.MultiArchNo
	if in.Relations != nil {
		ma = in.Relations.MultiArch
	}
	switch r.Arch {
	case "":
		return ma == resolver.MultiArchForeign || s.archOf(in.Package) == s.archOf(from)
	case "any":
		return ma == resolver.MultiArchForeign || ma == resolver.MultiArchAllowed
	case "native":
		return s.archOf(in.Package) == s.Arch
	}
	return s.archOf(in.Package) == r.Arch
}

// keyOf is the key an installed instance goes under in a removal: its
// name, or NAME:ARCH when the name has instances for several
// architectures (as instanceOf names them).
func (s *System) keyOf(in *Installed) string {
	if len(s.instances()[in.Package.Name]) > 1 {
		return in.Package.Name + ":" + s.archOf(in.Package)
	}
	return in.Package.Name
}

// goneKeys returns the keys (see keyOf) of the instances the removal
// takes, a bare name taking every instance of it.
func (s *System) goneKeys(gone map[string]bool) []string {
	var out []string
	for i := range s.Installed {
		if in := &s.Installed[i]; isGone(gone, s, in.Package) {
			out = append(out, s.keyOf(in))
		}
	}
	return out
}

// isGone reports whether the removal takes q: by name, or as the instance
// NAME:ARCH.
func isGone(gone map[string]bool, s *System, q *resolver.Package) bool {
	return gone[q.Name] || gone[q.Name+":"+s.archOf(q)]
}

// removable refuses what may never be removed.
func removable(in *Installed, name string) error {
	why := ""
	switch {
	case in == nil:
		why = "it is not installed"
	case in.Dpkg:
		why = "it is a system package installed by dpkg"
	case in.Held:
		why = "it is held (aim mark unhold " + name + ")"
	case in.essential():
		why = "it is essential"
	case in.SystemUpdate:
		why = "it is part of a system update (Maemo-Flags: system-update)"
	default:
		return nil
	}
	return refused("remove "+name, resolver.Reason{Kind: "refused", Package: name, Text: name + " cannot be removed: " + why})
}

func refused(request string, reasons ...resolver.Reason) error {
	return &resolver.ConflictError{Request: request, Chain: reasons}
}

// dependents refuses the removal when a package that stays depends on a
// removed one and nothing else that stays satisfies that dependency.
func dependents(sys *System, gone map[string]bool, names []string) error {
	var chain []resolver.Reason
	for _, in := range sys.Installed {
		if isGone(gone, sys, in.Package) || in.Relations == nil {
			continue
		}
		for _, alts := range allDeps(in.Relations) {
			if satisfiedAfter(sys, in.Package, alts, gone) {
				continue
			}
			chain = append(chain, resolver.Reason{Kind: "depends", Package: in.Package.Name,
				Version: in.Package.Version.String(), User: in.Package.User, Installed: true,
				Relation: alts.String(), Text: labelOf(in.Package) + " depends on " + alts.String()})
			break
		}
	}
	if len(chain) == 0 {
		return nil
	}
	return refused("remove "+strings.Join(names, " "), chain...)
}

func labelOf(q *resolver.Package) string {
	tags := []string{"installed"}
	if q.User {
		tags = []string{"user", "installed"}
	}
	return fmt.Sprintf("%s %s (%s)", q.Name, q.Version, strings.Join(tags, ", "))
}

func allDeps(r *resolver.Relations) deb.Relations {
	return append(append(deb.Relations{}, r.PreDepends...), r.Depends...)
}

// satisfiedAfter reports whether an installed package that is not gone
// satisfies alts, a dependency of from.
func satisfiedAfter(sys *System, from *resolver.Package, alts deb.Alternatives, gone map[string]bool) bool {
	for _, r := range alts {
		for _, in := range sys.byProvided()[r.Name] {
			if !isGone(gone, sys, in.Package) && refersTo(r, in.Package, in.Relations) && sys.archMeets(r, from, in) {
				return true
			}
		}
	}
	return false
}

// reachable returns the installed packages the gone ones depend on,
// directly or indirectly (Recommends included, as they pulled those in).
func reachable(sys *System, gone map[string]bool) map[string]bool {
	out := map[string]bool{}
	queue := sys.goneKeys(gone)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range sys.needs(n) {
			if !out[d] && !isGone(gone, sys, sys.byKey()[d].Package) {
				out[d] = true
				queue = append(queue, d)
			}
		}
	}
	return out
}

// needs returns the keys (see keyOf) of the installed instances that
// satisfy a Pre-Depends, Depends or Recommends of the installed instance
// key, architectures considered.
func (s *System) needs(key string) []string {
	in := s.byKey()[key]
	if in == nil || in.Relations == nil {
		return nil
	}
	var out []string
	for _, alts := range append(allDeps(in.Relations), in.Relations.Recommends...) {
		for _, r := range alts {
			for _, other := range s.byProvided()[r.Name] {
				if refersTo(r, other.Package, other.Relations) && s.archMeets(r, in.Package, other) {
					out = append(out, s.keyOf(other))
				}
			}
		}
	}
	return out
}

// byKey returns the installed instances by key (see keyOf), computed once.
func (s *System) byKey() map[string]*Installed {
	if s.keys == nil {
		s.keys = make(map[string]*Installed, len(s.Installed))
		for i := range s.Installed {
			s.keys[s.keyOf(&s.Installed[i])] = &s.Installed[i]
		}
	}
	return s.keys
}

// byProvided returns the installed packages under their name and every
// name they provide, computed once.
func (s *System) byProvided() map[string][]*Installed {
	if s.provided == nil {
		s.provided = map[string][]*Installed{}
		for i := range s.Installed {
			in := &s.Installed[i]
			s.provided[in.Package.Name] = append(s.provided[in.Package.Name], in)
			if in.Relations != nil {
				for _, alts := range in.Relations.Provides {
					s.provided[alts[0].Name] = append(s.provided[alts[0].Name], in)
				}
			}
		}
	}
	return s.provided
}

// unneeded returns the candidates that may go: automatic, not user, not
// protected, and not needed by any package that stays.
func unneeded(sys *System, gone, candidates map[string]bool) []string {
	maybe := map[string]bool{}
	for i := range sys.Installed {
		in := &sys.Installed[i]
		n := sys.keyOf(in)
		if candidates[n] && !isGone(gone, sys, in.Package) && in.Auto && !in.Package.User && !in.Dpkg && !in.Held &&
			!in.SystemUpdate && !in.essential() {
			maybe[n] = true
		}
	}
	needed := map[string]bool{}
	var queue []string
	for i := range sys.Installed {
		in := &sys.Installed[i]
		if n := sys.keyOf(in); !isGone(gone, sys, in.Package) && !maybe[n] {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range sys.needs(n) {
			if maybe[d] && !needed[d] {
				needed[d] = true
				queue = append(queue, d)
			}
		}
	}
	var out []string
	for n := range maybe {
		if !needed[n] {
			out = append(out, n)
		}
	}
	sortStrings(out)
	return out
}

// removalPlan asks the resolver for the ordered plan that removes gone and
// changes nothing else.
func removalPlan(sys *System, gone map[string]bool) (*Outcome, error) {
	req := &resolver.Request{Arch: sys.Arch, Installed: sys.installedPackages(), Remove: keys(gone)}
	partly := map[string]bool{} // names one of whose instances goes
	for _, in := range sys.Installed {
		if isGone(gone, sys, in.Package) {
			partly[in.Package.Name] = true
		}
	}
	for _, in := range sys.Installed {
		if n := in.Package.Name; !partly[n] && !slices.Contains(req.Lock, n) {
			req.Lock = append(req.Lock, n)
		}
	}
	plan, err := resolver.Solve(newUniverse(sys), req)
	if err != nil {
		return nil, err
	}
	return &Outcome{Plan: plan}, nil
}
