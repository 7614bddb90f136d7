package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"aim/deb"
)

// aim version compare V1 OP V2
// aim version sort [-r|--reverse] < versions
//
// Operands may start with "-" (as in "-0:1"): the version FlagSet stops at
// the verb, and each verb takes only the flags it knows out of the rest.
// "--" ends the flags as usual.

// versionRelation is one operator of dpkg --compare-versions: the exit
// status for each outcome, as in dpkg's enquiry.c. The ifNone fields apply
// when V1, both, or V2 are blank ("" or "<unknown>").
type versionRelation struct {
	ifLess, ifEqual, ifGreater   int
	ifNoneA, ifNoneBoth, ifNoneB int
	obsolete                     string // the modern spelling of an obsolete operator
}

// versionRelations is dpkg's relation table. The -nl forms treat a blank
// version as later than any other.
var versionRelations = map[string]versionRelation{
	"le": {0, 0, 1, 0, 0, 1, ""}, "lt": {0, 1, 1, 0, 1, 1, ""},
	"eq": {1, 0, 1, 1, 0, 1, ""}, "ne": {0, 1, 0, 0, 1, 0, ""},
	"ge": {1, 0, 0, 1, 0, 0, ""}, "gt": {1, 1, 0, 1, 1, 0, ""},
	"le-nl": {0, 0, 1, 1, 0, 0, ""}, "lt-nl": {0, 1, 1, 1, 1, 0, ""},
	"ge-nl": {1, 0, 0, 0, 0, 1, ""}, "gt-nl": {1, 1, 0, 0, 1, 1, ""},
	"<": {0, 0, 1, 0, 0, 1, "<="}, "<=": {0, 0, 1, 0, 0, 1, ""},
	"<<": {0, 1, 1, 0, 1, 1, ""}, "=": {1, 0, 1, 1, 0, 1, ""},
	">": {1, 0, 0, 1, 0, 0, ">="}, ">=": {1, 0, 0, 1, 0, 0, ""},
	">>": {1, 1, 0, 1, 1, 0, ""},
}

// status returns the exit status for versions a and b.
func (r versionRelation) status(a, b deb.Version) int {
	switch {
	case a.IsZero() && b.IsZero():
		return r.ifNoneBoth
	case a.IsZero():
		return r.ifNoneA
	case b.IsZero():
		return r.ifNoneB
	}
	return [3]int{r.ifLess, r.ifEqual, r.ifGreater}[deb.CompareVersions(a, b)+1]
}

func setupVersionCompare(fs *pflag.FlagSet) func(*env, []string) error {
	fs.SetInterspersed(false)
	return func(e *env, args []string) error {
		args, err := verbOperands(fs, "compare", args)
		if err != nil {
			return err
		}
		return runVersionCompare(e, args)
	}
}

// runVersionCompare behaves as dpkg --compare-versions: status 0 when the
// relation holds, 1 when not, 2 for bad usage or a version dpkg rejects.
func runVersionCompare(e *env, args []string) error {
	if len(args) != 3 {
		return &exitError{code: 2, msg: "version compare: takes three arguments: V1 OP V2"}
	}
	rel, ok := versionRelations[args[1]]
	if !ok {
		return &exitError{code: 2, msg: fmt.Sprintf("version compare: bad relation %q (one of %s)", args[1], relationNames())}
	}
	if rel.obsolete != "" {
		versionWarnf(e, "obsolete relation operator '%s' read as '%s'", args[1], rel.obsolete)
	}
	a, err := compareOperand(e, args[0])
	if err != nil {
		return err
	}
	b, err := compareOperand(e, args[2])
	if err != nil {
		return err
	}
	if rel.status(a, b) != 0 {
		return &exitError{code: 1}
	}
	return nil
}

// compareOperand parses one version operand as dpkg does: "" and
// "<unknown>" are the blank version, a warning is printed and the
// comparison goes on, an error ends it with status 2.
func compareOperand(e *env, s string) (deb.Version, error) {
	if s == "" || s == "<unknown>" {
		return deb.Version{}, nil
	}
	v, err := deb.ParseVersion(s)
	var w *deb.VersionWarning
	var verr *deb.VersionError
	switch {
	case errors.As(err, &w):
		versionWarnf(e, "version '%s' has bad syntax: %s", s, w.Msg)
	case errors.As(err, &verr):
		return v, &exitError{code: 2, msg: fmt.Sprintf("version '%s' has bad syntax: %s", s, verr.Msg)}
	}
	return v, nil
}

