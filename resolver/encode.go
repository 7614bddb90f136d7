package resolver

import (
	"aim/deb"
)

// clauseKind says where a clause comes from, for explanations.
type clauseKind uint8

const (
	kindLearnt clauseKind = iota
	kindDepends
	kindPreDepends
	kindConflicts
	kindBreaks
	kindOneVersion
	kindRequest
	kindKeep
	kindLock
	kindRemove
	kindBroken
)

// origin records why a clause exists.
type origin struct {
	kind  clauseKind
	owner int32            // the package whose field it is, 0 when none
	rel   deb.Relation     // the relation behind a conflict
	alts  deb.Alternatives // the dependency behind a depends clause
}

// maxGoal marks a package without goals.
const maxGoal = int(^uint(0) >> 1)

// goal is a clause the search must make true once its owner is true
// (always, for owner 0). Soft goals may be left unsatisfied.
type goal struct {
	lits  []lit
	owner int32
	soft  bool
	pre   bool             // from Pre-Depends
	alts  deb.Alternatives // the relation behind a dependency goal
}

// problem is one run of the solver over a universe.
type problem struct {
	sat
	u       Universe
	req     *Request
	pkgs    []*Package   // by variable; index 0 is unused
	rels    []*Relations // by variable, once loaded
	relErr  []error
	done    []bool // by variable: clauses added
	byKey   map[string]int32
	byName  map[string][]int32
	provs   map[string][]Provided
	origins []origin // by clause, for clauses added by encode
	goals   []goal   // hard goals in order
	soft    []goal   // recommendations
	locked  map[string]bool

	installed []int32 // variables of the installed packages
	unsat     bool    // a level-0 clause is false
	final     int32   // the clause of the last conflict, when unsatisfiable
	// The search's scan positions in goals and soft, the expanded
	// packages whose goals need another look, and each package's goals.
	gp, sp           int
	revisit          []int32
	goalFrom, goalTo []int
	softFrom, softTo []int
	reqLits          [][]lit  // the clause of each requested relation
	lockNames        []string // for explanations: the locks of the request being explained
}

func newProblem(u Universe, req *Request) *problem {
	p := &problem{u: u, req: req, byKey: map[string]int32{}, byName: map[string][]int32{},
		provs: map[string][]Provided{}, locked: map[string]bool{}}
	p.newVar() // variable 0 is unused
	p.onTrue = p.expand
	return p
}

func (p *problem) newVar() int32 {
	v := p.sat.newVar()
	p.pkgs = append(p.pkgs, nil)
	p.rels = append(p.rels, nil)
	p.relErr = append(p.relErr, nil)
	p.done = append(p.done, false)
	p.goalFrom = append(p.goalFrom, maxGoal)
	p.goalTo = append(p.goalTo, maxGoal)
	p.softFrom = append(p.softFrom, maxGoal)
	p.softTo = append(p.softTo, maxGoal)
	return v
}

// group returns the variables of the real packages called name, creating
// them and their one-version-per-architecture clauses on first use.
func (p *problem) group(name string) []int32 {
	if g, ok := p.byName[name]; ok {
		return g
	}
	pk := p.u.Packages(name)
	g := make([]int32, 0, len(pk))
	for _, q := range pk {
		k := q.Key()
		if _, dup := p.byKey[k]; dup {
			continue
		}
		v := p.newVar()
		p.pkgs[v] = q
		p.byKey[k] = v
		g = append(g, v)
	}
	p.byName[name] = g
	for i, a := range g {
		for _, b := range g[i+1:] {
			if p.sameSlot(a, b) {
				p.add([]lit{negLit(a), negLit(b)}, origin{kind: kindOneVersion})
			}
		}
	}
	return g
}

// sameSlot reports whether two versions of a name can't be installed
// together: always, except Multi-Arch: same packages of different
// architectures at the same version (dpkg's rule: the instances of a
// Multi-Arch: same package move together).
func (p *problem) sameSlot(a, b int32) bool { return !p.coinstallable(a, b) }

