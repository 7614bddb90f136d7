package main

import (
	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "remove", summary: "remove packages and what only they needed (-s: show the plan)", setup: setupRemove})
}

func setupRemove(fs *pflag.FlagSet) func(*env, []string) error {
	var simulate bool
	fs.BoolVarP(&simulate, "dry-run", "s", false, "only show what would be done")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "remove: name at least one package"}
		}
		if !simulate {
			return notYet("removing")
		}
		return decideAndPrint(e, func(s *policy.System) (*policy.Outcome, error) {
			return policy.Remove(s, args)
		})
	}
}
