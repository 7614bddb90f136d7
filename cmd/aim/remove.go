package main

import (
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
	decide := func(s *policy.System) (*policy.Outcome, error) { return policy.Remove(s, args) }
	if af.simulate {
		return decideAndPrint(e, decide)
	}
	return decideAndApply(e, af, kind, nil, decide)
}
