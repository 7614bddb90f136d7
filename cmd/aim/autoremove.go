package main

import (
	"aim/install"

	"github.com/spf13/pflag"
)

func setupAutoremove(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	var purge bool
	af.add(fs)
	fs.BoolVar(&purge, "purge", false, "also delete configuration files")
	return func(e *env, args []string) error {
		return apply(e, &af, install.Request{Kind: install.KindAutoremove, Purge: purge})
	}
}
