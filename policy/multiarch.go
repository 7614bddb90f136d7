package policy

// This file holds what the policy says about packages of several
// architectures: a plan that would leave two architectures' instances of
// a name installed is refused until the engine and the database key
// packages by (name, architecture), and always when dpkg owns one of
// them.

import (
	"fmt"

	"aim/resolver"
)

// CoinstallError refuses a plan that installs Package beside Beside, an
// installed instance of the same Multi-Arch: same package for another
// architecture.
type CoinstallError struct {
	Package, Beside *resolver.Package
	// Dpkg is true when Beside belongs to dpkg: installing another
	// architecture's instance needs dpkg's upgraded in step, which is
	// apt's job.
	Dpkg bool
}

func (e *CoinstallError) Error() string {
	name := e.Package.Name + ":" + e.Package.Arch
	beside := e.Beside.Name + ":" + e.Beside.Arch
	if e.Dpkg {
		return fmt.Sprintf("%s would be installed beside dpkg's %s: another architecture's instance of a Multi-Arch: same package moves with dpkg's, which aim leaves to apt (apt install %s)",
			name, beside, name)
	}
	return fmt.Sprintf("%s would be installed beside %s: aim does not install two architectures' instances of a package yet", name, beside)
}

// checkInstances refuses a plan whose new packages sit beside an
// installed package of the same name that the plan keeps.
func checkInstances(sys *System, plan *resolver.Plan) error {
	inst := sys.index()
	gone := map[string]bool{}
	for _, q := range plan.Remove {
		gone[q.Key()] = true
	}
	for _, c := range plan.Upgrade {
		gone[c.From.Key()] = true
	}
	news := map[string]*resolver.Package{}
	for _, q := range append(append([]*resolver.Package(nil), plan.Install...), upgradedTo(plan)...) {
		if other := news[q.Name]; other != nil {
			return &CoinstallError{Package: q, Beside: other}
		}
		news[q.Name] = q
		if in := inst[q.Name]; in != nil && !gone[in.Package.Key()] {
			return &CoinstallError{Package: q, Beside: in.Package, Dpkg: in.Dpkg}
		}
	}
	return nil
}

func upgradedTo(plan *resolver.Plan) []*resolver.Package {
	out := make([]*resolver.Package, 0, len(plan.Upgrade))
	for _, c := range plan.Upgrade {
		out = append(out, c.To)
	}
	return out
}
