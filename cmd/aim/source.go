package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"aim/deb"
	"aim/repo/sources"
)

// aim source add LINE...|FILE [--name NAME] [--signed-by KEYFILE]
// aim source list
// aim source enable|disable|remove NAME-or-URI...
//
// The work is done by package repo (the .install flow calls the same
// functions); this file parses arguments and prints.

// maxSourceInput bounds a sources file or key file read by "source add".
const maxSourceInput = 4 << 20

func setupSourceAdd(fs *pflag.FlagSet) func(*env, []string) error {
	name := fs.String("name", "", "name the new source `NAME` (add; default: from its URI and suite)")
	signedBy := fs.String("signed-by", "", "trust `KEYFILE` (an OpenPGP public key) for the new source only (add)")
	return func(e *env, args []string) error {
		return runSourceAdd(e, args, sources.AddOptions{Name: *name}, *signedBy)
	}
}

func runSourceAdd(e *env, args []string, opts sources.AddOptions, keyFile string) error {
	if len(args) == 0 {
		return usageError("usage: aim source add 'deb URI SUITE [COMPONENT...]'|FILE [--name NAME] [--signed-by KEYFILE]")
	}
	if keyFile != "" {
		key, err := readBounded(keyFile)
		if err != nil {
			return fmt.Errorf("read key: %w", err)
		}
		opts.Key = key
	}
	if first := strings.Fields(args[0]); len(first) > 0 && (first[0] == "deb" || first[0] == "deb-src") {
		s, err := sources.AddLine(e.g.root, strings.Join(args, " "), opts)
		if err != nil {
			return err
		}
		return printSourcesAdded(e, []sources.Source{*s})
	}
	if len(args) > 1 {
		return usageError("source add: expected one FILE or a line starting with deb or deb-src")
	}
	if first := strings.Fields(args[0]); len(first) > 1 {
		if _, err := os.Stat(args[0]); err != nil {
			return usageError("source add: %q is not a source line (it does not start with deb or deb-src) and no such file exists", args[0])
		}
	}
	data, err := readBounded(args[0])
	if err != nil {
		return err
	}
	srcs, err := sources.AddFile(e.g.root, args[0], data, opts)
	if err != nil {
		return reportSourceErrors(e, err)
	}
	return printSourcesAdded(e, srcs)
}

// readBounded reads a file of at most maxSourceInput bytes.
func readBounded(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSourceInput+1))
	if err == nil && len(data) > maxSourceInput {
		err = fmt.Errorf("%s: larger than %d bytes", name, maxSourceInput)
	}
	return data, err
}

func printSourcesAdded(e *env, srcs []sources.Source) error {
	if e.g.json {
		return writeJSON(e.stdout, map[string]any{"added": sourcesJSON(srcs)})
	}
	if !e.g.quiet {
		for _, s := range srcs {
			fmt.Fprintf(e.stdout, "added source %s (%s:%d)\n", s.Name, s.File, s.Line)
		}
	}
	return nil
}

// reportSourceErrors prints each error joined in err on a line of its own
// and returns the exit status 1.
func reportSourceErrors(e *env, err error) error {
	for _, one := range splitErrors(err) {
		fmt.Fprintf(e.stderr, "aim: %v\n", one)
	}
	return &exitError{code: 1}
}

// splitErrors undoes errors.Join.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func setupSourceList(*pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usageError("usage: aim source list")
		}
		cfg, err := settings(e)
		if err != nil {
			return err
		}
		srcs, err := sources.Load(e.g.root, distribution(cfg))
		if e.g.json {
			if werr := writeJSON(e.stdout, sourceListJSON{Sources: sourcesJSON(srcs), Errors: sourceErrorsJSON(err)}); werr != nil {
				return werr
			}
		} else {
			printSourceTable(e.stdout, srcs)
		}
		if err != nil {
			return reportSourceErrors(e, err)
		}
		return nil
	}
}

// printSourceTable prints one line per source; lists are joined by ","
// and an empty list shows as "-".
func printSourceTable(w io.Writer, srcs []sources.Source) {
	if len(srcs) == 0 {
		fmt.Fprintln(w, "no sources")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENABLED\tTYPES\tURI\tSUITE\tCOMPONENTS\tFILE")
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s:%d\n", s.Name, yesNo(s.Enabled), joinList(s.Types),
			joinList(s.URIs), joinList(s.Suites), joinList(s.Components), s.File, s.Line)
	}
	tw.Flush()
}

