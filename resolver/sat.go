package resolver

// This file is the clause-learning core: variables, clauses, watched
// literals, unit propagation, conflict analysis and backjumping. It knows
// nothing about packages; encode.go calls it.

// lit is a literal: variable v as 2v (true) or 2v+1 (false).
type lit int32

func posLit(v int32) lit { return lit(v << 1) }
func negLit(v int32) lit { return lit(v<<1 | 1) }
func (l lit) v() int32   { return int32(l >> 1) }
func (l lit) neg() bool  { return l&1 == 1 }
func (l lit) not() lit   { return l ^ 1 }
func (l lit) idx() int   { return int(l) }

// noReason marks a decision or an unassigned variable.
const noReason int32 = -1

// sat holds the assignment and the clause database.
type sat struct {
	assign   []int8  // by variable: 0 unassigned, 1 true, -1 false
	level    []int32 // by variable
	reason   []int32 // by variable: the clause that implied it
	seen     []bool  // by variable, scratch for analyze
	clauses  [][]lit
	watches  [][]int32 // by literal: clauses watching it
	trail    []lit
	trailLim []int // trail length at the start of each level
	qhead    int
	// onTrue is called once per variable the first time it becomes true,
	// before its watches are processed; it may add clauses.
	onTrue func(v int32) int32
}

// newVar adds a variable and returns it.
func (s *sat) newVar() int32 {
	v := int32(len(s.assign))
	s.assign = append(s.assign, 0)
	s.level = append(s.level, 0)
	s.reason = append(s.reason, noReason)
	s.seen = append(s.seen, false)
	s.watches = append(s.watches, nil, nil)
	return v
}

func (s *sat) decisionLevel() int32 { return int32(len(s.trailLim)) }

// value returns 1 when l is true, -1 when false, 0 when unassigned.
func (s *sat) value(l lit) int8 {
	a := s.assign[l.v()]
	if l.neg() {
		return -a
	}
	return a
}

// enqueue assigns l true with the given reason.
func (s *sat) enqueue(l lit, reason int32) {
	v := l.v()
	s.assign[v] = 1
	if l.neg() {
		s.assign[v] = -1
	}
	s.level[v] = s.decisionLevel()
	s.reason[v] = reason
	s.trail = append(s.trail, l)
}

// decide opens a new level and assigns l true there.
func (s *sat) decide(l lit) {
	s.trailLim = append(s.trailLim, len(s.trail))
	s.enqueue(l, noReason)
}

// addClause adds c under the current assignment and returns its index and
// the conflict it causes (noReason when none). Every literal of a clause
// added above level 0 that is false must be false at the current level or
// below, and the clause must have a literal at the current level or an
// unassigned one, which is how encode.go adds clauses.
func (s *sat) addClause(c []lit) (int32, int32) {
	ci := int32(len(s.clauses))
	s.clauses = append(s.clauses, c)
	if len(c) == 0 {
		return ci, ci
	}
	s.orderWatches(c)
	s.watches[c[0].idx()] = append(s.watches[c[0].idx()], ci)
	if len(c) > 1 {
		s.watches[c[1].idx()] = append(s.watches[c[1].idx()], ci)
	}
	switch {
	case s.value(c[0]) == 1:
	case s.value(c[0]) == 0 && (len(c) == 1 || s.value(c[1]) == -1):
		s.enqueue(c[0], ci)
	case s.value(c[0]) == -1:
		return ci, ci
	}
	return ci, noReason
}

// orderWatches moves the two best literals to the front: true ones, then
// unassigned ones, then false ones at the highest level.
func (s *sat) orderWatches(c []lit) {
	for k := 0; k < 2 && k < len(c); k++ {
		best := k
		for i := k + 1; i < len(c); i++ {
			if s.better(c[i], c[best]) {
				best = i
			}
		}
		c[k], c[best] = c[best], c[k]
	}
}

func (s *sat) better(a, b lit) bool {
	va, vb := s.value(a), s.value(b)
	if va != vb {
		return va > vb
	}
	return va == -1 && s.level[a.v()] > s.level[b.v()]
}

