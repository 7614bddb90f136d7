package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

var (
	reSize = regexp.MustCompile(`\d+(\.\d)? (B|kB|MB)`)
	reDone = regexp.MustCompile(`Downloading (\S+ \S+) of (\S+ \S+) 100%`)
)

// fakeTerminal is a writer that says it is a terminal.
type fakeTerminal struct{ bytes.Buffer }

func (*fakeTerminal) IsTerminal() bool { return true }

// TestInstallProgress checks what an install shows on stderr: plain
// lines (golden) without a terminal or with --no-progress, one redrawn
// line on a terminal, nothing with -q.
func TestInstallProgress(t *testing.T) {
	lib := pkgSpec{name: "libhello", version: "1.0", files: map[string]string{"/usr/lib/libhello.txt": "lib\n"}}
	hello := pkgSpec{name: "hello", version: "1.0", fields: "Depends: libhello\n",
		files: map[string]string{"/usr/bin/hello": "hello\n"}}
	tests := []struct {
		name  string
		term  bool
		flags []string
		check func(t *testing.T, errs string)
	}{
		{"plain", false, nil, func(t *testing.T, errs string) {
			golden(t, "install-progress-plain", reSize.ReplaceAllString(errs, "SIZE"))
		}},
		{"no-progress on a terminal", true, []string{"--no-progress"}, func(t *testing.T, errs string) {
			golden(t, "install-progress-plain", reSize.ReplaceAllString(errs, "SIZE"))
		}},
		{"quiet", true, []string{"-q"}, func(t *testing.T, errs string) {
			if errs != "" {
				t.Errorf("stderr %q, want nothing", errs)
			}
		}},
		{"terminal", true, nil, func(t *testing.T, errs string) {
			if strings.Contains(errs, "\n") || !strings.HasSuffix(errs, "\r\033[K") {
				t.Errorf("terminal output %q: want one line redrawn and cleared at the end", errs)
			}
			var lines []string
			for _, l := range strings.Split(errs, "\r\033[K") {
				if l != "" && !strings.HasPrefix(l, "Downloading") {
					lines = append(lines, l)
				}
			}
			want := []string{"[1/2] Unpacking libhello", "[2/2] Unpacking hello",
				"[1/2] Configuring libhello", "[2/2] Configuring hello"}
			if strings.Join(lines, "|") != strings.Join(want, "|") {
				t.Errorf("drawn %q, want %q", lines, want)
			}
			if !reDone.MatchString(errs) {
				t.Errorf("no complete download drawn in %q", errs)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := localRepo(t, hello, lib)
			var out bytes.Buffer
			var errw interface {
				Write([]byte) (int, error)
				String() string
			} = &bytes.Buffer{}
			if tc.term {
				errw = &fakeTerminal{}
			}
			args := append([]string{"--root", root, "install", "-y", "--scripts-chrootless"}, tc.flags...)
			if code := run(append(args, "hello"), strings.NewReader(""), &out, errw); code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errw.String())
			}
			if len(tc.flags) == 0 && !strings.Contains(out.String(), "Done: 2 installed") {
				t.Errorf("stdout %q has no summary", out.String())
			}
			tc.check(t, errw.String())
		})
	}
}
