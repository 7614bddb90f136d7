package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// configureReport is `aim configure --pending` as data.
type configureReport struct {
	Configured []string          `json:"configured"`
	Triggered  []string          `json:"triggered"`
	Pending    map[string]string `json:"pending"`
}

func setupConfigure(fs *pflag.FlagSet) func(*env, []string) error {
	var pending, chrootless bool
	fs.BoolVar(&pending, "pending", false, "configure every half-configured package and run pending triggers (dpkg --configure -a)")
	fs.BoolVar(&chrootless, "scripts-chrootless", false, "run maintainer scripts on the host with DPKG_ROOT instead of chrooted")
	return func(e *env, args []string) error {
		if !pending || len(args) > 0 {
			return &exitError{code: 2, msg: "configure: use aim configure --pending"}
		}
		in, err := openInstaller(e, chrootless, false) // Open configures; what is left failed again
		if err != nil {
			return err
		}
		defer in.Close()
		left, err := in.Pending()
		if err != nil {
			return err
		}
		rec := in.Recovered()
		rep := configureReport{Configured: nonNil(rec.Configured), Triggered: nonNil(rec.Triggered), Pending: left}
		if e.g.json {
			if err := writeJSON(e.stdout, rep); err != nil {
				return err
			}
		} else if len(rep.Configured)+len(rep.Triggered)+len(left) == 0 {
			fmt.Fprintln(e.stdout, "Nothing to configure.")
		}
		if len(left) > 0 {
			return fmt.Errorf("configuration still pending (see aim log): %s", describePending(left))
		}
		return nil
	}
}

// describePending is "a (half-configured), b (triggers-pending)".
func describePending(m map[string]string) string {
	var out []string
	for n, st := range m {
		out = append(out, n+" ("+st+")")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
