package main

import (
	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "autoremove", summary: "remove automatic packages nothing needs (-s: show the plan)", setup: setupAutoremove})
}

func setupAutoremove(fs *pflag.FlagSet) func(*env, []string) error {
	var simulate bool
	fs.BoolVarP(&simulate, "dry-run", "s", false, "only show what would be done")
	return func(e *env, args []string) error {
		if len(args) != 0 {
			return &exitError{code: 2, msg: "autoremove: takes no arguments"}
		}
		if !simulate {
			return notYet("removing")
		}
		return decideAndPrint(e, policy.Autoremove)
	}
}
