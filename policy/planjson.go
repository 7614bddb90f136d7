package policy

import "aim/resolver"

// PlanEntry is one package of a plan in its JSON form.
type PlanEntry struct {
	Package      string `json:"package"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	// From is the installed version an upgrade replaces.
	From string `json:"from,omitempty"`
}

// PlanJSON is a decided plan in the JSON form DESIGN.md fixes for
// `--json` and the service's plan(): the lists are never null.
type PlanJSON struct {
	Install  []PlanEntry `json:"install"`
	Upgrade  []PlanEntry `json:"upgrade"`
	Remove   []PlanEntry `json:"remove"`
	HeldBack []HeldBack  `json:"heldBack,omitempty"`
}

// JSON returns the outcome's plan in its JSON form.
func (o *Outcome) JSON() PlanJSON {
	j := PlanJSON{Install: []PlanEntry{}, Upgrade: []PlanEntry{}, Remove: []PlanEntry{}, HeldBack: o.HeldBack}
	for _, q := range o.Plan.Install {
		j.Install = append(j.Install, planEntry(q))
	}
	for _, c := range o.Plan.Upgrade {
		e := planEntry(c.To)
		e.From = c.From.Version.String()
		j.Upgrade = append(j.Upgrade, e)
	}
	for _, q := range o.Plan.Remove {
		j.Remove = append(j.Remove, planEntry(q))
	}
	return j
}

func planEntry(p *resolver.Package) PlanEntry {
	return PlanEntry{Package: p.Name, Version: p.Version.String(), Architecture: p.Arch}
}
