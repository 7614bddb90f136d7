package main

import (
	"bufio"
	"errors"
	"fmt"

	"aim/repo/publish"

	"github.com/spf13/pflag"
)

// repoAddJSON is one file in "aim repo add --json".
type repoAddJSON struct {
	File         string                `json:"file"`
	Package      string                `json:"package,omitempty"`
	Version      string                `json:"version,omitempty"`
	Architecture string                `json:"architecture,omitempty"`
	Filename     string                `json:"filename,omitempty"`
	Unchanged    bool                  `json:"unchanged,omitempty"`
	Findings     []publish.LintFinding `json:"findings"`
	Error        string                `json:"error,omitempty"`
}

func setupRepoAdd(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		const usage = "aim repo add DIR [--dist D] [--component C] [--strict] [--link] FILE.deb..."
		r, files, err := openRepoArg(args, usage)
		if err != nil {
			return err
		}
		defer r.Close()
		if len(files) == 0 {
			return usageError("usage: %s", usage)
		}
		results, err := r.Add(files, publish.AddOptions{Dist: f.str("dist"), Component: f.str("component"), Strict: f.bool("strict"), Link: f.bool("link")})
		var addErr *publish.AddError
		if err != nil && !errors.As(err, &addErr) {
			return err
		}
		if e.g.json {
			if jerr := writeJSON(e.stdout, addJSON(results)); jerr != nil {
				return jerr
			}
		} else {
			printAddResults(e, results, addErr != nil)
		}
		if addErr != nil {
			return fmt.Errorf("refused %d of %d package(s); nothing was added", len(addErr.Refused), len(files))
		}
		return nil
	}
}

func addJSON(results []publish.AddResult) []repoAddJSON {
	out := make([]repoAddJSON, 0, len(results))
	for _, r := range results {
		j := repoAddJSON{File: r.File, Package: r.Package.Name, Version: r.Package.Version, Architecture: r.Package.Architecture,
			Filename: r.Package.Filename, Unchanged: r.Unchanged, Findings: r.Findings}
		if j.Findings == nil {
			j.Findings = []publish.LintFinding{}
		}
		if r.Err != nil {
			j.Error = r.Err.Error()
		}
		out = append(out, j)
	}
	return out
}

// printAddResults prints lint findings and refusals on stderr and, unless
// quiet or refused, what was added on stdout.
func printAddResults(e *env, results []publish.AddResult, refused bool) {
	// Findings can be one a package: thousands of lines, written at once.
	errs := bufio.NewWriterSize(e.stderr, 64<<10)
	for _, r := range results {
		for _, f := range r.Findings {
			fmt.Fprintf(errs, "aim: %s: %s\n", r.File, f)
		}
		if r.Err != nil {
			fmt.Fprintf(errs, "aim: %s: refused: %v\n", r.File, r.Err)
		}
	}
	errs.Flush()
	if refused || e.g.quiet {
		return
	}
	added, same := 0, 0
	for _, r := range results {
		if r.Unchanged {
			same++
		} else {
			added++
		}
	}
	if len(results) <= 20 {
		for _, r := range results {
			what := "added"
			if r.Unchanged {
				what = "already there"
			}
			fmt.Fprintf(e.stdout, "%s %s %s %s: %s\n", what, r.Package.Name, r.Package.Version, r.Package.Architecture, r.Package.Filename)
		}
		return
	}
	fmt.Fprintf(e.stdout, "added %d package(s), %d already there\n", added, same)
}
