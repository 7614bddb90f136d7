package main

import (
	"errors"
	"fmt"
	"io/fs"

	"aim/db"
	"aim/install"
	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "remove", summary: "remove packages and what only they needed (-s: show the plan)", setup: setupRemove})
	register(&command{name: "purge", summary: "remove packages with their configuration files", setup: setupPurge})
}

func setupRemove(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	af.add(fs)
	fs.BoolVar(&af.purge, "purge", false, "also delete configuration files and run postrm purge")
	return func(e *env, args []string) error { return removeRun(e, &af, "remove", args) }
}

func setupPurge(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	af.add(fs)
	af.purge = true
	return func(e *env, args []string) error { return removeRun(e, &af, "purge", args) }
}

func removeRun(e *env, af *applyFlags, kind string, args []string) error {
	if len(args) == 0 {
		return &exitError{code: 2, msg: kind + ": name at least one package"}
	}
	if af.purge {
		if err := recoverFirst(e, af); err != nil {
			return err
		}
		leftovers, rest, err := splitConfigFiles(e, args)
		if err != nil {
			return err
		}
		af.extra, args = leftovers, rest
	}
	decide := func(s *policy.System) (*policy.Outcome, error) { return policy.Remove(s, args) }
	if len(args) == 0 {
		return purgeLeftovers(e, af, kind)
	}
	if af.simulate {
		printPurges(e, af.extra)
		return decideAndPrint(e, decide)
	}
	return decideAndApply(e, af, kind, nil, decide)
}

// splitConfigFiles separates the names of packages in the config-files
// state (removed, conffiles left) from the others; the former become
// Purge changes.
func splitConfigFiles(e *env, names []string) ([]install.Change, []string, error) {
	d, err := db.OpenReadOnly(e.g.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, names, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer d.Close()
	var purges []install.Change
	var rest []string
	for _, n := range names {
		v, conf, err := install.ConfigFiles(d, n)
		if err != nil {
			return nil, nil, err
		}
		if v == "" && len(conf) == 0 {
			rest = append(rest, n)
			continue
		}
		purges = append(purges, install.Change{Action: install.Purge, Name: n, Version: v})
	}
	return purges, rest, nil
}

// printPurges lists the config-files purges of a plan.
func printPurges(e *env, purges []install.Change) {
	if len(purges) == 0 || e.g.json {
		return
	}
	fmt.Fprintln(e.stdout, "The configuration files left by these removed packages will be PURGED:")
	for _, c := range purges {
		fmt.Fprintf(e.stdout, "  %s\n", c.Name)
	}
}

// purgeLeftovers purges packages that are only in the config-files state.
func purgeLeftovers(e *env, af *applyFlags, kind string) error {
	printPurges(e, af.extra)
	if af.simulate {
		return nil
	}
	if err := confirm(e); err != nil {
		return err
	}
	return runTransaction(e, af, kind, &install.Transaction{Changes: af.extra, Purge: true})
}
