package resolver

import "aim/deb"

// explain builds the *ConflictError for a request that has no plan. It
// first solves again with every installed package allowed to go: if that
// works, the packages it removes are what the request clashes with, and
// the chain leads from the request to the package that clashes. If not,
// the request fails on its own, and the chain leads to a dependency that
// nothing satisfies or to the first clash among the packages it needs.
func (p *problem) explain() error {
	e := &ConflictError{Request: p.requestText()}
	relaxed := *p.req
	relaxed.Lock, relaxed.MayRemove = nil, nil
	for _, q := range p.req.Installed {
		relaxed.MayRemove = append(relaxed.MayRemove, q.Name)
	}
	r := newProblem(p.u, &relaxed)
	r.lockNames = p.req.Lock
	if err := r.setup(); err == nil && r.search() {
		if chain := r.blameRemoved(p); chain != nil {
			e.Chain = chain
			return e
		}
	}
	e.Chain = r.blameDeps()
	return e
}

// tree records how needed() reached each package: its parent and the
// index of the goal or request that led there.
type tree struct {
	parent []int32
	via    []int // goal index under parent; for roots, -1-request index
	marked []bool
}

// neededTree is needed() with parent links, starting from the requests
// only (installed packages are the other side of the clash).
func (p *problem) neededTree() *tree {
	t := &tree{parent: make([]int32, len(p.assign)), via: make([]int, len(p.assign)), marked: make([]bool, len(p.assign))}
	var queue []int32
	for i, c := range p.reqLits {
		if w := p.chosen(c, t.marked); w != 0 && !t.marked[w] {
			t.marked[w], t.via[w] = true, -1-i
			queue = append(queue, w)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for k := p.goalFrom[v]; k < p.goalTo[v]; k++ {
			if w := p.chosen(p.goals[k].lits, t.marked); w != 0 && !t.marked[w] {
				t.marked[w], t.parent[w], t.via[w] = true, v, k
				queue = append(queue, w)
			}
		}
	}
	return t
}

// path returns the chain of reasons from a request down to v.
func (p *problem) path(t *tree, v int32) []Reason {
	var rev []Reason
	for w := v; w != 0; w = t.parent[w] {
		par := t.parent[w]
		if par == 0 {
			break
		}
		g := &p.goals[t.via[w]]
		kind := "depends"
		if g.pre {
			kind = "pre-depends"
		}
		re := reasonFor(kind, p.pkgs[par])
		re.Relation = g.alts.String()
		re.Text = label(p.pkgs[par], false) + " " + kindVerb(kind) + " " + re.Relation
		rev = append(rev, re.withTarget(p.pkgs[w]))
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

func kindVerb(kind string) string {
	if kind == "pre-depends" {
		return "pre-depends on"
	}
	if kind == "depends" {
		return "depends on"
	}
	return kind + " with"
}

// walk is a search from the requests along each dependency's first
// choice, with parent links for the chains it reports.
type walk struct {
	parent map[int32]int32
	alts   map[int32]string
	order  []int32
}

// blameDeps explains a request that fails whatever is installed: a
// dependency nothing satisfies, a broken package, or two packages it
// needs that conflict.
func (r *problem) blameDeps() []Reason {
	w := &walk{parent: map[int32]int32{}, alts: map[int32]string{}}
	for _, c := range r.reqLits {
		if len(c) > 0 {
			w.visit(c[0].v(), 0, "")
		}
	}
	for i := 0; i < len(w.order); i++ {
		v := w.order[i]
		rel := r.relations(v)
		if rel == nil {
			re := reasonFor("broken", r.pkgs[v])
			re.Text = label(r.pkgs[v], true) + " has unreadable relation fields"
			return append(r.walkPath(w, v), re)
		}
		for _, alts := range append(append(deb.Relations{}, rel.PreDepends...), rel.Depends...) {
			sat := r.satisfiers(v, alts)
			if len(sat) == 0 {
				re := reasonFor("missing", r.pkgs[v])
				re.Relation = alts.String()
				re.Text = label(r.pkgs[v], true) + " depends on " + re.Relation + ", which no available package satisfies"
				return append(r.walkPath(w, v), re)
			}
			w.visit(sat[0].v(), v, alts.String())
		}
	}
	return r.walkClash(w)
}

func (w *walk) visit(v, parent int32, alts string) {
	if _, ok := w.parent[v]; ok {
		return
	}
	w.parent[v], w.alts[v] = parent, alts
	w.order = append(w.order, v)
}

// walkPath returns the chain of reasons from a request down to v.
func (r *problem) walkPath(w *walk, v int32) []Reason {
	var rev []Reason
	for x := v; w.parent[x] != 0; x = w.parent[x] {
		par := r.pkgs[w.parent[x]]
		re := reasonFor("depends", par).withTarget(r.pkgs[x])
		re.Relation = w.alts[x]
		re.Text = label(par, false) + " depends on " + re.Relation
		rev = append(rev, re)
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// walkClash finds a package of the walk that conflicts with another one
// or with an installed package, and explains the chains; nil when there
// is none (the clash lies off the first choices).
func (r *problem) walkClash(w *walk) []Reason {
	in := func(b int32) bool { _, ok := w.parent[b]; return ok }
	for _, a := range w.order {
		for _, b := range r.conflictsOf(a) {
			if in(b) || r.pkgs[b].Installed {
				re, _ := r.conflictLink(a, b, r.pkgs[a], r.pkgs[b])
				return append(append(r.walkPath(w, b), r.walkPath(w, a)...), re)
			}
		}
	}
	for _, b := range r.installed {
		for _, a := range r.conflictsOf(b) {
			if in(a) {
				re, _ := r.conflictLink(b, a, r.pkgs[b], r.pkgs[a])
				return append(r.walkPath(w, a), re)
			}
		}
	}
	return nil
}

// conflictsOf returns the packages that a conflicts with or breaks.
func (r *problem) conflictsOf(a int32) []int32 {
	rel := r.relations(a)
	if rel == nil {
		return nil
	}
	var out []int32
	for _, field := range [2]deb.Relations{rel.Conflicts, rel.Breaks} {
		for _, alts := range field {
			for _, b := range r.matches(alts[0], r.pkgs[a], true) {
				if b != a && r.pkgs[b].Name != r.pkgs[a].Name {
					out = append(out, b)
				}
			}
		}
	}
	return out
}
