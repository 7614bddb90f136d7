package main

import (
	"fmt"

	"aim/install"

	"github.com/spf13/pflag"
)

func setupRemove(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	var purge bool
	af.add(fs)
	fs.BoolVar(&purge, "purge", false, "also delete configuration files and run postrm purge")
	return func(e *env, args []string) error {
		return removeRun(e, &af, install.Request{Kind: install.KindRemove, Names: args, Purge: purge})
	}
}

func setupPurge(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	af.add(fs)
	return func(e *env, args []string) error {
		return removeRun(e, &af, install.Request{Kind: install.KindPurge, Names: args, Purge: true})
	}
}

func removeRun(e *env, af *applyFlags, req install.Request) error {
	if len(req.Names) == 0 {
		return &exitError{code: 2, msg: string(req.Kind) + ": name at least one package"}
	}
	return apply(e, af, req)
}

// printPurges lists the config-files purges of a plan, and says which
// named packages had nothing to purge.
func printPurges(e *env, d *install.Decision) {
	for _, n := range d.NothingToPurge {
		fmt.Fprintf(e.stderr, "aim: %s: nothing to purge (not installed, no configuration files left)\n", n)
	}
	names := d.Purges
	if len(names) == 0 || e.g.json {
		return
	}
	fmt.Fprintln(e.stdout, "The configuration files left by these removed packages will be PURGED:")
	for _, n := range names {
		fmt.Fprintf(e.stdout, "  %s\n", n)
	}
}
