package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"aim/deb"
	"aim/policy"
	"aim/repo"
)

// listing is one package line of search and list output.
type listing struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	Source       string `json:"source,omitempty"`
	Summary      string `json:"summary,omitempty"`
	Installed    string `json:"installed,omitempty"`
	// Auto says, for an installed package, whether it was installed
	// automatically as a dependency (autoremove may remove it) or on
	// request; Manager is who installed it: "aim" or "dpkg".
	Auto         *bool  `json:"auto,omitempty"`
	Manager      string `json:"manager,omitempty"`
	Upgradable   bool   `json:"upgradable,omitempty"`
	User         bool   `json:"user"`
	Category     string `json:"category,omitempty"`
	CategoryName string `json:"categoryName,omitempty"`
	// State is the package's state when it is not simply installed:
	// "config-files" for a removed package whose conffiles or postrm wait
	// for a purge (Installed is then empty), half-configured, unpacked,
	// triggers-pending, ...
	State string `json:"state,omitempty"`
}

func setupSearch(fs *pflag.FlagSet) func(*env, []string) error {
	userOnly := fs.Bool("user", false, "only user packages (Section user/...)")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "search: give a term"}
		}
		c, err := openCache(e)
		if err != nil {
			return err
		}
		defer c.Close()
		inst, err := loadInstalled(e)
		if err != nil {
			return err
		}
		var rows []listing
		seen := map[string]bool{}
		for _, a := range c.Search(strings.Join(args, " ")) {
			if seen[a.Name] || (*userOnly && !policy.Visible(a.Section, inst[a.Name] != nil)) {
				continue
			}
			seen[a.Name] = true
			rows = append(rows, describe(c, a, inst))
		}
		return printListings(e, rows, true)
	}
}

// describe makes the listing of a cached package.
func describe(c *repo.Cache, a repo.Available, inst installedIndex) listing {
	l := listing{Name: a.Name, Version: a.Version, Architecture: a.Architecture, User: a.User}
	if len(a.Sources) > 0 {
		s := c.Sources()[a.Sources[0]]
		l.Source = s.Name
		if s.Suite != "" {
			l.Source = s.Suite
		}
	}
	if p, err := c.Paragraph(a); err == nil {
		l.Summary = deb.DisplayString(deb.Synopsis(p.Get("Description")))
	}
	if cat, ok := policy.CategoryOf(a.Section); ok {
		l.Category, l.CategoryName = cat.ID, cat.Name
	}
	if ip := inst.of(a.Name, a.Architecture); ip != nil {
		l.Installed = ip.Version.String()
		if v, err := deb.ParseVersionLax(a.Version); err == nil && deb.CompareVersions(v, ip.Version) > 0 {
			l.Upgradable = true
		}
	}
	return l
}

// printListings prints rows like apt: "name/source version arch [state]",
// with the summary below when withSummary.
func printListings(e *env, rows []listing, withSummary bool) error {
	if e.g.json {
		if rows == nil {
			rows = []listing{}
		}
		return writeJSON(e.stdout, rows)
	}
	native := ""
	if cfg, err := settings(e); err == nil {
		native = nativeArch(cfg)
	}
	for _, l := range rows {
		state := ""
		switch {
		case l.State != "" && l.Installed == "": // config-files
			state = fmt.Sprintf(" [%s]", l.State)
		case l.Upgradable:
			state = fmt.Sprintf(" [upgradable from: %s]", l.Installed)
		case l.Installed != "" && l.Installed == l.Version:
			state = " [installed]"
		case l.Installed != "":
			state = fmt.Sprintf(" [installed: %s]", l.Installed)
		}
		if l.State != "" && l.Installed != "" {
			state += " [" + l.State + "]"
		}
		src := ""
		if l.Source != "" {
			src = "/" + l.Source
		}
		cat := ""
		if l.CategoryName != "" {
			cat = " (" + l.CategoryName + ")"
		}
		fmt.Fprintf(e.stdout, "%s%s %s %s%s%s\n", archLabel(l.Name, l.Architecture, native), src, l.Version, l.Architecture, state, cat)
		if withSummary && l.Summary != "" {
			fmt.Fprintf(e.stdout, "  %s\n", l.Summary)
		}
	}
	return nil
}
