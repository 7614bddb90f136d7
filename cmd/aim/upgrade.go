package main

import (
	"aim/install"

	"github.com/spf13/pflag"
)

func setupUpgrade(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	var noRec bool
	af.add(fs)
	fs.BoolVar(&noRec, "no-install-recommends", false, "do not install recommended packages")
	return func(e *env, args []string) error {
		req := install.Request{Kind: install.KindUpgrade}
		req.Options.NoRecommends = noRec
		return apply(e, &af, req)
	}
}
