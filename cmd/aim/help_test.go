package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpForms checks that aim help CMD, aim CMD --help and aim CMD -h
// print the same help on stdout with exit 0, for a command, a group and a
// verb, and compares the install and repo help with golden files.
func TestHelpForms(t *testing.T) {
	for _, c := range []struct {
		forms  [][]string
		golden string
		want   []string
		not    []string
	}{
		{forms: [][]string{{"help", "install"}, {"install", "--help"}, {"install", "-h"}, {"--root", "/x", "install", "-h"}},
			golden: "help-install", want: []string{"usage: aim install [OPTIONS] PKG[:ARCH][=VERSION]|FILE.deb...", "--no-install-recommends", "Examples:"}},
		{forms: [][]string{{"help", "repo"}, {"repo", "--help"}, {"repo", "-h"}},
			golden: "help-repo", want: []string{"Verbs:", "  publish "}},
		{forms: [][]string{{"help", "repo", "add"}, {"repo", "add", "--help"}, {"repo", "add", "-h"}},
			want: []string{"usage: aim repo add DIR", "--strict"}, not: []string{"--listen", "Verbs:"}},
		{forms: [][]string{{"help", "version", "compare"}, {"version", "compare", "-h"}},
			want: []string{"usage: aim version compare V1 OP V2"}},
	} {
		var first string
		for _, args := range c.forms {
			var out, errb bytes.Buffer
			if code := run(args, strings.NewReader(""), &out, &errb); code != 0 || errb.Len() > 0 {
				t.Errorf("aim %q: exit %d, stderr %q", args, code, errb.String())
			}
			if first == "" {
				first = out.String()
			} else if out.String() != first {
				t.Errorf("aim %q differs from aim %q:\n%s", args, c.forms[0], out.String())
			}
		}
		for _, w := range c.want {
			if !strings.Contains(first, w) {
				t.Errorf("help %q lacks %q:\n%s", c.forms[0], w, first)
			}
		}
		for _, n := range c.not {
			if strings.Contains(first, n) {
				t.Errorf("help %q has %q:\n%s", c.forms[0], n, first)
			}
		}
		if c.golden != "" {
			golden(t, c.golden, first)
		}
	}
}

// TestHelpErrors checks unknown topics: exit 2 and a message on stderr.
func TestHelpErrors(t *testing.T) {
	for _, args := range [][]string{{"help", "nope"}, {"help", "repo", "nope"}} {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb); code != 2 || !strings.HasPrefix(errb.String(), "aim: help: ") {
			t.Errorf("aim %q: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// TestEveryCommandHasHelp checks that every visible command and verb
// has a synopsis and a description.
func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands() {
		if hiddenCommand(name) || name == "test-probe" {
			continue
		}
		if h := helpTexts()[name]; len(h.synopsis) == 0 || h.description == "" {
			t.Errorf("command %s has no help text", name)
		}
		for v := range groupVerbs()[name] {
			if h := helpTexts()[name+" "+v]; len(h.synopsis) == 0 || h.description == "" {
				t.Errorf("verb %s %s has no help text", name, v)
			}
		}
	}
}

// TestRepoVerbOptions checks that a repo verb lists its own options, not
// every option the repo verbs share (in help and in the man page).
func TestRepoVerbOptions(t *testing.T) {
	add := aimOK(t, "help", "repo", "add")
	for _, want := range []string{"--strict", "--dist", "--link"} {
		if !strings.Contains(add, want) {
			t.Errorf("repo add help lacks %s:\n%s", want, add)
		}
	}
	for _, not := range []string{"--listen", "--valid-for", "--key"} {
		if strings.Contains(add, not) {
			t.Errorf("repo add help lists %s:\n%s", not, add)
		}
	}
	d := collectDocs(commands(), groupVerbs(), helpTexts())
	for _, c := range d.commands {
		for _, v := range c.verbs {
			if c.name == "repo" && v.name == "add" {
				for _, f := range v.flags {
					if f.name == "listen" || f.name == "key" {
						t.Errorf("aim-repo.1 lists --%s under add", f.name)
					}
				}
			}
		}
	}
}
