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
		if !anySatisfied(u, set, alts) {
			return fmt.Sprintf("%s: dependency %s not satisfied", q, alts)
		}
	}
	for _, alts := range append(append(deb.Relations{}, rel.Conflicts...), rel.Breaks...) {
		for _, other := range set {
			if other.Name != q.Name && refers(u, alts[0], other) {
				return fmt.Sprintf("%s conflicts with %s (%s)", q, other, alts[0])
			}
		}
	}
	return ""
}

func anySatisfied(u *resolvertest.Universe, set map[string]*resolver.Package, alts deb.Alternatives) bool {
	for _, r := range alts {
		for _, q := range set {
			if refers(u, r, q) {
				return true
			}
		}
	}
	return false
}

// refers reports whether relation r is satisfied by q, directly or by one
// of its Provides (architecture qualifiers aside).
func refers(u *resolvertest.Universe, r deb.Relation, q *resolver.Package) bool {
	if q.Name == r.Name && r.SatisfiedBy(q.Version) {
		return true
	}
	rel, _ := u.Relations(q)
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

func checkRequest(u *resolvertest.Universe, set map[string]*resolver.Package, inst []*resolver.Package, req *resolver.Request) string {
	for _, r := range req.Install {
		if !anySatisfied(u, set, deb.Alternatives{r}) {
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
