package policy

import (
	"aim/deb"
	"aim/resolver"
)

// Upgrade decides moving installed packages to their candidates. It may
// install new dependencies (and recommendations, unless opts says not)
// but never removes anything: a package whose upgrade would need a
// removal, or a change the policy refuses, stays at its version and is
// listed in HeldBack, as are held and dpkg's packages with a newer
// candidate.
func Upgrade(sys *System, opts Options) (*Outcome, error) {
	u := newUniverse(sys)
	out := &Outcome{}
	targets := map[string]string{}
	for _, in := range sys.Installed {
		cand := u.available(in.Package.Name)
		if len(cand) == 0 || deb.CompareVersions(cand[0].Package.Version, in.Package.Version) <= 0 {
			continue
		}
		hb := HeldBack{Name: in.Package.Name, Installed: in.Package.Version.String(), Candidate: cand[0].Package.Version.String()}
		switch {
		case in.Held:
			hb.Reason = "held"
		case in.Dpkg:
			hb.Reason = "dpkg"
		default:
			u.prefer[in.Package.Name] = true
			targets[in.Package.Name] = hb.Candidate
			continue
		}
		out.HeldBack = append(out.HeldBack, hb)
	}
	plan, err := resolver.Solve(u, baseRequest(sys, opts))
	if err != nil {
		return nil, err
	}
	out.Plan = plan
	out.HeldBack = append(out.HeldBack, heldBack(sys, plan, targets)...)
	sortHeld(out.HeldBack)
	return out, nil
}

// heldBack lists the targets the plan did not move to their candidate.
func heldBack(sys *System, plan *resolver.Plan, targets map[string]string) []HeldBack {
	moved := map[string]string{}
	for _, c := range plan.Upgrade {
		moved[c.To.Name] = c.To.Version.String()
	}
	var out []HeldBack
	for _, in := range sys.Installed {
		n := in.Package.Name
		if cand, ok := targets[n]; ok && moved[n] != cand {
			out = append(out, HeldBack{Name: n, Installed: in.Package.Version.String(), Candidate: cand, Reason: "needs-removal"})
		}
	}
	return out
}

func sortHeld(h []HeldBack) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].Name < h[j-1].Name; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
