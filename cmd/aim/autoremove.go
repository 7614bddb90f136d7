package main

import (
	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "autoremove", summary: "remove automatic packages nothing needs (-s: show the plan)", setup: setupAutoremove})
}

func setupAutoremove(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	af.add(fs)
	fs.BoolVar(&af.purge, "purge", false, "also delete configuration files")
	return func(e *env, args []string) error {
		if af.simulate {
			return decideAndPrint(e, policy.Autoremove)
		}
		return decideAndApply(e, &af, "autoremove", nil, policy.Autoremove)
	}
}