func joinList(l []string) string {
	if len(l) == 0 {
		return "-"
	}
	return deb.DisplayString(strings.Join(l, ","))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// sourceJSON is a source as "aim source list --json" shows it.
type sourceJSON struct {
	Name          string   `json:"name"`
	Enabled       bool     `json:"enabled"`
	Types         []string `json:"types"`
	URIs          []string `json:"uris"`
	Suites        []string `json:"suites"`
	Components    []string `json:"components"`
	Architectures []string `json:"architectures,omitempty"`
	SignedBy      []string `json:"signedBy,omitempty"`
	InlineKey     bool     `json:"inlineKey,omitempty"`
	Trusted       bool     `json:"trusted"`
	Format        string   `json:"format"`
	File          string   `json:"file"`
	Line          int      `json:"line"`
}

type sourceErrorJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Name    string `json:"name,omitempty"`
	Message string `json:"message"`
}

type sourceListJSON struct {
	Sources []sourceJSON      `json:"sources"`
	Errors  []sourceErrorJSON `json:"errors"`
}

func sourcesJSON(srcs []sources.Source) []sourceJSON {
	out := make([]sourceJSON, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, sourceJSON{Name: s.Name, Enabled: s.Enabled, Types: s.Types, URIs: s.URIs,
			Suites: s.Suites, Components: nonNil(s.Components), Architectures: s.Architectures,
			SignedBy:  append(append([]string(nil), s.SignedBy.Keyrings...), s.SignedBy.Fingerprints...),
			InlineKey: s.SignedBy.Key != "", Trusted: s.Trusted, Format: s.Format.String(), File: s.File, Line: s.Line})
	}
	return out
}

func sourceErrorsJSON(err error) []sourceErrorJSON {
	out := []sourceErrorJSON{}
	if err == nil {
		return out
	}
	for _, one := range splitErrors(err) {
		var se *sources.Error
		if errors.As(one, &se) {
			out = append(out, sourceErrorJSON{File: se.File, Line: se.Line, Name: se.Name, Message: se.Msg})
		} else {
			out = append(out, sourceErrorJSON{Message: one.Error()})
		}
	}
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// setupSourceEdit returns the setup of "source enable", "disable" or
// "remove".
func setupSourceEdit(verb string) func(*pflag.FlagSet) func(*env, []string) error {
	return func(*pflag.FlagSet) func(*env, []string) error {
		return func(e *env, args []string) error {
			if len(args) == 0 {
				return usageError("usage: aim source %s NAME-or-URI...", verb)
			}
			var all []sources.Change
			for _, key := range args {
				changes, err := editSource(e.g.root, verb, key)
				all = append(all, changes...)
				if err != nil {
					printSourceChanges(e, verb, all)
					return err
				}
			}
			return printSourceChanges(e, verb, all)
		}
	}
}

func editSource(root, verb, key string) ([]sources.Change, error) {
	switch verb {
	case "enable":
		return sources.SetEnabled(root, key, true)
	case "disable":
		return sources.SetEnabled(root, key, false)
	}
	return sources.Remove(root, key)
}

// sourceChangeJSON is one line of "aim source enable|disable|remove --json".
type sourceChangeJSON struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Changed bool   `json:"changed"`
}

func printSourceChanges(e *env, verb string, changes []sources.Change) error {
	if e.g.json {
		out := make([]sourceChangeJSON, 0, len(changes))
		for _, c := range changes {
			out = append(out, sourceChangeJSON(c))
		}
		return writeJSON(e.stdout, map[string]any{verb + "d": out})
	}
	if e.g.quiet {
		return nil
	}
	for _, c := range changes {
		if c.Changed {
			fmt.Fprintf(e.stdout, "%sd source %s (%s:%d)\n", verb, c.Name, c.File, c.Line)
		} else {
			fmt.Fprintf(e.stdout, "source %s (%s:%d) is already %sd\n", c.Name, c.File, c.Line, verb)
		}
	}
	return nil
}
