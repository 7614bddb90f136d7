package main

import (
	"encoding/json"
	"fmt"

	"aim/install"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "verify", summary: "report installed files changed or missing (exit 1 when any)", setup: setupVerify})
}

func setupVerify(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		d, err := openWriterKeeping(e, true) // looks only: pending configuration stays for the report
		if err != nil {
			return err
		}
		defer d.Close()
		probs, err := install.Verify(e.g.root, d, args)
		if err != nil {
			return err
		}
		failing, unconfigured := 0, 0
		for _, p := range probs {
			switch p.Kind {
			case install.ConffileChanged:
			case install.NotConfigured:
				unconfigured++
			default:
				failing++
			}
		}
		if e.g.json {
			json.NewEncoder(e.stdout).Encode(probs)
		} else {
			printProblems(e, probs)
		}
		if unconfigured > 0 {
			return &exitError{code: 1, msg: fmt.Sprintf("verify: %d packages not configured, %d files changed or missing", unconfigured, failing)}
		}
		if failing > 0 {
			return &exitError{code: 1, msg: fmt.Sprintf("verify: %d files changed or missing", failing)}
		}
		return nil
	}
}

func printProblems(e *env, probs []install.Problem) {
	for _, p := range probs {
		if p.Kind != install.ConffileChanged {
			fmt.Fprintln(e.stdout, p)
		}
	}
	for _, p := range probs {
		if p.Kind == install.ConffileChanged {
			fmt.Fprintln(e.stdout, p)
		}
	}
}