// coinstallable reports whether a and b, versions of one name, may be
// installed together: both Multi-Arch: same, for different architectures,
// at equal versions.
func (p *problem) coinstallable(a, b int32) bool {
	qa, qb := p.pkgs[a], p.pkgs[b]
	if p.effArch(qa) == p.effArch(qb) || deb.CompareVersions(qa.Version, qb.Version) != 0 {
		return false
	}
	ra, rb := p.relations(a), p.relations(b)
	return ra != nil && rb != nil && ra.MultiArch == MultiArchSame && rb.MultiArch == MultiArchSame
}

// varOf returns the variable of q, creating it when needed.
func (p *problem) varOf(q *Package) int32 {
	p.group(q.Name)
	if v, ok := p.byKey[q.Key()]; ok {
		return v
	}
	v := p.newVar()
	p.pkgs[v] = q
	p.byKey[q.Key()] = v
	return v
}

func (p *problem) providers(name string) []Provided {
	if pr, ok := p.provs[name]; ok {
		return pr
	}
	pr := p.u.Providers(name)
	p.provs[name] = pr
	return pr
}

// relations returns the loaded relations of v, nil when they are broken.
func (p *problem) relations(v int32) *Relations {
	if p.rels[v] == nil && p.relErr[v] == nil {
		r, err := p.u.Relations(p.pkgs[v])
		if err == nil && r == nil {
			r = &Relations{}
		}
		p.rels[v], p.relErr[v] = r, err
	}
	return p.rels[v]
}

// add adds a clause with its origin and returns the conflict it causes.
func (p *problem) add(c []lit, o origin) int32 {
	ci, confl := p.addClause(append([]lit(nil), c...))
	for len(p.origins) < int(ci) {
		p.origins = append(p.origins, origin{})
	}
	p.origins = append(p.origins, o)
	return confl
}

// expand adds the clauses of package v, which has just become true: its
// dependencies, conflicts and breaks. It runs once per variable.
func (p *problem) expand(v int32) int32 {
	if p.done[v] {
		p.retrue(v)
		return noReason
	}
	p.done[v] = true
	r := p.relations(v)
	if r == nil {
		return p.add([]lit{negLit(v)}, origin{kind: kindBroken, owner: v})
	}
	p.goalFrom[v] = len(p.goals)
	confl := p.addDeps(v, r.PreDepends, kindPreDepends, noReason)
	confl = p.addDeps(v, r.Depends, kindDepends, confl)
	p.goalTo[v] = len(p.goals)
	confl = p.addConflicts(v, r.Conflicts, kindConflicts, confl)
	confl = p.addConflicts(v, r.Breaks, kindBreaks, confl)
	if p.req.Recommends {
		p.softFrom[v] = len(p.soft)
		for _, alts := range r.Recommends {
			p.soft = append(p.soft, goal{lits: p.satisfiers(v, alts), owner: v, soft: true, alts: alts})
		}
		p.softTo[v] = len(p.soft)
	}
	return confl
}

// firstConflict keeps the first conflict found.
func firstConflict(old, c int32) int32 {
	if old != noReason {
		return old
	}
	return c
}

// addDeps adds every clause even after a conflict, since a package is
// expanded once; it returns the first conflict.
func (p *problem) addDeps(v int32, rels deb.Relations, kind clauseKind, confl int32) int32 {
	for _, alts := range rels {
		c := append([]lit{negLit(v)}, p.satisfiers(v, alts)...)
		confl = firstConflict(confl, p.add(c, origin{kind: kind, owner: v, alts: alts}))
		p.goals = append(p.goals, goal{lits: c, owner: v, pre: kind == kindPreDepends, alts: alts})
	}
	return confl
}

func (p *problem) addConflicts(v int32, rels deb.Relations, kind clauseKind, confl int32) int32 {
	self := p.pkgs[v]
	for _, alts := range rels {
		for _, r := range alts {
			for _, w := range p.matches(r, self, true) {
				if w == v || p.pkgs[w].Name == self.Name {
					continue
				}
				confl = firstConflict(confl, p.add([]lit{negLit(v), negLit(w)}, origin{kind: kind, owner: v, rel: r}))
			}
		}
	}
	return confl
}

