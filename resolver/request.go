package resolver

import "aim/deb"

// Request is one resolution problem: the installed set, what must change
// and what may.
//
// Every installed package is kept installed (at some version the universe
// offers) unless its name is in Remove or MayRemove; names in Lock keep
// their installed version exactly. Installed Essential packages are always
// kept.
type Request struct {
	// Arch is the native architecture; packages of architecture "all"
	// count as native.
	Arch string
	// Installed is the installed set. Each package should also be among
	// the universe's Packages for its name, with Installed set.
	Installed []*Package
	// Install lists what must be installed afterwards: a real package
	// called Name whose version satisfies the relation, or, when no real
	// package has that name, a package that provides it.
	Install []deb.Relation
	// Remove lists names that must not be installed afterwards; NAME:ARCH
	// removes only that architecture's instance ("all" counting as
	// native), as when one of a Multi-Arch: same package's instances goes.
	Remove []string
	// MayRemove lists installed names the resolver may remove when that is
	// the only way to satisfy the request; they are kept otherwise.
	MayRemove []string
	// Lock lists installed names whose installed version must not change.
	Lock []string
	// LockReasons says, by locked name, why it keeps its version, as
	// explanations word it after the package ("belongs to dpkg"); a name
	// without one "is held at its version".
	LockReasons map[string]string
	// Recommends makes the resolver install recommended packages where it
	// can. A recommendation never makes a request fail and never changes
	// which alternative satisfies a dependency.
	Recommends bool
}

// Action is what a plan does to one package.
type Action uint8

// The actions of a plan step.
const (
	Install Action = iota + 1
	Upgrade        // a version change, downgrades included
	Remove
)

// String returns "install", "upgrade" or "remove".
func (a Action) String() string {
	switch a {
	case Install:
		return "install"
	case Upgrade:
		return "upgrade"
	case Remove:
		return "remove"
	}
	return "none"
}

// Change is an installed package replaced by another version.
type Change struct {
	From, To *Package
}

// Step is one action of a plan in execution order. Steps with the same
// non-zero Cycle form a dependency cycle: dpkg unpacks them all before
// configuring any.
type Step struct {
	Action  Action
	Package *Package // the package installed, the new version, or the one removed
	From    *Package // for Upgrade, the installed version
	Cycle   int
}

// Plan is the resolver's answer: the changes that take the installed set
// to one that satisfies the request and every relation.
//
// Install, Upgrade and Remove are sorted by name. Steps holds the same
// changes in an order dpkg can execute: removals first (dependents before
// what they depend on), then installs and upgrades with every package's
// Pre-Depends and Depends before it, except inside cycles, where
// Pre-Depends still come first.
type Plan struct {
	Install []*Package
	Upgrade []Change
	Remove  []*Package
	Steps   []Step
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	return len(p.Install)+len(p.Upgrade)+len(p.Remove) == 0
}
