package main

import (
	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "upgrade", summary: "upgrade installed packages, never removing any (-s: show the plan)", setup: setupUpgrade})
}

func setupUpgrade(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	var noRec bool
	af.add(fs)
	fs.BoolVar(&noRec, "no-install-recommends", false, "do not install recommended packages")
	return func(e *env, args []string) error {
		decide := func(s *policy.System) (*policy.Outcome, error) {
			return policy.Upgrade(s, policy.Options{NoRecommends: noRec})
		}
		if af.simulate {
			return decideAndPrint(e, decide)
		}
		return decideAndApply(e, &af, "upgrade", nil, decide)
	}
}
