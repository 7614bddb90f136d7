package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// completionScript writes aim's generated completion for shell into a
// temporary file and returns its path.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	out, errs, code := aim(t, "__docs", "completion", shell)
	if code != 0 {
		t.Fatalf("__docs completion %s: exit %d: %s", shell, code, errs)
	}
	path := filepath.Join(t.TempDir(), "aim."+shell)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBashCompletionSyntax(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	if out, err := exec.Command("bash", "-n", completionScript(t, "bash")).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
}

// TestBashCompletionWords runs the completion function the way bash
// does, with COMP_WORDS split as readline splits them ("=" is a word).
func TestBashCompletionWords(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	script := completionScript(t, "bash")
	tests := []struct {
		words []string
		want  []string
	}{
		{[]string{"aim", "de"}, []string{"deb"}},
		{[]string{"aim", "--ro"}, []string{"--root"}},
		{[]string{"aim", "--root", "/r", "ins"}, []string{"install"}},
		{[]string{"aim", "--root", "=", "/r", "ins"}, []string{"install"}},
		{[]string{"aim", "deb", "b"}, []string{"build"}},
		{[]string{"aim", "deb", "build", "--comp"}, []string{"--compression"}},
		{[]string{"aim", "deb", "sign", "--comp"}, nil},
		{[]string{"aim", "install", "--dry"}, []string{"--dry-run"}},
		{[]string{"aim", "install", "--j"}, []string{"--json"}},
		{[]string{"aim", "repo", "--dist", "stable", "pub"}, []string{"publish"}},
		{[]string{"aim", "source", "--name", "x", "a"}, []string{"add"}},
		{[]string{"aim", "version", "c"}, []string{"compare"}},
		{[]string{"aim", "install", "--only", ""}, nil},
	}
	const driver = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _aim; printf '%s\n' "${COMPREPLY[@]}"`
	for _, tt := range tests {
		out, err := exec.Command("bash", append([]string{"-c", driver, "bash", script}, tt.words...)...).CombinedOutput()
		if err != nil {
			t.Errorf("%q: %v\n%s", tt.words, err, out)
			continue
		}
		got := strings.Fields(string(out))
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("complete %q = %q, want %q", tt.words, got, tt.want)
		}
	}
}

// TestZshCompletion checks the zsh script's syntax and that compinit
// takes it as aim's completion; skipped where zsh is not installed.
func TestZshCompletion(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh not installed")
	}
	script := completionScript(t, "zsh")
	if out, err := exec.Command("zsh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	// compinit -D keeps it from writing a dump file into $HOME.
	const driver = `autoload -Uz compinit && compinit -D -u && source "$1" && print -r -- $_comps[aim] $+functions[_aim_deb]`
	cmd := exec.Command("zsh", "-f", "-c", driver, "zsh", script)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "ZDOTDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_aim 1" {
		t.Errorf("zsh compdef: %v\n%s", err, out)
	}
}

// TestBashCompletionNames completes package and source names through
// aim __complete, with the --root given on the command line: installed
// packages for remove, available ones for install, sources for source
// enable.
func TestBashCompletionNames(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}},
		pkgSpec{name: "helper", version: "1.0"})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello")
	bin := t.TempDir()
	exe, _ := os.Executable()
	os.WriteFile(filepath.Join(bin, "aim"), []byte("#!/bin/sh\nAIM_TEST_ARGV=1 exec "+exe+" \"$@\"\n"), 0o755)
	script := completionScript(t, "bash")
	const driver = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _aim; printf '%s\n' "${COMPREPLY[@]}"`
	for _, tt := range []struct {
		words []string
		want  []string
	}{
		{[]string{"aim", "--root", root, "remove", "h"}, []string{"hello"}},
		{[]string{"aim", "--root", root, "install", "hel"}, []string{"hello", "helper"}},
		{[]string{"aim", "--root", root, "source", "enable", ""}, []string{"sources:1"}},
	} {
		cmd := exec.Command("bash", append([]string{"-c", driver, "bash", script}, tt.words...)...)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if got := strings.Fields(string(out)); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("complete %q = %q (%v), want %q", tt.words[3:], got, err, tt.want)
		}
	}
}
