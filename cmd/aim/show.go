package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"aim/deb"
	"aim/repo"
)

func init() {
	register(&command{name: "show", summary: "show every field of a package (PKG or PKG=VERSION)", setup: setupShow})
}

func setupShow(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "show: name a package"}
		}
		c, err := openCache(e)
		if err != nil {
			return err
		}
		defer c.Close()
		var paras []*deb.Paragraph
		for _, arg := range args {
			ps, err := showParagraphs(c, arg)
			if err != nil {
				return err
			}
			paras = append(paras, ps...)
		}
		return printParagraphs(e, paras)
	}
}

// showParagraphs returns the paragraphs of every version of the package
// named by arg ("name" or "name=version").
func showParagraphs(c *repo.Cache, arg string) ([]*deb.Paragraph, error) {
	name, version, pinned := strings.Cut(arg, "=")
	var out []*deb.Paragraph
	for _, a := range c.Lookup(name) {
		if pinned && a.Version != version {
			continue
		}
		p, err := c.Paragraph(a)
		if err != nil {
			return nil, fmt.Errorf("show %s: %w", arg, err)
		}
		out = append(out, p)
	}
	if len(out) > 0 {
		return out, nil
	}
	if pinned && len(c.Lookup(name)) > 0 {
		return nil, fmt.Errorf("package %s has no version %s", name, version)
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