// propagate runs unit propagation to a fixpoint and returns a falsified
// clause, or noReason.
func (s *sat) propagate() int32 {
	for s.qhead < len(s.trail) {
		p := s.trail[s.qhead]
		s.qhead++
		if !p.neg() && s.onTrue != nil {
			if confl := s.onTrue(p.v()); confl != noReason {
				return confl
			}
		}
		if confl := s.propagateLit(p); confl != noReason {
			return confl
		}
	}
	return noReason
}

// propagateLit visits the clauses watching the negation of p, which has
// just become false.
func (s *sat) propagateLit(p lit) int32 {
	f := p.not()
	ws := s.watches[f.idx()]
	j := 0
	for i := 0; i < len(ws); i++ {
		ci := ws[i]
		c := s.clauses[ci]
		if len(c) == 1 { // a unit clause whose literal is now false
			ws[j] = ci
			j++
			j += copy(ws[j:], ws[i+1:])
			s.watches[f.idx()] = ws[:j]
			return ci
		}
		if c[0] == f {
			c[0], c[1] = c[1], c[0]
		}
		if s.value(c[0]) == 1 {
			ws[j] = ci
			j++
			continue
		}
		if s.moveWatch(c, ci) {
			continue
		}
		ws[j] = ci
		j++
		if s.value(c[0]) == -1 {
			j += copy(ws[j:], ws[i+1:])
			s.watches[f.idx()] = ws[:j]
			return ci
		}
		s.enqueue(c[0], ci)
	}
	s.watches[f.idx()] = ws[:j]
	return noReason
}

// moveWatch looks for a new literal to watch instead of c[1], which is
// false, and reports whether it found one.
func (s *sat) moveWatch(c []lit, ci int32) bool {
	for k := 2; k < len(c); k++ {
		if s.value(c[k]) != -1 {
			c[1], c[k] = c[k], c[1]
			s.watches[c[1].idx()] = append(s.watches[c[1].idx()], ci)
			return true
		}
	}
	return false
}

// analyze derives the first-UIP clause from the falsified clause confl and
// returns it (asserting literal first) with the level to go back to.
func (s *sat) analyze(confl int32) ([]lit, int32) {
	out := []lit{0}
	pathC, idx := 0, len(s.trail)-1
	var p lit = -1
	cur := s.decisionLevel()
	for {
		for _, q := range s.clauses[confl] {
			v := q.v()
			if p >= 0 && v == p.v() || s.seen[v] || s.level[v] == 0 {
				continue
			}
			s.seen[v] = true
			if s.level[v] == cur {
				pathC++
			} else {
				out = append(out, q)
			}
		}
		for !s.seen[s.trail[idx].v()] {
			idx--
		}
		p = s.trail[idx]
		idx--
		s.seen[p.v()] = false
		pathC--
		if pathC <= 0 {
			break
		}
		confl = s.reason[p.v()]
	}
	out[0] = p.not()
	back := int32(0)
	for i := 1; i < len(out); i++ {
		s.seen[out[i].v()] = false
		if l := s.level[out[i].v()]; l > back {
			back = l
			out[1], out[i] = out[i], out[1]
		}
	}
	return out, back
}

// backjump undoes every assignment above level.
func (s *sat) backjump(level int32) {
	if s.decisionLevel() <= level {
		return
	}
	lim := s.trailLim[level]
	for i := len(s.trail) - 1; i >= lim; i-- {
		v := s.trail[i].v()
		s.assign[v] = 0
		s.reason[v] = noReason
	}
	s.trail = s.trail[:lim]
	s.trailLim = s.trailLim[:level]
	s.qhead = lim
}

// learn handles a conflict: it returns false when the conflict is at
// level 0 (no solution), else learns a clause, backjumps and asserts it.
func (s *sat) learn(confl int32) bool {
	if s.decisionLevel() == 0 {
		return false
	}
	c, back := s.analyze(confl)
	s.backjump(back)
	ci := int32(len(s.clauses))
	s.clauses = append(s.clauses, c)
	s.watches[c[0].idx()] = append(s.watches[c[0].idx()], ci)
	if len(c) > 1 {
		s.watches[c[1].idx()] = append(s.watches[c[1].idx()], ci)
	}
	s.enqueue(c[0], ci)
	return true
}