func relationNames() string {
	names := make([]string, 0, len(versionRelations))
	for n := range versionRelations {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// versionWarnf prints "aim: warning: ..." on stderr unless -q was given.
func versionWarnf(e *env, format string, args ...any) {
	if !e.g.quiet {
		fmt.Fprintf(e.stderr, "aim: warning: "+format+"\n", args...)
	}
}

func setupVersionSort(fs *pflag.FlagSet) func(*env, []string) error {
	fs.SetInterspersed(false)
	reverse := fs.BoolP("reverse", "r", false, "print in descending order (version sort)")
	return func(e *env, args []string) error {
		args, err := verbOperands(fs, "sort", args)
		if err != nil {
			return err
		}
		if len(args) != 0 {
			return &exitError{code: 2, msg: "version sort: takes no arguments (versions are read from stdin)"}
		}
		return runVersionSort(e, *reverse)
	}
}

// sortedVersion is one input line of version sort.
type sortedVersion struct {
	text string
	v    deb.Version
}

// runVersionSort reads versions one a line, skipping blank lines, and
// prints them in ascending (or descending) order; equal versions keep
// their input order.
func runVersionSort(e *env, reverse bool) error {
	list, err := readVersions(e)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b sortedVersion) int {
		if reverse {
			return deb.CompareVersions(b.v, a.v)
		}
		return deb.CompareVersions(a.v, b.v)
	})
	if e.g.json {
		texts := make([]string, len(list))
		for i, s := range list {
			texts[i] = s.text
		}
		return json.NewEncoder(e.stdout).Encode(texts)
	}
	w := bufio.NewWriter(e.stdout)
	for _, s := range list {
		w.WriteString(s.text)
		w.WriteByte('\n')
	}
	return w.Flush()
}

func readVersions(e *env) ([]sortedVersion, error) {
	var list []sortedVersion
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		v, err := deb.ParseVersion(text)
		var w *deb.VersionWarning
		switch {
		case errors.As(err, &w):
			versionWarnf(e, "line %d: %v", n, err)
		case err != nil:
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		list = append(list, sortedVersion{text, v})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read versions: %w", err)
	}
	return list, nil
}

// verbOperands parses the flags among a verb's arguments and returns its
// operands. An argument counts as a flag only when it names one fs knows
// (or -h/--help), so an operand such as "-0:1" needs no "--"; everything
// after "--" is an operand.
func verbOperands(fs *pflag.FlagSet, verb string, args []string) ([]string, error) {
	var flags, operands []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		n := flagArity(fs, args[i])
		if n < 0 {
			operands = append(operands, args[i])
			continue
		}
		end := min(i+1+n, len(args))
		flags = append(flags, args[i:end]...)
		i = end - 1
	}
	fs.SetInterspersed(true)
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, &helpRequest{name: "version", verb: verb}
		}
		return nil, &exitError{code: 2, msg: err.Error()}
	}
	return operands, nil
}

// flagArity returns -1 when arg is not a flag fs knows, else how many of
// the arguments after it the flag takes as its value (0 or 1).
func flagArity(fs *pflag.FlagSet, arg string) int {
	switch {
	case arg == "-h" || arg == "--help":
		return 0
	case strings.HasPrefix(arg, "--"):
		name, _, inline := strings.Cut(arg[2:], "=")
		f := fs.Lookup(name)
		switch {
		case f == nil:
			return -1
		case inline || f.NoOptDefVal != "":
			return 0
		}
		return 1
	case len(arg) > 1 && arg[0] == '-':
		for i := 1; i < len(arg); i++ {
			f := fs.ShorthandLookup(arg[i : i+1])
			switch {
			case f == nil:
				return -1
			case f.NoOptDefVal == "" && i+1 < len(arg):
				return 0 // the rest of arg is the value
			case f.NoOptDefVal == "":
				return 1
			}
		}
		return 0
	}
	return -1
}
