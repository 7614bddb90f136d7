package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runAim runs the command line args with stdin and returns the exit status,
// stdout and stderr.
func runAim(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"1.0", "lt", "1.1"}, 0, ""},
		{[]string{"1.1", "lt", "1.0"}, 1, ""},
		{[]string{"1.0~rc1", "<<", "1.0"}, 0, ""},
		{[]string{"1:0.1", ">>", "9.9"}, 0, ""},
		{[]string{"1.0", "=", "1.0-0"}, 0, ""},
		{[]string{"1.0", "ne", "1.0-0"}, 1, ""},
		{[]string{"-0:1", "eq", "1"}, 0, ""},
		{[]string{"--", "-0:1", "eq", "1"}, 0, ""},
		{[]string{"+1:2", "eq", "1:2"}, 0, ""},
		{[]string{"", "lt", "0~"}, 0, ""},
		{[]string{"", "lt-nl", "0~"}, 1, ""},
		{[]string{"<unknown>", "eq", ""}, 0, ""},
		{[]string{"1", "<", "1"}, 0, "aim: warning: obsolete relation operator '<' read as '<='\n"},
		{[]string{"2", ">", "1"}, 0, "aim: warning: obsolete relation operator '>' read as '>='\n"},
		{[]string{"abc", "lt", "1"}, 1, "aim: warning: version 'abc' has bad syntax: version number does not start with digit\n"},
		{[]string{"-1:2", "lt", "1"}, 2, "aim: version '-1:2' has bad syntax: epoch in version is negative\n"},
		{[]string{"1:", "lt", "x y"}, 2, "aim: version '1:' has bad syntax: nothing after colon in version number\n"},
		{[]string{"1", "lt", "1-"}, 2, "aim: version '1-' has bad syntax: revision number is empty\n"},
		{[]string{"1", "foo", "2"}, 2, "aim: version compare: bad relation \"foo\""},
		{[]string{"1", "lt"}, 2, "aim: version compare: takes three arguments"},
		{[]string{"1", "lt", "2", "3"}, 2, "aim: version compare: takes three arguments"},
		{[]string{"1", "lt", "2", "--json"}, 0, ""},
		{[]string{"-q", "abc", "lt", "1"}, 1, ""},
	}
	for _, tt := range tests {
		code, out, errs := runAim("", append([]string{"version", "compare"}, tt.args...)...)
		if code != tt.code || out != "" || !strings.HasPrefix(errs, tt.stderr) || (tt.stderr == "" && errs != "") {
			t.Errorf("aim version compare %q: exit %d, stdout %q, stderr %q; want %d, %q", tt.args, code, out, errs, tt.code, tt.stderr)
		}
	}
}

func TestVersionFlagsAroundOperands(t *testing.T) {
	for _, args := range [][]string{
		{"--root", "/r", "version", "compare", "-1:0", "lt", "2"},
		{"version", "--root=/r", "compare", "-1:0", "lt", "2"},
		{"version", "compare", "-1:0", "--root", "/r", "lt", "2", "-q"},
	} {
		if code, _, errs := runAim("", args...); code != 2 || !strings.Contains(errs, "epoch in version is negative") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
	if code, _, _ := runAim("", "version", "compare", "--help"); code != 0 {
		t.Errorf("--help: exit %d", code)
	}
}

// TestVersionCompareDpkg runs tricky comparisons through aim and dpkg and
// checks that both exit with the same status.
func TestVersionCompareDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg not on PATH")
	}
	versions := []string{"", "<unknown>", " ", "0", "1.0", "1.0~rc1", "1:0", "+1:0", "-0:1.0", "abc",
		"1_2", "1.0-a_b", " 1.0 ", "1:", "-1:1", "1-", "1 2", "a:1", "2147483648:1", "0:1-2:3"}
	ops := []string{"lt", "le", "eq", "ne", "ge", "gt", "<<", "<=", "=", ">=", ">>", "<", ">",
		"lt-nl", "le-nl", "ge-nl", "gt-nl", "gt-", "=="}
	n := 0
	for _, op := range ops {
		for i, a := range versions {
			b := versions[(i*7+len(op))%len(versions)]
			for _, pair := range [][2]string{{a, b}, {b, a}, {a, "1.0"}, {"1.0", a}} {
				checkAgainstDpkg(t, pair[0], op, pair[1])
				n++
			}
		}
	}
	t.Logf("%d comparisons exit as dpkg does", n)
}

func checkAgainstDpkg(t *testing.T, a, op, b string) {
	t.Helper()
	cmd := exec.Command("dpkg", "--compare-versions", "--", a, op, b)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	want := 0
	var ee *exec.ExitError
	if err := cmd.Run(); errors.As(err, &ee) {
		want = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if got, _, errs := runAim("", "version", "compare", a, op, b); got != want {
		t.Errorf("aim version compare %q %q %q: exit %d (%s), dpkg %d", a, op, b, got, errs, want)
	}
}

func TestVersionSort(t *testing.T) {
	in := "1.0\n\n  1:0.1\n1.0~rc1\n2\n 1.0-0 \n10\n1.0\r\n0:1.0\n"
	code, out, errs := runAim(in, "version", "sort")
	want := "1.0~rc1\n1.0\n1.0-0\n1.0\n0:1.0\n2\n10\n1:0.1\n"
	if code != 0 || out != want || errs != "" {
		t.Errorf("sort: exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
	}
	code, out, _ = runAim(in, "version", "sort", "--reverse")
	want = "1:0.1\n10\n2\n1.0\n1.0-0\n1.0\n0:1.0\n1.0~rc1\n"
	if code != 0 || out != want {
		t.Errorf("sort --reverse: exit %d, stdout %q; want %q", code, out, want)
	}
	code, out, _ = runAim("2\n1\n", "--json", "version", "sort", "-r")
	if code != 0 || out != "[\"2\",\"1\"]\n" {
		t.Errorf("sort --json: exit %d, stdout %q", code, out)
	}
}

func TestVersionSortErrors(t *testing.T) {
	code, out, errs := runAim("1.0\n\n1:\n", "version", "sort")
	if want := "aim: line 3: parse version \"1:\": nothing after colon in version number\n"; code != 1 || out != "" || errs != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, %q", code, out, errs, want)
	}
	code, out, errs = runAim("abc\n1\n", "version", "sort")
	if code != 0 || out != "1\nabc\n" || !strings.Contains(errs, "aim: warning: line 1: ") {
		t.Errorf("warning: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, _ := runAim("", "version", "sort", "extra"); code != 2 {
		t.Errorf("sort with an argument: exit %d, want 2", code)
	}
	if code, out, _ := runAim("", "version", "sort"); code != 0 || out != "" {
		t.Errorf("empty input: exit %d, stdout %q", code, out)
	}
}
