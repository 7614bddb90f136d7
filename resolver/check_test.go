package resolver_test

import (
	"fmt"

	"aim/deb"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// check is the tests' own plan checker, independent of the resolver's
// encoding: it applies the plan to the installed set (one instance per
// name and architecture) and verifies every Pre-Depends and Depends,
// every Conflicts and Breaks, dpkg's rule for several instances of a name
// (all Multi-Arch: same, at one version), the requested installs and
// removals, and that nothing locked changed. It returns "" when the plan
// is valid.
func check(u *resolvertest.Universe, inst []*resolver.Package, plan *resolver.Plan, req *resolver.Request) string {
	set := map[string]*resolver.Package{}
	for _, q := range inst {
		set[slot(q)] = q
	}
	for _, q := range plan.Remove {
		if !same(set[slot(q)], q) {
			return "removes " + q.String() + ", which is not installed"
		}
		delete(set, slot(q))
	}
	for _, c := range plan.Upgrade {
		if !same(set[slot(c.From)], c.From) {
			return "upgrades " + c.From.String() + ", which is not installed"
		}
		delete(set, slot(c.From))
	}
	for _, q := range append(plan.Install, upgraded(plan)...) {
		if set[slot(q)] != nil {
			return "installs " + slot(q) + " twice"
		}
		set[slot(q)] = q
	}
	if len(plan.Steps) != len(plan.Install)+len(plan.Upgrade)+len(plan.Remove) {
		return "steps do not match the plan"
	}
	if msg := checkInstances(u, set); msg != "" {
		return msg
	}
	for _, q := range set {
		if msg := checkOne(u, set, q); msg != "" {
			return msg
		}
	}
	return checkRequest(u, set, inst, req)
}

// same reports whether a and b are the same package version.
func same(a, b *resolver.Package) bool { return a != nil && b != nil && a.Key() == b.Key() }

// slot is "name:arch", "all" counting as native.
func slot(q *resolver.Package) string { return q.Name + ":" + nativeOf(q.Arch) }

func upgraded(plan *resolver.Plan) []*resolver.Package {
	var out []*resolver.Package
	for _, c := range plan.Upgrade {
		out = append(out, c.To)
	}
	return out
}

// checkInstances applies dpkg's rule to names installed for several
// architectures: every instance Multi-Arch: same, all at one version.
func checkInstances(u *resolvertest.Universe, set map[string]*resolver.Package) string {
	byName := map[string][]*resolver.Package{}
	for _, q := range set {
		byName[q.Name] = append(byName[q.Name], q)
	}
	for name, qs := range byName {
		if len(qs) < 2 {
			continue
		}
		for _, q := range qs {
			rel, _ := u.Relations(q)
			if rel.MultiArch != resolver.MultiArchSame || deb.CompareVersions(q.Version, qs[0].Version) != 0 {
				return fmt.Sprintf("%s installed for %d architectures, not all Multi-Arch: same at one version", name, len(qs))
			}
		}
	}
	return ""
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
	has := func(name string) bool {
		for _, q := range set {
			if q.Name == name {
				return true
			}
		}
		return false
	}
	for _, r := range req.Install {
		if !anySatisfied(u, set, deb.Alternatives{r}, nil) {
			return "requested " + r.String() + " not installed"
		}
	}
	for _, n := range req.Remove {
		if has(n) {
			return "requested removal of " + n + " not done"
		}
	}
	may := map[string]bool{}
	for _, n := range append(req.MayRemove, req.Remove...) {
		may[n] = true
	}
	for _, q := range inst {
		if !has(q.Name) && !may[q.Name] {
			return "removed " + q.Name + " without leave"
		}
		if set[slot(q)] == nil && !may[q.Name] && multiArchSame(u, q) {
			return "removed " + slot(q) + " without leave"
		}
	}
	for _, n := range req.Lock {
		for _, q := range inst {
			if q.Name == n && !same(set[slot(q)], q) {
				return "changed locked " + slot(q)
			}
		}
	}
	return ""
}

func multiArchSame(u *resolvertest.Universe, q *resolver.Package) bool {
	rel, _ := u.Relations(q)
	return rel != nil && rel.MultiArch == resolver.MultiArchSame
}
