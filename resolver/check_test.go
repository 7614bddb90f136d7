package resolver_test

import (
	"fmt"

	"aim/deb"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// check is the tests' own plan checker, independent of the resolver's
// encoding: it applies the plan to the installed set and verifies every
// Pre-Depends and Depends, every Conflicts and Breaks, the requested
// installs and removals, and that nothing locked changed. It returns ""
// when the plan is valid.
func check(u *resolvertest.Universe, inst []*resolver.Package, plan *resolver.Plan, req *resolver.Request) string {
	set := map[string]*resolver.Package{}
	for _, q := range inst {
		set[q.Name] = q
	}
	for _, q := range plan.Remove {
		delete(set, q.Name)
	}
	for _, c := range plan.Upgrade {
		set[c.To.Name] = c.To
	}
	for _, q := range plan.Install {
		if set[q.Name] != nil {
			return "installs " + q.Name + " twice"
		}
		set[q.Name] = q
	}
	if len(plan.Steps) != len(plan.Install)+len(plan.Upgrade)+len(plan.Remove) {
		return "steps do not match the plan"
	}
	for _, q := range set {
		if msg := checkOne(u, set, q); msg != "" {
			return msg
		}
	}
	return checkRequest(u, set, inst, req)
}

func checkOne(u *resolvertest.Universe, set map[string]*resolver.Package, q *resolver.Package) string {
	rel, err := u.Relations(q)
	if err != nil {
		return err.Error()
	}
	for _, alts := range append(append(deb.Relations{}, rel.PreDepends...), rel.Depends...) {
		if !anySatisfied(u, set, alts, q) {
			return fmt.Sprintf("%s: dependency %s not satisfied", q, alts)
		}
	}
	for _, alts := range append(append(deb.Relations{}, rel.Conflicts...), rel.Breaks...) {
		for _, other := range set {
			if other.Name != q.Name && refers(u, alts[0], other, nil) {
				return fmt.Sprintf("%s conflicts with %s (%s)", q, other, alts[0])
			}
		}
	}
	return ""
}

// anySatisfied reports whether one of the alternatives, a dependency of
// from (nil for a request, read as coming from a native package), is
// satisfied by a package of set.
func anySatisfied(u *resolvertest.Universe, set map[string]*resolver.Package, alts deb.Alternatives, from *resolver.Package) bool {
	if from == nil {
		from = &resolver.Package{Arch: native}
	}
	for _, r := range alts {
		for _, q := range set {
			if refers(u, r, q, from) {
				return true
			}
		}
	}
	return false
}

// native is the native architecture of every test request.
const native = "amd64"

// refers reports whether relation r is met by q, directly or by one of
// its Provides. from is the package whose dependency r is; nil means r is
// a Conflicts or Breaks. Architectures are read as dpkg's
// deparchsatisfied does: an unqualified dependency on a Multi-Arch:
// foreign package is met by any architecture, ":any" (and any conflict
// without a specific architecture) by a Multi-Arch: allowed package of
// any architecture, and otherwise the architectures must be equal, with
// "all" counting as native.
func refers(u *resolvertest.Universe, r deb.Relation, q *resolver.Package, from *resolver.Package) bool {
	rel, _ := u.Relations(q)
	if !archMet(r, q, rel.MultiArch, from) {
		return false
	}
	if q.Name == r.Name && r.SatisfiedBy(q.Version) {
		return true
	}
	for _, p := range rel.Provides {
		if p[0].Name != r.Name {
			continue
		}
		if r.Op == deb.OpNone || p[0].Op == deb.OpEQ && r.SatisfiedBy(p[0].Version) {
			return true
		}
	}
	return false
}

func archMet(r deb.Relation, q *resolver.Package, ma resolver.MultiArch, from *resolver.Package) bool {
	if r.Arch == "" && from != nil && ma == resolver.MultiArchForeign {
		return true
	}
	want := r.Arch
	switch {
	case want == "" && from == nil, want == "any" && (from == nil || ma == resolver.MultiArchAllowed):
		return true
	case want == "any":
		return false
	case want == "":
		want = from.Arch
	}
	return nativeOf(want) == nativeOf(q.Arch)
}

func nativeOf(arch string) string {
	if arch == "all" || arch == "" || arch == "native" {
		return native
	}
	return arch
}

func checkRequest(u *resolvertest.Universe, set map[string]*resolver.Package, inst []*resolver.Package, req *resolver.Request) string {
	for _, r := range req.Install {
		if !anySatisfied(u, set, deb.Alternatives{r}, nil) {
			return "requested " + r.String() + " not installed"
		}
	}
	for _, n := range req.Remove {
		if set[n] != nil {
			return "requested removal of " + n + " not done"
		}
	}
	may := map[string]bool{}
	for _, n := range append(req.MayRemove, req.Remove...) {
		may[n] = true
	}
	for _, q := range inst {
		if set[q.Name] == nil && !may[q.Name] {
			return "removed " + q.Name + " without leave"
		}
	}
	for _, n := range req.Lock {
		for _, q := range inst {
			if q.Name == n && (set[n] == nil || set[n].Key() != q.Key()) {
				return "changed locked " + n
			}
		}
	}
	return ""
}
