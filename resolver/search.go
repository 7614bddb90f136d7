package resolver

import (
	"strings"

	"aim/deb"
)

// Solve finds a plan that takes req.Installed to a set where every
// requested package is installed, nothing in req.Remove is, every
// Pre-Depends and Depends is satisfied and no Conflicts or Breaks holds
// between installed packages, changing only what req allows.
//
// Solve is complete (it finds a plan whenever one exists within what req
// allows), deterministic (the same universe and request give the same
// plan) and minimal: no new package can be left out of the plan without
// breaking it, recommended packages aside. When there is no plan it
// returns a *ConflictError.
func Solve(u Universe, req *Request) (*Plan, error) {
	p := newProblem(u, req)
	if err := p.setup(); err != nil {
		return nil, err
	}
	if !p.search() {
		return nil, p.explain()
	}
	return p.plan(), nil
}

// setup adds the clauses and goals of the request: installed packages to
// keep, names to remove and packages to install.
func (p *problem) setup() error {
	removing := setOf(p.req.Remove)
	may := setOf(p.req.MayRemove)
	for _, n := range p.req.Lock {
		p.locked[n] = true
	}
	var soft []goal
	for _, q := range p.req.Installed {
		v := p.varOf(q)
		p.installed = append(p.installed, v)
		r := p.relations(v)
		essential := r != nil && r.Essential
		gone := removing[q.Name] || removing[q.Name+":"+p.effArch(q)]
		switch {
		case gone && essential:
			return p.essentialError(q)
		case gone:
		case p.locked[q.Name]:
			p.addSetup([]lit{posLit(v)}, origin{kind: kindLock, owner: v})
		case may[q.Name] && !essential:
			soft = append(soft, goal{lits: p.slotLits(v), soft: true})
		default:
			c := p.slotLits(v)
			p.addSetup(c, origin{kind: kindKeep, owner: v})
			p.goals = append(p.goals, goal{lits: c})
		}
	}
	for _, n := range p.req.Remove {
		name, arch, _ := strings.Cut(n, ":")
		for _, w := range p.group(name) {
			if arch == "" || p.effArch(p.pkgs[w]) == arch {
				p.addSetup([]lit{negLit(w)}, origin{kind: kindRemove, owner: w})
			}
		}
	}
	p.goals = append(p.goals, soft...)
	for i, r := range p.req.Install {
		c := p.requested(r)
		if len(c) == 0 {
			return p.missingError(r)
		}
		p.addSetup(c, origin{kind: kindRequest, owner: int32(i)})
		p.reqLits = append(p.reqLits, c)
		p.goals = append(p.goals, goal{lits: c})
	}
	return nil
}

func setOf(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// addSetup adds a level-0 clause; a conflict there means no solution.
func (p *problem) addSetup(c []lit, o origin) {
	if p.add(c, o) != noReason {
		p.unsat = true
	}
}

// slotLits returns the literals of the versions that can take installed
// package v's place: every version of its name, except that an instance
// of a Multi-Arch: same package is kept by a version of its architecture
// (another architecture's instance sits beside it, not in its place).
func (p *problem) slotLits(v int32) []lit {
	var c []lit
	same := p.relations(v) != nil && p.relations(v).MultiArch == MultiArchSame
	for _, w := range p.group(p.pkgs[v].Name) {
		if !same || p.effArch(p.pkgs[w]) == p.effArch(p.pkgs[v]) {
			c = append(c, posLit(w))
		}
	}
	return c
}

// requested returns the literals that satisfy one requested relation:
// real packages of the name, else providers.
func (p *problem) requested(r deb.Relation) []lit {
	native := &Package{Arch: p.req.Arch}
	var c []lit
	for _, w := range p.matches(r, native, false) {
		if p.pkgs[w].Name == r.Name {
			c = append(c, posLit(w))
		}
	}
	if len(c) == 0 && len(p.group(r.Name)) == 0 {
		for _, w := range p.matches(r, native, false) {
			c = append(c, posLit(w))
		}
	}
	return c
}

// search runs the CDCL loop and reports whether a solution was found.
func (p *problem) search() bool {
	if p.unsat {
		return false
	}
	for {
		if confl := p.propagate(); confl != noReason {
			if !p.learn(confl) {
				p.final = confl
				return false
			}
			p.gp, p.sp, p.revisit = 0, 0, p.revisit[:0]
			continue
		}
		l, ok := p.next()
		if !ok {
			return true
		}
		p.decide(l)
	}
}

// next picks the next decision: the preferred literal of the first hard
// goal that is active and unsatisfied, else of the first such soft goal.
func (p *problem) next() (lit, bool) {
	for len(p.revisit) > 0 {
		v := p.revisit[0]
		for i := p.goalFrom[v]; i < p.goalTo[v]; i++ {
			if l, ok := p.open(&p.goals[i]); ok {
				return l, true
			}
		}
		p.revisit = p.revisit[1:]
	}
	for ; p.gp < len(p.goals); p.gp++ {
		if l, ok := p.open(&p.goals[p.gp]); ok {
			return l, true
		}
	}
	for ; p.sp < len(p.soft); p.sp++ {
		if l, ok := p.open(&p.soft[p.sp]); ok {
			return l, true
		}
	}
	return 0, false
}

// open returns the literal to decide for goal g, if g is active and not
// yet satisfied: the first unassigned positive literal.
func (p *problem) open(g *goal) (lit, bool) {
	if g.owner != 0 && p.value(posLit(g.owner)) != 1 {
		return 0, false
	}
	var pick lit = -1
	for _, l := range g.lits {
		switch p.value(l) {
		case 1:
			return 0, false
		case 0:
			if pick < 0 && !l.neg() {
				pick = l
			}
		}
	}
	return pick, pick >= 0
}

// retrue is called when an already expanded package becomes true again:
// its goals may lie behind the scan position.
func (p *problem) retrue(v int32) {
	if p.goalFrom[v] < p.gp {
		p.revisit = append(p.revisit, v)
	}
	if p.softFrom[v] < p.sp {
		p.sp = p.softFrom[v]
	}
}
