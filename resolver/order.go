package resolver

import (
	"sort"

	"aim/deb"
)

// graph is the dependency graph among the packages of one part of a plan:
// an edge from a package to each package of the part that satisfies one of
// its Pre-Depends or Depends.
type graph struct {
	nodes []int32
	index map[int32]int
	edges [][]int // by node index, to node indexes
	pre   [][]bool
}

// order returns the steps for nodes: for installs and upgrades, what a
// package depends on first; for removals, dependents first.
func (p *problem) order(nodes []int32, marked []bool, removal bool, from map[int32]int32) []Step {
	sort.Slice(nodes, func(i, j int) bool { return p.pkgs[nodes[i]].Key() < p.pkgs[nodes[j]].Key() })
	g := &graph{nodes: nodes, index: map[int32]int{}}
	for i, v := range nodes {
		g.index[v] = i
	}
	g.edges, g.pre = make([][]int, len(nodes)), make([][]bool, len(nodes))
	for i, v := range nodes {
		if removal {
			p.removalEdges(g, i, v)
		} else {
			p.installEdges(g, i, v, marked)
		}
	}
	var steps []Step
	cycle := 0
	for _, scc := range g.components() {
		id := 0
		if len(scc) > 1 {
			cycle++
			id = cycle
			scc = g.preFirst(scc)
		}
		for _, i := range scc {
			steps = append(steps, p.step(nodes[i], removal, from, id))
		}
	}
	if removal {
		for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
			steps[i], steps[j] = steps[j], steps[i]
		}
	}
	return steps
}

func (p *problem) step(v int32, removal bool, from map[int32]int32, cycle int) Step {
	q := p.pkgs[v]
	switch old, ok := from[v]; {
	case removal:
		return Step{Action: Remove, Package: q, Cycle: cycle}
	case ok:
		return Step{Action: Upgrade, Package: q, From: p.pkgs[old], Cycle: cycle}
	default:
		return Step{Action: Install, Package: q, Cycle: cycle}
	}
}

// installEdges links v to the packages of the plan its dependencies chose.
func (p *problem) installEdges(g *graph, i int, v int32, marked []bool) {
	npre := 0
	if r := p.relations(v); r != nil {
		npre = len(r.PreDepends)
	}
	for k := p.goalFrom[v]; k < p.goalTo[v]; k++ {
		w := p.chosen(p.goals[k].lits, marked)
		if j, ok := g.index[w]; ok && j != i {
			g.edges[i] = append(g.edges[i], j)
			g.pre[i] = append(g.pre[i], k-p.goalFrom[v] < npre)
		}
	}
}

// removalEdges links removed package v to the removed packages it
// depends on by name.
func (p *problem) removalEdges(g *graph, i int, v int32) {
	r := p.relations(v)
	if r == nil {
		return
	}
	for k, deps := range [2][]deb.Alternatives{r.PreDepends, r.Depends} {
		for _, alts := range deps {
			for _, rel := range alts {
				for j, w := range g.nodes {
					if j != i && p.pkgs[w].Name == rel.Name {
						g.edges[i] = append(g.edges[i], j)
						g.pre[i] = append(g.pre[i], k == 0)
					}
				}
			}
		}
	}
}

// components returns the strongly connected components in an order where
// every component comes after those it has edges to (Tarjan's algorithm).
func (g *graph) components() [][]int {
	n := len(g.nodes)
	index, low := make([]int, n), make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range g.edges[v] {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var scc []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			sort.Ints(scc)
			out = append(out, scc)
		}
	}
	for v := 0; v < n; v++ {
		if index[v] < 0 {
			visit(v)
		}
	}
	return out
}

// preFirst orders a cycle so that every package's Pre-Depends inside it
// come before it where possible (Kahn's algorithm on the Pre-Depends
// edges, ties by name); what a Pre-Depends cycle leaves over follows in
// name order.
func (g *graph) preFirst(scc []int) []int {
	in := map[int]bool{}
	for _, i := range scc {
		in[i] = true
	}
	waiting := map[int]int{}
	for _, i := range scc {
		for k, j := range g.edges[i] {
			if g.pre[i][k] && in[j] {
				waiting[i]++
			}
		}
	}
	var out []int
	done := map[int]bool{}
	for len(out) < len(scc) {
		pick := -1
		for _, i := range scc {
			if !done[i] && waiting[i] == 0 {
				pick = i
				break
			}
		}
		if pick < 0 {
			for _, i := range scc {
				if !done[i] {
					pick = i
					break
				}
			}
		}
		done[pick] = true
		out = append(out, pick)
		for _, i := range scc {
			for k, j := range g.edges[i] {
				if j == pick && g.pre[i][k] && !done[i] {
					waiting[i]--
				}
			}
		}
	}
	return out
}
