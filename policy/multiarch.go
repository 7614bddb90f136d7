package policy

// This file holds what the policy says about packages of several
// architectures: the instances of a Multi-Arch: same package that aim
// installs sit side by side (the engine and the database key packages by
// name and architecture), but aim never installs one beside an instance
// dpkg owns.

import (
	"fmt"

	"aim/resolver"
)

// CoinstallError refuses a plan that installs Package beside Beside, an
// installed instance of the same Multi-Arch: same package for another
// architecture that dpkg owns: installing another architecture's
// instance needs dpkg's upgraded in step, which is apt's job.
type CoinstallError struct {
	Package, Beside *resolver.Package
	// Dpkg is true when Beside belongs to dpkg (always, for the errors
	// policy returns now).
	Dpkg bool
}

func (e *CoinstallError) Error() string {
	name := e.Package.Name + ":" + e.Package.Arch
	beside := e.Beside.Name + ":" + e.Beside.Arch
	if e.Dpkg {
		return fmt.Sprintf("%s would be installed beside dpkg's %s: another architecture's instance of a Multi-Arch: same package moves with dpkg's, which aim leaves to apt (apt install %s)",
			name, beside, name)
	}
	return fmt.Sprintf("%s would be installed beside %s", name, beside)
}

// checkInstances refuses a plan whose new packages sit beside an
// instance of the same name, of another architecture, that dpkg owns
// and the plan keeps.
func checkInstances(sys *System, plan *resolver.Plan) error {
	all := sys.instances()
	gone := map[string]bool{}
	for _, q := range plan.Remove {
		gone[q.Key()] = true
	}
	for _, c := range plan.Upgrade {
		gone[c.From.Key()] = true
	}
	for _, q := range append(append([]*resolver.Package(nil), plan.Install...), upgradedTo(plan)...) {
		for _, in := range all[q.Name] {
			if in.Dpkg && !gone[in.Package.Key()] {
				return &CoinstallError{Package: q, Beside: in.Package, Dpkg: true}
			}
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
