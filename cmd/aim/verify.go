package main

import (
	"errors"
	"fmt"
	"strings"

	"aim/db"
	"aim/install"

	"github.com/spf13/pflag"
)

func setupVerify(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		probs, err := verifyRoot(e, args)
		if err != nil {
			return err
		}
		failing, conf, unconfigured := 0, 0, 0
		for _, p := range probs {
			switch p.Kind {
			case install.ConffileChanged:
				conf++
			case install.NotConfigured:
				unconfigured++
			default:
				failing++
			}
		}
		if e.g.json {
			out := make([]problemJSON, len(probs))
			for i, p := range probs {
				out[i] = problemJSON{Package: p.Package, Path: p.Path, Problem: problemNames[p.Kind], Detail: p.Detail}
			}
			if err := writeJSON(e.stdout, out); err != nil {
				return err
			}
		} else {
			printProblems(e, probs)
		}
		if unconfigured > 0 {
			return &exitError{code: 1, msg: fmt.Sprintf("verify: %d %s not configured, %d %s changed or missing", unconfigured,
				plural(unconfigured, "package", "packages"), failing, plural(failing, "file", "files"))}
		}
		if failing > 0 {
			msg := fmt.Sprintf("verify: %d %s changed or missing", failing, plural(failing, "file", "files"))
			if conf > 0 {
				msg += fmt.Sprintf(" (and %d changed %s, which is not an error)", conf, plural(conf, "conffile", "conffiles"))
			}
			return &exitError{code: 1, msg: msg}
		}
		return nil
	}
}

// verifyRoot checks the named packages (all of aim's when none), reading
// the database without writing anything: a root without a database has
// nothing of aim's to verify.
func verifyRoot(e *env, names []string) ([]install.Problem, error) {
	d, err := install.OpenReader(e.g.root)
	if errors.Is(err, db.ErrSchemaOlder) {
		d, err = openWriterKeeping(e, true) // migrate first; pending configuration stays for the report
	}
	if err != nil {
		return nil, err
	}
	if d != nil && interrupted(d) {
		// A crashed transaction must be recovered before the state can
		// be told (pending configuration stays for the report).
		d.Close()
		d, err = openWriterKeeping(e, true)
		if err != nil {
			return nil, err
		}
	}
	if d == nil {
		if len(names) > 0 {
			return nil, fmt.Errorf("verify: %s: not installed by aim", strings.Join(names, ", "))
		}
		return nil, nil
	}
	defer d.Close()
	for _, n := range names {
		if _, err := d.Installed(splitArch(n)); errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("verify: %s: not installed by aim", n)
		} else if err != nil {
			return nil, err
		}
	}
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	return install.Verify(e.g.root, nativeArch(cfg), d, names)
}

// interrupted reports whether d's journal holds a transaction that did
// not end.
func interrupted(d *db.DB) bool {
	steps, err := d.Journal()
	return err != nil || len(steps) > 0
}

// problemJSON is one problem in aim verify --json.
type problemJSON struct {
	Package string `json:"package"`
	Path    string `json:"path"`
	// Problem is "missing", "changed", "conffile-changed" or
	// "not-configured" (a half-configured or triggers-pending package).
	Problem string `json:"problem"`
	Detail  string `json:"detail,omitempty"`
}

var problemNames = map[install.ProblemKind]string{install.Missing: "missing", install.Changed: "changed",
	install.ConffileChanged: "conffile-changed", install.NotConfigured: "not-configured"}

// plural returns one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
