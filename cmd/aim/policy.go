package main

import (
	"fmt"
	"slices"

	"github.com/spf13/pflag"

	"aim/db"
	"aim/deb"
	"aim/repo"
)

// policyReport is `aim policy PKG` as data.
type policyReport struct {
	Package   string `json:"package"`
	Installed string `json:"installed,omitempty"`
	// State is the installed version's state when it is not simply
	// installed (half-configured, unpacked, ...).
	State     string          `json:"state,omitempty"`
	Candidate string          `json:"candidate,omitempty"`
	Versions  []policyVersion `json:"versions"`
}

type policyVersion struct {
	Version      string         `json:"version"`
	Architecture string         `json:"architecture"`
	Priority     int            `json:"priority"`
	Installed    bool           `json:"installed,omitempty"`
	Sources      []policySource `json:"sources"`
}

type policySource struct {
	Name     string `json:"name"`
	Priority int    `json:"priority"`
	Where    string `json:"where"`
}

func setupPolicy(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "policy: name a package"}
		}
		c, err := openCache(e)
		if err != nil {
			return err
		}
		defer c.Close()
		inst, err := loadInstalledOf(e, packageNames(args))
		if err != nil {
			return err
		}
		cfg, err := settings(e)
		if err != nil {
			return err
		}
		var reports []policyReport
		for _, name := range args {
			reports = append(reports, policyOf(c, inst, name, nativeArch(cfg)))
		}
		if e.g.json {
			return writeJSON(e.stdout, reports)
		}
		for _, r := range reports {
			printPolicy(e, r)
		}
		return nil
	}
}

func policyOf(c *repo.Cache, inst installedIndex, name, arch string) policyReport {
	r := policyReport{Package: name, Versions: []policyVersion{}}
	if ip := inst[name]; ip != nil {
		r.Installed = ip.Version.String()
		if st := stateWord(ip); st != "installed" {
			r.State = st
		}
	}
	if cand, ok := candidate(c, name, arch); ok {
		r.Candidate = cand.Version
	}
	for _, a := range c.Lookup(name) {
		v := policyVersion{Version: a.Version, Architecture: a.Architecture, Priority: priorityOf(c, a), Installed: a.Version == r.Installed}
		for _, s := range a.Sources {
			cs := c.Sources()[s]
			where := fmt.Sprintf("%s %s/%s %s Packages", cs.URI, cs.Dist, cs.Component, cs.Arch)
			if cs.Component == "" { // a flat repository
				where = fmt.Sprintf("%s %s Packages", cs.URI, cs.Dist)
			}
			v.Sources = append(v.Sources, policySource{Name: cs.Name, Priority: cs.Priority, Where: where})
		}
		r.Versions = append(r.Versions, v)
	}
	if ip := inst[name]; ip != nil && !slices.ContainsFunc(r.Versions, func(v policyVersion) bool { return v.Installed }) {
		r.Versions = insertInstalled(r.Versions, ip)
	}
	return r
}

// insertInstalled adds the installed version, which no source offers,
// to the version table in its place (highest first), as apt shows the
// status file's version with priority 100.
func insertInstalled(vs []policyVersion, ip *db.InstalledPackage) []policyVersion {
	where, name := "aim's database", "installed"
	if ip.FromDpkg {
		where, name = "/var/lib/dpkg/status", "dpkg"
	}
	row := policyVersion{Version: ip.Version.String(), Architecture: ip.Architecture, Priority: 100, Installed: true,
		Sources: []policySource{{Name: name, Priority: 100, Where: where}}}
	i := 0
	for i < len(vs) {
		if v, err := deb.ParseVersionLax(vs[i].Version); err == nil && v.Compare(ip.Version) < 0 {
			break
		}
		i++
	}
	return slices.Insert(vs, i, row)
}

func printPolicy(e *env, r policyReport) {
	none := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	inst := none(r.Installed)
	if r.State != "" {
		inst += " (" + r.State + ")"
	}
	fmt.Fprintf(e.stdout, "%s:\n  Installed: %s\n  Candidate: %s\n  Version table:\n", r.Package, inst, none(r.Candidate))
	for _, v := range r.Versions {
		mark := "    "
		if v.Installed {
			mark = " ***"
		}
		fmt.Fprintf(e.stdout, "%s %s %d\n", mark, v.Version, v.Priority)
		for _, s := range v.Sources {
			fmt.Fprintf(e.stdout, "        %d %s (%s)\n", s.Priority, s.Where, s.Name)
		}
	}
}
