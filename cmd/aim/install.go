package main

import (
	"fmt"

	"aim/policy"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "install", summary: "install packages with their dependencies (-s: show the plan)", setup: setupInstall})
}

func setupInstall(fs *pflag.FlagSet) func(*env, []string) error {
	var simulate, noRec, downgrades bool
	fs.BoolVarP(&simulate, "dry-run", "s", false, "only show what would be done")
	fs.BoolVar(&noRec, "no-install-recommends", false, "do not install recommended packages")
	fs.BoolVar(&downgrades, "allow-downgrades", false, "allow installing a lower version named as PKG=VERSION")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "install: name at least one package"}
		}
		var wants []policy.Want
		for _, a := range args {
			w, err := policy.ParseWant(a)
			if err != nil {
				return fmt.Errorf("install: %w", err)
			}
			wants = append(wants, w)
		}
		if !simulate {
			return notYet("installing")
		}
		opts := policy.Options{NoRecommends: noRec, AllowDowngrades: downgrades}
		return decideAndPrint(e, func(s *policy.System) (*policy.Outcome, error) {
			return policy.Install(s, wants, opts)
		})
	}
}
