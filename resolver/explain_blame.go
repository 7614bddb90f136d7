package resolver

import (
	"aim/deb"
)

// blameRemoved explains a failure from the relaxed solution r: it finds an
// installed package that orig had to keep but r changed, and the chain
// from the request to the package it clashes with.
func (r *problem) blameRemoved(orig *problem) []Reason {
	t := r.neededTree()
	final := r.needed()
	free := setOf(orig.req.MayRemove)
	for _, vi := range r.installed {
		q := r.pkgs[vi]
		if free[q.Name] || r.assign[vi] == 1 && final[vi] {
			continue
		}
		if chain := r.clashWith(t, final, vi); chain != nil {
			return chain
		}
	}
	return nil
}

// clashWith explains why installed package vi cannot stay: a package the
// request needs conflicts with it (or it with that package), or the
// request needs a version of one of its dependencies that it does not
// accept.
func (r *problem) clashWith(t *tree, final []bool, vi int32) []Reason {
	q := r.pkgs[vi]
	for x := int32(1); x < int32(len(r.assign)); x++ {
		if !t.marked[x] {
			continue
		}
		if re, ok := r.conflictLink(x, vi, r.pkgs[x], q); ok {
			return append(r.path(t, x), re)
		}
		if re, ok := r.conflictLink(vi, x, q, r.pkgs[x]); ok {
			return append(r.path(t, x), re)
		}
	}
	if chain := r.depClash(t, final, vi); chain != nil {
		return chain
	}
	if r.isLocked(q.Name) && r.anyTrue(q.Name, final) {
		re := reasonFor("locked", q)
		re.Text = label(q, true) + " is held at its version"
		if why := r.req.LockReasons[q.Name]; why != "" {
			re.Text = label(q, true) + " " + why
		}
		return append(r.path(t, r.trueOf(q.Name, final)), re)
	}
	return nil
}

func (r *problem) isLocked(name string) bool {
	for _, n := range r.origLock() {
		if n == name {
			return true
		}
	}
	return false
}

// origLock returns the locks of the original request (the relaxed one
// has none); they are kept in installedLock by explain.
func (r *problem) origLock() []string { return r.lockNames }

func (r *problem) anyTrue(name string, final []bool) bool { return r.trueOf(name, final) != 0 }

func (r *problem) trueOf(name string, final []bool) int32 {
	for _, w := range r.group(name) {
		if final[w] && r.assign[w] == 1 {
			return w
		}
	}
	return 0
}

// conflictLink reports whether package a (variable va) conflicts with or
// breaks b, and the reason saying so.
func (r *problem) conflictLink(va, vb int32, a, b *Package) (Reason, bool) {
	rel := r.relations(va)
	if rel == nil || a.Name == b.Name {
		return Reason{}, false
	}
	for k, field := range [2]deb.Relations{rel.Conflicts, rel.Breaks} {
		for _, alts := range field {
			for _, c := range alts {
				if !r.refersTo(c, vb) {
					continue
				}
				kind := "conflicts"
				if k == 1 {
					kind = "breaks"
				}
				re := reasonFor(kind, a).withTarget(b)
				re.Relation = c.String()
				re.Text = r.labelBlamed(a) + " " + kind + " with " + r.labelBlamed(b)
				return re, true
			}
		}
	}
	return Reason{}, false
}

// refersTo reports whether relation c names package w, itself or through
// its Provides.
func (r *problem) refersTo(c deb.Relation, w int32) bool {
	q := r.pkgs[w]
	if c.Name == q.Name {
		return c.SatisfiedBy(q.Version)
	}
	rel := r.relations(w)
	if rel == nil {
		return false
	}
	for _, alts := range rel.Provides {
		for _, pv := range alts {
			if pv.Name == c.Name && (c.Op == deb.OpNone || pv.Op == deb.OpEQ && c.SatisfiedBy(pv.Version)) {
				return true
			}
		}
	}
	return false
}

// depClash explains an installed package whose dependency the request's
// solution no longer satisfies: the request moved what it depends on.
func (r *problem) depClash(t *tree, final []bool, vi int32) []Reason {
	q := r.pkgs[vi]
	rel := r.relations(vi)
	if rel == nil {
		return nil
	}
	for _, alts := range append(append(deb.Relations{}, rel.PreDepends...), rel.Depends...) {
		if r.satisfiedIn(vi, alts, final) {
			continue
		}
		for _, c := range alts {
			if x := r.trueOf(c.Name, final); x != 0 && t.marked[x] {
				re := reasonFor("depends", q).withTarget(r.pkgs[x])
				re.Relation = alts.String()
				re.Text = r.labelBlamed(q) + " depends on " + re.Relation
				return append(r.path(t, x), re)
			}
		}
	}
	return nil
}

func (r *problem) satisfiedIn(from int32, alts deb.Alternatives, final []bool) bool {
	for _, c := range alts {
		for _, w := range r.matches(c, r.pkgs[from], false) {
			if final[w] && r.assign[w] == 1 {
				return true
			}
		}
	}
	return false
}

// labelBlamed labels a package; for an installed system package it also
// names an installed user package that depends on it, since that is what
// the user would lose.
func (r *problem) labelBlamed(q *Package) string {
	s := label(q, true)
	if q.User || !q.Installed {
		return s
	}
	for _, vu := range r.installed {
		u := r.pkgs[vu]
		if !u.User {
			continue
		}
		if rel := r.relations(vu); rel != nil && dependsOnName(rel, q.Name) {
			return s + ", needed by " + label(u, false)
		}
	}
	return s
}

func dependsOnName(rel *Relations, name string) bool {
	for _, field := range [2]deb.Relations{rel.PreDepends, rel.Depends} {
		for _, alts := range field {
			for _, c := range alts {
				if c.Name == name {
					return true
				}
			}
		}
	}
	return false
}
