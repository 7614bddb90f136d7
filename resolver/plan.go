package resolver

import (
	"sort"
)

// needed returns the true packages the solution needs: the installed
// names that stay, the requested packages, and whatever their
// dependencies (and, when asked, recommendations) reach. Everything else
// the search set true is dropped, which makes the plan irreducible.
func (p *problem) needed() []bool {
	marked := make([]bool, len(p.assign))
	var queue []int32
	mark := func(v int32) {
		if !marked[v] {
			marked[v] = true
			queue = append(queue, v)
		}
	}
	for _, v := range p.installed {
		for _, w := range p.group(p.pkgs[v].Name) {
			if p.assign[w] == 1 {
				mark(w)
			}
		}
	}
	for _, c := range p.reqLits {
		mark(p.chosen(c, marked))
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for i := p.goalFrom[v]; i < p.goalTo[v]; i++ {
			mark(p.chosen(p.goals[i].lits, marked))
		}
		for i := p.softFrom[v]; i < p.softTo[v]; i++ {
			if w := p.chosen(p.soft[i].lits, marked); w != 0 {
				mark(w)
			}
		}
	}
	return marked
}

// chosen returns the package that satisfies a positive clause in the
// solution: one already needed if any, else the first true one; 0 when
// none is true.
func (p *problem) chosen(c []lit, marked []bool) int32 {
	first := int32(0)
	for _, l := range c {
		if l.neg() || p.value(l) != 1 {
			continue
		}
		if marked[l.v()] {
			return l.v()
		}
		if first == 0 {
			first = l.v()
		}
	}
	return first
}

// plan turns the solution into a Plan.
func (p *problem) plan() *Plan {
	marked := p.needed()
	inst := map[string]int32{}
	for _, v := range p.installed {
		inst[p.pkgs[v].Name] = v
	}
	plan := &Plan{}
	var changed []int32
	for v := int32(1); v < int32(len(p.assign)); v++ {
		if !marked[v] || p.assign[v] != 1 {
			continue
		}
		q := p.pkgs[v]
		old, was := inst[q.Name]
		switch {
		case was && old == v:
			continue
		case was:
			plan.Upgrade = append(plan.Upgrade, Change{From: p.pkgs[old], To: q})
		default:
			plan.Install = append(plan.Install, q)
		}
		changed = append(changed, v)
	}
	var removed []int32
	for _, v := range p.installed {
		if !p.anyMarked(p.pkgs[v].Name, marked) {
			plan.Remove = append(plan.Remove, p.pkgs[v])
			removed = append(removed, v)
		}
	}
	sortPlan(plan)
	plan.Steps = append(p.order(removed, marked, true, inst), p.order(changed, marked, false, inst)...)
	return plan
}

func (p *problem) anyMarked(name string, marked []bool) bool {
	for _, w := range p.group(name) {
		if marked[w] && p.assign[w] == 1 {
			return true
		}
	}
	return false
}

func sortPlan(plan *Plan) {
	sort.Slice(plan.Install, func(i, j int) bool { return plan.Install[i].Key() < plan.Install[j].Key() })
	sort.Slice(plan.Upgrade, func(i, j int) bool { return plan.Upgrade[i].To.Key() < plan.Upgrade[j].To.Key() })
	sort.Slice(plan.Remove, func(i, j int) bool { return plan.Remove[i].Key() < plan.Remove[j].Key() })
}
