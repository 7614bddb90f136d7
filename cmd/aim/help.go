package main

// aim help CMD [VERB], aim CMD --help and aim CMD -h: the synopsis with
// argument forms, what the command does and changes, its own options and
// examples, on stdout (help_text.go holds the words).

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// helpFor prints the help of command name (and verb, for a group) to w.
// It returns an error for an unknown command or verb.
func helpFor(w io.Writer, name, verb string) error {
	c, ok := commands()[name]
	if !ok || hiddenCommand(name) {
		return usageError("help: unknown command %q (see aim help)", name)
	}
	verbs := groupVerbs()[name]
	if verb != "" {
		sc, ok := verbs[verb]
		if !ok {
			return usageError("help: %s has no verb %q (one of %s)", name, verb, verbList(verbs))
		}
		h := helpTexts()[name+" "+verb]
		writeHelp(w, "aim "+name+" "+verb, sc.summary, h, verbFlagSet(verbs, sc, h), nil)
		return nil
	}
	var fs *pflag.FlagSet
	if len(verbs) == 0 {
		fs = setupFlagSet(c.setup)
	}
	writeHelp(w, "aim "+name, c.summary, helpTexts()[name], fs, verbs)
	return nil
}

// setupFlagSet returns a FlagSet with only the flags setup adds.
func setupFlagSet(setup func(*pflag.FlagSet) func(*env, []string) error) *pflag.FlagSet {
	fs := pflag.NewFlagSet("aim", pflag.ContinueOnError)
	setup(fs)
	return fs
}

// writeHelp prints one command's or verb's help: usage lines, summary,
// description, options (or verbs), global options and examples.
func writeHelp(w io.Writer, cmd, summary string, h helpText, fs *pflag.FlagSet, verbs map[string]*subcommand) {
	forms := h.synopsis
	if len(forms) == 0 {
		forms = []string{"[OPTIONS] [ARGS...]"}
	}
	for i, f := range forms {
		lead := "usage: "
		if i > 0 {
			lead = "       "
		}
		fmt.Fprintln(w, strings.TrimRight(lead+cmd+" "+f, " "))
	}
	fmt.Fprintf(w, "\n%s.\n", upperFirst(summary))
	if h.description != "" {
		for _, para := range strings.Split(h.description, "\n\n") {
			fmt.Fprintln(w)
			fmt.Fprint(w, wrapText(para, 79))
		}
	}
	if j := jsonTexts()[strings.TrimPrefix(cmd, "aim ")]; j != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, wrapText("With --json: "+j, 79))
	}
	if len(verbs) > 0 {
		fmt.Fprintln(w, "\nVerbs:")
		for _, v := range sortedKeys(verbs) {
			fmt.Fprintf(w, "  %-10s %s\n", v, verbs[v].summary)
		}
		fmt.Fprintf(w, "\nSee aim help %s VERB for a verb's options.\n", strings.TrimPrefix(cmd, "aim "))
	}
	if fs != nil && fs.HasAvailableFlags() {
		fmt.Fprintf(w, "\nOptions:\n%s", fs.FlagUsagesWrapped(79))
	}
	fmt.Fprintln(w, "\nGlobal options: --root DIR, -y/--yes, --json, -q/--quiet, --no-progress, --via-daemon, --bus ADDRESS")
	if len(h.examples) > 0 {
		fmt.Fprintln(w, "\nExamples:")
		for _, ex := range h.examples {
			fmt.Fprintf(w, "  %s\n", ex)
		}
	}
}

// wrapText folds a paragraph into lines of at most width columns.
func wrapText(s string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(s) {
		if line > 0 && line+1+len(word) > width {
			b.WriteByte('\n')
			line = 0
		}
		if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	b.WriteByte('\n')
	return b.String()
}

// helpVerb returns the verb a group command's arguments name before a
// help flag: the first argument that is not a flag (or a global flag's
// value).
func helpVerb(name string, args []string) string {
	if len(groupVerbs()[name]) == 0 {
		return ""
	}
	v, _ := splitCommand(args)
	if _, ok := groupVerbs()[name][v]; ok {
		return v
	}
	return ""
}

// helpRequest is returned by a command that found -h or --help among
// arguments it parses itself; run prints the help.
type helpRequest struct{ name, verb string }

func (h *helpRequest) Error() string { return "help requested" }

// verbFlagSet returns the flags of verb sc: a flag every verb of the
// group defines (the shared flags of aim repo) is the verb's only when
// its synopsis names it.
func verbFlagSet(verbs map[string]*subcommand, sc *subcommand, h helpText) *pflag.FlagSet {
	shared := sharedFlags(verbs)
	own := pflag.NewFlagSet("aim", pflag.ContinueOnError)
	setupFlagSet(sc.setup).VisitAll(func(f *pflag.Flag) {
		if !shared[f.Name] || namesFlag(h.synopsis, f.Name) {
			own.AddFlag(f)
		}
	})
	return own
}

// sharedFlags returns the flags that every verb of a group of two or
// more defines.
func sharedFlags(verbs map[string]*subcommand) map[string]bool {
	if len(verbs) < 2 {
		return nil
	}
	count := map[string]int{}
	for _, v := range verbs {
		setupFlagSet(v.setup).VisitAll(func(f *pflag.Flag) { count[f.Name]++ })
	}
	shared := map[string]bool{}
	for name, n := range count {
		if n == len(verbs) {
			shared[name] = true
		}
	}
	return shared
}

// namesFlag reports whether a synopsis mentions --name.
func namesFlag(synopsis []string, name string) bool {
	for _, line := range synopsis {
		for _, word := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" []|=", r) }) {
			if word == "--"+name {
				return true
			}
		}
	}
	return false
}
