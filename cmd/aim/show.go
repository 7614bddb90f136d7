package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"aim/db"
	"aim/deb"
	"aim/repo"
)

func setupShow(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "show: name a package"}
		}
		inst, err := loadInstalledOf(e, packageNames(args))
		if err != nil {
			return err
		}
		c, cacheErr := openCache(e)
		if c != nil {
			defer c.Close()
		}
		var paras []*deb.Paragraph
		for _, arg := range args {
			ps, err := showParagraphs(c, inst, arg)
			if err != nil && c == nil {
				err = cacheErr
			}
			if err != nil {
				return err
			}
			paras = append(paras, ps...)
		}
		return printParagraphs(e, paras)
	}
}

// showParagraphs returns the paragraphs of every version of the package
// named by arg ("name" or "name=version"): the cache's (c may be nil),
// the installed version's with a "Status: installed" line added, and the
// installed version's stored control data when the cache lacks that
// version.
func showParagraphs(c *repo.Cache, inst installedIndex, arg string) ([]*deb.Paragraph, error) {
	name, version, pinned := strings.Cut(arg, "=")
	name, arch := splitArch(name)
	ip := inst.of(name, arch)
	if ip != nil && arch != "" && ip.Architecture != arch {
		ip = nil // installed for another architecture
	}
	installedV := ""
	if ip != nil {
		installedV = ip.Version.String()
	}
	var out []*deb.Paragraph
	seenInstalled := false
	var known []repo.Available
	if c != nil {
		known = c.Lookup(name)
	}
	for _, a := range known {
		if pinned && a.Version != version || arch != "" && a.Architecture != arch {
			continue
		}
		p, err := c.Paragraph(a)
		if err != nil {
			return nil, fmt.Errorf("show %s: %w", arg, err)
		}
		if a.Version == installedV && a.Architecture == ip.Architecture && !seenInstalled {
			p = withStatus(p, ip)
			seenInstalled = true
		} else if other := inst.of(name, a.Architecture); other != nil && other != ip &&
			other.Architecture == a.Architecture && other.Version.String() == a.Version {
			p = withStatus(p, other) // another architecture's instance
		}
		out = append(out, p)
	}
	if ip != nil && ip.Control != nil && !seenInstalled && (!pinned || version == installedV) {
		out = append([]*deb.Paragraph{withStatus(ip.Control, ip)}, out...)
	}
	if len(out) > 0 {
		return out, nil
	}
	if pinned && (len(known) > 0 || ip != nil) {
		return nil, fmt.Errorf("package %s has no version %s", name, version)
	}
	if arch != "" && (len(known) > 0 || inst[name] != nil) {
		return nil, fmt.Errorf("package %s has no %s build", name, arch)
	}
	if c == nil {
		return nil, fmt.Errorf("no package named %s", name)
	}
	if prov := c.Providers(name); len(prov) > 0 {
		var names []string
		for _, p := range prov {
			names = append(names, p.Package.Name)
		}
		return nil, fmt.Errorf("%s is a virtual package provided by: %s", name, strings.Join(uniq(names), ", "))
	}
	return nil, fmt.Errorf("no package named %s", name)
}

// withStatus returns a copy of p saying that the package is installed:
// dpkg's status paragraph keeps its own Status field; aim's packages get
// "Status: installed" and whether the user asked for them.
func withStatus(p *deb.Paragraph, ip *db.InstalledPackage) *deb.Paragraph {
	q := p.Clone()
	if ip.FromDpkg {
		if !q.Has("Status") {
			q.Set("Status", "installed (dpkg)")
		}
		return q
	}
	how := "manual"
	if ip.Auto {
		how = "automatic"
	}
	q.Set("Status", stateWord(ip)+" ("+how+")")
	return q
}

// printParagraphs prints paragraphs as control text (strings shown as
// UTF-8, invalid bytes as '?'), or with --json as objects.
func printParagraphs(e *env, paras []*deb.Paragraph) error {
	if e.g.json {
		out := []map[string]string{}
		for _, p := range paras {
			m := map[string]string{}
			for _, f := range p.Fields {
				m[f.Name] = deb.DisplayString(f.Value)
			}
			out = append(out, m)
		}
		return writeJSON(e.stdout, out)
	}
	for i, p := range paras {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprint(e.stdout, deb.DisplayString(p.String()))
	}
	return nil
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
