package main

import (
	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "upgrade", summary: "upgrade installed packages, never removing any (-s: show the plan)", setup: setupUpgrade})
}

func setupUpgrade(fs *pflag.FlagSet) func(*env, []string) error {
	var simulate, noRec bool
	fs.BoolVarP(&simulate, "dry-run", "s", false, "only show what would be done")
	fs.BoolVar(&noRec, "no-install-recommends", false, "do not install recommended packages")
	return func(e *env, args []string) error {
		if len(args) != 0 {
			return &exitError{code: 2, msg: "upgrade: takes no arguments"}
		}
		if !simulate {
			return notYet("upgrading")
		}
		return decideAndPrint(e, func(s *policy.System) (*policy.Outcome, error) {
			return policy.Upgrade(s, policy.Options{NoRecommends: noRec})
		})
	}
}