// satisfiers returns the literals of every package that satisfies one of
// the alternatives, in preference order without duplicates.
func (p *problem) satisfiers(from int32, alts deb.Alternatives) []lit {
	var out []lit
	for _, r := range alts {
		for _, w := range p.matches(r, p.pkgs[from], false) {
			l := posLit(w)
			if !containsLit(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

func containsLit(ls []lit, l lit) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// matches returns the variables of the packages a relation of package
// from refers to: real packages first (universe order), then providers,
// installed ones first. A conflict (conflict set) reads the architecture
// qualifier as dpkg does for Conflicts and Breaks (conflictArchOK).
func (p *problem) matches(r deb.Relation, from *Package, conflict bool) []int32 {
	var out []int32
	for _, w := range p.group(r.Name) {
		q := p.pkgs[w]
		if !r.SatisfiedBy(q.Version) {
			continue
		}
		if conflict && p.conflictArchOK(r, w) || !conflict && p.archOK(r, w, from) {
			out = append(out, w)
		}
	}
	var later []int32
	for _, pr := range p.providers(r.Name) {
		if r.Op != deb.OpNone && (pr.Version.IsZero() || !r.SatisfiedBy(pr.Version)) {
			continue
		}
		if conflict && pr.Package.Key() == from.Key() {
			continue
		}
		w := p.varOf(pr.Package)
		if conflict && !p.conflictArchOK(r, w) || !conflict && !p.providerArchOK(r, w, from) {
			continue
		}
		if pr.Package.Installed {
			out = append(out, w)
		} else {
			later = append(later, w)
		}
	}
	return append(out, later...)
}

// effArch returns the architecture a package counts as: native for "all".
func (p *problem) effArch(q *Package) string {
	if q.Arch == "all" || q.Arch == "" {
		return p.req.Arch
	}
	return q.Arch
}

// archOK applies Multi-Arch to a dependency of from on real package w.
func (p *problem) archOK(r deb.Relation, w int32, from *Package) bool {
	q := p.pkgs[w]
	switch r.Arch {
	case "any":
		rel := p.relations(w)
		return rel != nil && rel.MultiArch == MultiArchAllowed
	case "", "native":
		if r.Arch == "native" {
			return p.effArch(q) == p.req.Arch
		}
		if p.effArch(q) == p.effArch(from) {
			return true
		}
		rel := p.relations(w)
		return rel != nil && rel.MultiArch == MultiArchForeign
	default:
		return p.effArch(q) == r.Arch
	}
}

// providerArchOK applies Multi-Arch to a dependency satisfied through
// Provides: a provider of the same architecture, or a Multi-Arch: foreign
// one, satisfies; ":any" takes foreign and allowed providers too.
func (p *problem) providerArchOK(r deb.Relation, w int32, from *Package) bool {
	q := p.pkgs[w]
	if r.Arch == "any" || r.Arch == "" {
		if p.effArch(q) == p.effArch(from) {
			return true
		}
		rel := p.relations(w)
		return rel != nil && (rel.MultiArch == MultiArchForeign || r.Arch == "any" && rel.MultiArch == MultiArchAllowed)
	}
	return p.effArch(q) == r.Arch || r.Arch == "native" && p.effArch(q) == p.req.Arch
}

// conflictArchOK applies an architecture qualifier of a Conflicts or
// Breaks relation to package w, as dpkg reads it: unqualified and ":any"
// name every architecture; ":native" and ":ARCH" name that architecture
// only ("all" packages count as native).
func (p *problem) conflictArchOK(r deb.Relation, w int32) bool {
	switch r.Arch {
	case "", "any":
		return true
	case "native":
		return p.effArch(p.pkgs[w]) == p.req.Arch
	default:
		return p.effArch(p.pkgs[w]) == r.Arch
	}
}
