package policy

import (
	"fmt"

	"aim/deb"
	"aim/resolver"
)

// Want is one package the user asks for: a name, an architecture when
// given as NAME:ARCH, and a version when given as NAME=VERSION.
type Want struct {
	Name    string
	Arch    string
	Version string
}

// ParseWant reads "NAME", "NAME:ARCH", "NAME=VERSION" or
// "NAME:ARCH=VERSION".
func ParseWant(s string) (Want, error) {
	name, version, _ := cutByte(s, '=')
	name, arch, qualified := cutByte(name, ':')
	if err := deb.CheckPackageName(name); err != nil {
		return Want{}, err
	}
	if qualified {
		if err := deb.CheckArchName(arch); err != nil {
			return Want{}, fmt.Errorf("%s: %w", s, err)
		}
		if arch == "any" || arch == "all" {
			return Want{}, fmt.Errorf("%s: name an architecture packages are built for, not %q", s, arch)
		}
	}
	if version != "" {
		if _, err := deb.ParseVersionLax(version); err != nil {
			return Want{}, err
		}
	}
	return Want{Name: name, Arch: arch, Version: version}, nil
}

func cutByte(s string, c byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Install decides installing wants: each at its candidate (or the named
// version), with their dependencies and, unless opts says otherwise,
// recommendations. It never removes a package, with maemo's exception: an
// installed package that is not a user package, not essential, not
// flagged system-update and not dpkg's may be removed when a package of
// the plan both Conflicts with and Replaces it and nothing remaining
// depends on it. Held and dpkg's packages never change. A refused request
// returns a *resolver.ConflictError.
func Install(sys *System, wants []Want, opts Options) (*Outcome, error) {
	u := newUniverse(sys)
	inst := sys.index()
	wants, left := u.leaveToApt(wants, inst)
	if len(left) > 0 && !actionable(wants, inst) {
		return nil, &DpkgOwnedError{Packages: left}
	}
	req := baseRequest(sys, opts)
	for _, w := range wants {
		r, err := u.want(w, inst[w.Name], opts)
		if err != nil {
			return nil, err
		}
		req.Install = append(req.Install, r)
	}
	mayGo := replaceable(sys)
	for {
		req.MayRemove = keys(mayGo)
		plan, err := resolver.Solve(u, req)
		if err != nil {
			return nil, err
		}
		if err := checkInstances(sys, plan); err != nil {
			return nil, err
		}
		bad := badRemovals(u, plan)
		if len(bad) == 0 {
			return &Outcome{Plan: plan, Manual: manualOf(wants, plan, inst), HeldBack: left}, nil
		}
		for _, n := range bad {
			delete(mayGo, n)
		}
	}
}

// want turns a Want into a requested relation and records the universe
// preferences it implies.
func (u *universe) want(w Want, in *Installed, opts Options) (deb.Relation, error) {
	r := deb.Relation{Name: w.Name, Arch: w.Arch}
	if w.Arch == u.sys.Arch {
		r.Arch = "native" // "all" builds count as native
	}
	u.prefer[w.Name] = true
	if w.Version == "" {
		return r, nil
	}
	v, err := deb.ParseVersionLax(w.Version)
	if err != nil {
		return r, fmt.Errorf("install %s=%s: %w", w.Name, w.Version, err)
	}
	r.Op, r.Version = deb.OpEQ, v
	if in != nil && deb.CompareVersions(v, in.Package.Version) < 0 {
		if !opts.AllowDowngrades {
			return r, fmt.Errorf("install %s=%s: that would downgrade %s from %s (use --allow-downgrades)",
				w.Name, w.Version, w.Name, in.Package.Version)
		}
		u.downgrade[w.Name] = true
	}
	return r, nil
}

// baseRequest is a request that keeps every installed package and locks
// held and dpkg's ones.
func baseRequest(sys *System, opts Options) *resolver.Request {
	req := &resolver.Request{Arch: sys.Arch, Installed: sys.installedPackages(), Recommends: !opts.NoRecommends}
	for _, in := range sys.Installed {
		if in.Held || in.Dpkg {
			req.Lock = append(req.Lock, in.Package.Name)
		}
		if in.Dpkg {
			if req.LockReasons == nil {
				req.LockReasons = map[string]string{}
			}
			req.LockReasons[in.Package.Name] = dpkgLockReason
		}
	}
	return req
}

// replaceable returns the installed packages maemo's Conflicts+Replaces
// exception may remove.
func replaceable(sys *System) map[string]bool {
	m := map[string]bool{}
	for i := range sys.Installed {
		in := &sys.Installed[i]
		if !in.Package.User && !in.Held && !in.Dpkg && !in.SystemUpdate && !in.essential() {
			m[in.Package.Name] = true
		}
	}
	return m
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// badRemovals returns the removed packages that the plan may not remove:
// no package it installs both Conflicts with and Replaces them, or a
// package that stays depends on them.
func badRemovals(u *universe, plan *resolver.Plan) []string {
	var bad []string
	final := finalSet(u, plan)
	for _, gone := range plan.Remove {
		if !replacedBy(u, gone, plan) || dependedOn(u, gone, final) {
			bad = append(bad, gone.Name)
		}
	}
	return bad
}

// replacedBy reports whether a package the plan installs or upgrades
// both Conflicts with (or Breaks) and Replaces gone.
func replacedBy(u *universe, gone *resolver.Package, plan *resolver.Plan) bool {
	goneRel, _ := u.Relations(gone)
	for _, s := range plan.Steps {
		if s.Action == resolver.Remove {
			continue
		}
		rel, err := u.Relations(s.Package)
		if err != nil {
			continue
		}
		conflicts := append(append(deb.Relations{}, rel.Conflicts...), rel.Breaks...)
		if names(conflicts, gone, goneRel) && names(rel.Replaces, gone, goneRel) {
			return true
		}
	}
	return false
}

// names reports whether one of rels refers to package q (by name and
// version, or through q's Provides).
func names(rels deb.Relations, q *resolver.Package, qRel *resolver.Relations) bool {
	for _, alts := range rels {
		for _, r := range alts {
			if refersTo(r, q, qRel) {
				return true
			}
		}
	}
	return false
}

func refersTo(r deb.Relation, q *resolver.Package, qRel *resolver.Relations) bool {
	if r.Name == q.Name {
		return r.SatisfiedBy(q.Version)
	}
	if qRel == nil {
		return false
	}
	for _, alts := range qRel.Provides {
		p := alts[0]
		if p.Name == r.Name && (r.Op == deb.OpNone || p.Op == deb.OpEQ && r.SatisfiedBy(p.Version)) {
			return true
		}
	}
	return false
}

// dependedOn reports whether a package of final depends on gone (a
// Pre-Depends or Depends alternative it satisfies).
func dependedOn(u *universe, gone *resolver.Package, final []*resolver.Package) bool {
	goneRel, _ := u.Relations(gone)
	for _, q := range final {
		rel, err := u.Relations(q)
		if err != nil {
			continue
		}
		if names(append(append(deb.Relations{}, rel.PreDepends...), rel.Depends...), gone, goneRel) {
			return true
		}
	}
	return false
}

// finalSet returns the packages installed after the plan.
func finalSet(u *universe, plan *resolver.Plan) []*resolver.Package {
	gone := map[string]bool{}
	for _, q := range plan.Remove {
		gone[q.Name] = true
	}
	for _, c := range plan.Upgrade {
		gone[c.From.Name] = true
	}
	var out []*resolver.Package
	for _, in := range u.sys.Installed {
		if !gone[in.Package.Name] {
			out = append(out, in.Package)
		}
	}
	for _, s := range plan.Steps {
		if s.Action != resolver.Remove {
			out = append(out, s.Package)
		}
	}
	return out
}

// manualOf returns the wanted names, which become manually installed;
// dpkg's packages are not aim's to mark.
func manualOf(wants []Want, plan *resolver.Plan, inst map[string]*Installed) []string {
	inPlan := map[string]bool{}
	for _, s := range plan.Steps {
		inPlan[s.Package.Name] = true
	}
	var out []string
	for _, w := range wants {
		if in := inst[w.Name]; in != nil && in.Dpkg {
			continue // dpkg keeps its own records
		}
		if inst[w.Name] != nil || inPlan[w.Name] {
			out = append(out, w.Name)
		}
	}
	sortStrings(out)
	return out
}
