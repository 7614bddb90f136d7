package main

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		args []string
		name string
		rest []string
	}{
		{[]string{"update"}, "update", []string{}},
		{[]string{"--root", "/r", "update", "-y"}, "update", []string{"--root", "/r", "-y"}},
		{[]string{"--root=/r", "-q", "install", "foo"}, "install", []string{"--root=/r", "-q", "foo"}},
		{[]string{"-y", "--", "update"}, "", []string{"-y", "--", "update"}},
		{[]string{}, "", []string{}},
	}
	for _, tt := range tests {
		name, rest := splitCommand(tt.args)
		if name != tt.name || (len(rest) > 0 || len(tt.rest) > 0) && !reflect.DeepEqual(rest, tt.rest) {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", tt.args, name, rest, tt.name, tt.rest)
		}
	}
}

// probe is a command for these tests that records what it was given.
var probeSeen struct {
	root  string
	json  bool
	flag  string
	args  []string
	calls int
}

func init() {
	register(&command{name: "test-probe", summary: "records its arguments (tests only)", setup: func(fs *pflag.FlagSet) func(*env, []string) error {
		f := fs.String("flag", "", "a command flag")
		return func(e *env, args []string) error {
			probeSeen.root, probeSeen.json, probeSeen.flag, probeSeen.args = e.g.root, e.g.json, *f, args
			probeSeen.calls++
			switch {
			case len(args) > 0 && args[0] == "fail":
				return errors.New("it failed")
			case len(args) > 0 && args[0] == "exit3":
				return &exitError{code: 3}
			}
			return nil
		}
	}})
}

func TestGlobalFlagsBeforeAndAfter(t *testing.T) {
	for _, args := range [][]string{
		{"--root", "/r", "--json", "test-probe", "--flag", "v", "a", "b"},
		{"test-probe", "a", "--root=/r", "b", "--flag=v", "--json"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, errb.String())
		}
		if probeSeen.root != "/r" || !probeSeen.json || probeSeen.flag != "v" || !reflect.DeepEqual(probeSeen.args, []string{"a", "b"}) {
			t.Errorf("%q: command saw %+v", args, probeSeen)
		}
	}
}

func TestExitStatusAndErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"test-probe", "fail"}, 1, "aim: it failed\n"},
		{[]string{"test-probe", "exit3"}, 3, ""},
		{[]string{"no-such-command"}, 2, "aim: unknown command \"no-such-command\""},
		{[]string{"test-probe", "--no-such-flag"}, 2, "aim: unknown flag: --no-such-flag"},
		{[]string{}, 2, ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, strings.NewReader(""), &out, &errb)
		if code != tt.code || !strings.HasPrefix(errb.String(), tt.err) {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tt.args, code, errb.String(), tt.code, tt.err)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"help"}, nil, &out, &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "test-probe") {
		t.Errorf("help output lacks commands:\n%s", out.String())
	}
}
