package main

import (
	"fmt"
	"time"

	"aim/repo/publish"

	"github.com/spf13/pflag"
)

func setupRepoCheck(fs *pflag.FlagSet) func(*env, []string) error {
	newRepoFlags(fs)
	return func(e *env, args []string) error {
		r, rest, err := openRepoArg(args, "aim repo check DIR")
		if err != nil {
			return err
		}
		defer r.Close()
		if len(rest) != 0 {
			return usageError("usage: aim repo check DIR")
		}
		findings, err := r.Check(time.Now())
		if err != nil {
			return err
		}
		problems := 0
		for _, f := range findings {
			if f.Problem {
				problems++
			}
		}
		if e.g.json {
			if findings == nil {
				findings = []publish.CheckFinding{}
			}
			if err := writeJSON(e.stdout, findings); err != nil {
				return err
			}
		} else {
			for _, f := range findings {
				fmt.Fprintln(e.stdout, f)
			}
		}
		if problems > 0 {
			return fmt.Errorf("repository %s: %d problem(s)", args[0], problems)
		}
		if !e.g.json && !e.g.quiet {
			fmt.Fprintln(e.stdout, "repository is consistent")
		}
		return nil
	}
}
