package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// subcommand is one verb of a command group such as "aim deb build".
type subcommand struct {
	summary string
	setup   func(fs *pflag.FlagSet) func(e *env, args []string) error
}

// group adds to t a command whose first argument names a verb.
// Every verb's flags are added to the same FlagSet (pflag parses before the
// verb is known), so verbs of one group must not reuse a flag name with a
// different meaning.
func (t *commandTable) group(name, summary string, verbs map[string]*subcommand) {
	t.verbs[name] = verbs // for help and the generated documentation (docs.go)
	t.commands[name] = &command{name: name, summary: summary, setup: func(fs *pflag.FlagSet) func(*env, []string) error {
		runs := map[string]func(*env, []string) error{}
		for v, sc := range verbs {
			runs[v] = sc.setup(fs)
		}
		return func(e *env, args []string) error {
			if len(args) == 0 {
				return &exitError{code: 2, msg: fmt.Sprintf("%s: missing verb (one of %s)", name, verbList(verbs))}
			}
			r, ok := runs[args[0]]
			if !ok {
				return &exitError{code: 2, msg: fmt.Sprintf("%s: unknown verb %q (one of %s)", name, args[0], verbList(verbs))}
			}
			return r(e, args[1:])
		}
	}}
}

func verbList(verbs map[string]*subcommand) string {
	names := make([]string, 0, len(verbs))
	for v := range verbs {
		names = append(names, v)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
