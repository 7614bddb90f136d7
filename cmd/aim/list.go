package main

import (
	"sort"

	"github.com/spf13/pflag"

	"aim/install"
	"aim/policy"
	"aim/repo"
)

type listFlags struct{ all, installed, upgradable, user bool }

func setupList(fs *pflag.FlagSet) func(*env, []string) error {
	var f listFlags
	fs.BoolVar(&f.all, "all", false, "every available package (the default)")
	fs.BoolVar(&f.installed, "installed", false, "installed packages")
	fs.BoolVar(&f.upgradable, "upgradable", false, "installed packages with a newer candidate")
	fs.BoolVar(&f.user, "user", false, "user packages with their category (user/hidden only when installed)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return &exitError{code: 2, msg: "list takes no arguments"}
		}
		rows, err := listRows(e, f)
		if err != nil {
			return err
		}
		return printListings(e, rows, false)
	}
}

func listRows(e *env, f listFlags) ([]listing, error) {
	inst, err := loadInstalled(e)
	if err != nil {
		return nil, err
	}
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	c, err := openCache(e)
	if err != nil {
		if !f.installed {
			return nil, err
		}
		c = nil
	} else {
		defer c.Close()
	}
	rows := map[string]listing{}
	if c != nil && !f.installed && !f.upgradable {
		for i := 0; i < c.Len(); i++ {
			a := c.At(i)
			if _, done := rows[a.Name]; done || (f.user && !policy.Visible(a.Section, inst[a.Name] != nil)) {
				continue
			}
			if cand, ok := candidate(c, a.Name, nativeArch(cfg)); ok {
				rows[a.Name] = describe(c, cand, inst)
			}
		}
	}
	for _, key := range inst.names() {
		if _, done := rows[key]; !done {
			rows[key] = installedListing(c, inst, key, nativeArch(cfg))
		}
		l := rows[key]
		auto := inst[key].Auto
		l.Auto, l.Manager = &auto, "aim"
		if inst[key].FromDpkg {
			l.Manager = "dpkg"
		}
		if st := stateWord(inst[key]); st != "installed" {
			l.State = st
		}
		rows[key] = l
	}
	if err := addConfigFiles(e, rows); err != nil {
		return nil, err
	}
	return filterRows(rows, f), nil
}

// installedListing describes the installed package keyed key (NAME, or
// NAME:ARCH for a foreign instance), with its candidate when the cache
// has one; native is the native architecture.
func installedListing(c *repo.Cache, inst installedIndex, key, native string) listing {
	ip := inst[key]
	name, arch := install.SplitKey(key)
	if arch == "" {
		arch = native
	}
	if c != nil {
		if cand, ok := candidate(c, name, arch); ok && (cand.Architecture == ip.Architecture || cand.Architecture == "all" || ip.Architecture == "all") {
			return describe(c, cand, inst)
		}
	}
	l := listing{Name: name, Version: ip.Version.String(), Architecture: ip.Architecture, Installed: ip.Version.String(), User: ip.User}
	if ip.Control != nil {
		if cat, ok := policy.CategoryOf(ip.Control.Get("Section")); ok && ip.User {
			l.Category, l.CategoryName = cat.ID, cat.Name
		}
	}
	return l
}

func filterRows(rows map[string]listing, f listFlags) []listing {
	var out []listing
	for _, l := range rows {
		switch {
		case f.installed && l.Installed == "" && l.State == "":
		case f.upgradable && !l.Upgradable:
		case f.user && l.Category == "":
		default:
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Architecture < out[j].Architecture
	})
	return out
}

// addConfigFiles marks the packages in the config-files state, adding
// rows for those no source offers.
func addConfigFiles(e *env, rows map[string]listing) error {
	d, err := install.OpenInstalledReader(e.g.root)
	if err != nil || d == nil {
		return err
	}
	defer d.Close()
	cf, err := install.ConfigFilesPackages(d)
	if err != nil {
		return err
	}
	for name, v := range cf {
		l, ok := rows[name]
		if !ok {
			l = listing{Name: name, Version: v}
		}
		l.State, l.Installed, l.Upgradable = "config-files", "", false
		rows[name] = l
	}
	return nil
}
