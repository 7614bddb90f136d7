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
	kept, installed := map[int32]bool{}, make(map[int32]bool, len(p.installed))
	for _, v := range p.installed {
		installed[v] = true
	}
	var changed []int32
	for v := int32(1); v < int32(len(p.assign)); v++ {
		if marked[v] && p.assign[v] == 1 {
			if installed[v] {
				kept[v] = true
			} else {
				changed = append(changed, v)
			}
		}
	}
	from := p.replaced(changed, kept)
	plan := &Plan{}
	for _, v := range changed {
		if old, ok := from[v]; ok {
			plan.Upgrade = append(plan.Upgrade, Change{From: p.pkgs[old], To: p.pkgs[v]})
		} else {
			plan.Install = append(plan.Install, p.pkgs[v])
		}
	}
	gone := map[int32]bool{}
	for _, old := range from {
		gone[old] = true
	}
	var removed []int32
	for _, v := range p.installed {
		if !kept[v] && !gone[v] {
			plan.Remove = append(plan.Remove, p.pkgs[v])
			removed = append(removed, v)
		}
	}
	sortPlan(plan)
	plan.Steps = append(p.order(removed, marked, true, from), p.order(changed, marked, false, from)...)
	return plan
}

// replaced maps each new package to the installed one it replaces: the
// installed instance of its name and architecture, else one of its name
// it cannot be installed beside (an architecture change). Each installed
// package is replaced at most once; kept ones never.
func (p *problem) replaced(changed []int32, kept map[int32]bool) map[int32]int32 {
	from := map[int32]int32{}
	used := map[int32]bool{}
	for pass := 0; pass < 2; pass++ {
		for _, v := range changed {
			if _, ok := from[v]; ok {
				continue
			}
			for _, old := range p.installed {
				q, o := p.pkgs[v], p.pkgs[old]
				if kept[old] || used[old] || o.Name != q.Name {
					continue
				}
				if pass == 0 && p.effArch(o) == p.effArch(q) || pass == 1 && !p.coinstallable(v, old) {
					from[v], used[old] = old, true
					break
				}
			}
		}
	}
	return from
}

func sortPlan(plan *Plan) {
	sort.Slice(plan.Install, func(i, j int) bool { return plan.Install[i].Key() < plan.Install[j].Key() })
	sort.Slice(plan.Upgrade, func(i, j int) bool { return plan.Upgrade[i].To.Key() < plan.Upgrade[j].To.Key() })
	sort.Slice(plan.Remove, func(i, j int) bool { return plan.Remove[i].Key() < plan.Remove[j].Key() })
}
