package hooks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunEndings(t *testing.T) {
	tests := []struct {
		name     string
		body     string // "" means: no file
		mode     os.FileMode
		ran      bool
		exit     int
		signal   syscall.Signal
		wantErr  bool
		wantText string // in Result.String()
	}{
		{name: "exit 0", body: "#!/bin/sh\nexit 0\n", ran: true},
		{name: "exit 3", body: "#!/bin/sh\necho failing >&2\nexit 3\n", ran: true, exit: 3, wantErr: true, wantText: "exit status 3"},
		{name: "signal", body: "#!/bin/sh\nkill -TERM $$\nsleep 5\n", ran: true, exit: -1, signal: syscall.SIGTERM, wantErr: true, wantText: "killed by signal terminated"},
		{name: "no #! line runs with /bin/sh", body: "echo plain\n", ran: true},
		{name: "not executable is made executable", body: "#!/bin/sh\nexit 0\n", mode: 0o644, ran: true},
		{name: "missing file is skipped", ran: false, exit: -1, wantText: "not present"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "foo.postinst")
			if tt.body != "" {
				writeScript(t, dir, "foo.postinst", tt.body)
				if tt.mode != 0 {
					if err := os.Chmod(p, tt.mode); err != nil {
						t.Fatal(err)
					}
				}
			}
			var r Runner
			res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p, Args: PostinstConfigure("")})
			if res.Ran != tt.ran || res.ExitCode != tt.exit || res.Signal != tt.signal {
				t.Fatalf("result ran=%v exit=%d signal=%v, want %v %d %v (err %v)", res.Ran, res.ExitCode, res.Signal, tt.ran, tt.exit, tt.signal, err)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			var se *ScriptError
			if tt.wantErr && (!errors.As(err, &se) || se.Package != "foo" || se.Script != "postinst" || se.Signal != tt.signal) {
				t.Fatalf("err = %#v, want a *ScriptError for foo postinst", err)
			}
			if tt.wantText != "" && !strings.Contains(res.String(), tt.wantText) {
				t.Fatalf("String() = %q, want %q in it", res.String(), tt.wantText)
			}
			if tt.mode != 0 {
				if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o755 {
					t.Fatalf("mode after run = %v, want 0755", fi.Mode())
				}
			}
		})
	}
}

func TestScriptErrorMessage(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "foo.prerm", "#!/bin/sh\necho first\necho 'cannot stop the daemon' >&2\nexit 1\n")
	var r Runner
	_, err := r.Run(testContext(t), Script{Package: "foo", Name: "prerm", Path: p, Args: PrermUpgrade("1:2.0")})
	want := "foo prerm upgrade 1:2.0: exit status 1: cannot stop the daemon"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// environ reads the environment a script's shell was started with.
const environScript = "#!/bin/sh\necho \"argv0=$0\"\nfor a in \"$@\"; do echo \"arg=[$a]\"; done\necho \"cwd=$(pwd)\"\ntr '\\0' '\\n' < /proc/$$/environ | sed 's/^/env=/'\n"

func parseLines(out []byte, prefix string) []string {
	var got []string
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			got = append(got, v)
		}
	}
	return got
}

func TestRunArgsAndEnvironment(t *testing.T) {
	root := t.TempDir()
	host := t.TempDir()
	p := writeScript(t, host, "foo.postinst", environScript)
	tests := []struct {
		name     string
		root     string
		env      []string
		wantRoot string
		wantCwd  string
		wantPath string
	}{
		{name: "host", root: "/", env: []string{"PATH=/usr/bin:/bin", "DISPLAY=:0"}, wantCwd: "/", wantPath: "/usr/bin:/bin"},
		{name: "chrootless root", root: root, env: []string{"DISPLAY=:0"}, wantRoot: root, wantCwd: root, wantPath: DefaultPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", "/should/not/leak")
			t.Setenv("LANG", "de_DE.UTF-8")
			r := Runner{Root: tt.root, Env: tt.env, Arch: "all", RunningVersion: "0.1",
				AdminDir: "var/lib/aim"}
			args := append(PostinstConfigure(""), PostinstTriggered([]string{"a", "b"})...)
			res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p, Args: args, Arch: "amd64"})
			if err != nil {
				t.Fatalf("run: %v\n%s", err, res.Output)
			}
			if got := parseLines(res.Output, "arg="); !slices.Equal(got, wrap(args)) {
				t.Errorf("args %q, want %q", got, wrap(args))
			}
			if got := parseLines(res.Output, "argv0="); !slices.Equal(got, []string{p}) {
				t.Errorf("$0 = %q, want %q", got, p)
			}
			if got := parseLines(res.Output, "cwd="); !slices.Equal(got, []string{tt.wantCwd}) {
				t.Errorf("cwd = %q, want %q", got, tt.wantCwd)
			}
			want := []string{
				"DEBCONF_PACKAGE=foo",
				"DISPLAY=:0",
				"DPKG_ADMINDIR=" + filepath.Join(tt.root, "var/lib/aim"),
				"DPKG_MAINTSCRIPT_ARCH=amd64",
				"DPKG_MAINTSCRIPT_DEBUG=0",
				"DPKG_MAINTSCRIPT_NAME=postinst",
				"DPKG_MAINTSCRIPT_PACKAGE=foo",
				"DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT=1",
				"DPKG_ROOT=" + tt.wantRoot,
				"DPKG_RUNNING_VERSION=0.1",
				"PATH=" + tt.wantPath,
			}
			got := parseLines(res.Output, "env=")
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("environment:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// wrap puts each argument in brackets, as environScript prints them.
func wrap(args []string) []string {
	w := make([]string, len(args))
	for i, a := range args {
		w[i] = "[" + a + "]"
	}
	return w
}

// TestRunStdinIsDevNull proves a script's standard input is /dev/null
// (reading it gives end of file at once) and is not a terminal.
func TestRunStdinIsDevNull(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "foo.preinst", `#!/bin/sh
echo "stdin=$(readlink /proc/$$/fd/0)"
if read line; then echo "read=got"; else echo "read=eof"; fi
if [ -t 0 ]; then echo "isatty=yes"; else echo "isatty=no"; fi
tty >/dev/null 2>&1 && echo "tty=yes" || echo "tty=no"
`)
	var r Runner
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "preinst", Path: p, Args: PreinstInstall()})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stdin=/dev/null", "read=eof", "isatty=no", "tty=no"} {
		if !bytes.Contains(res.Output, []byte(want+"\n")) {
			t.Errorf("output lacks %q:\n%s", want, res.Output)
		}
	}
}

func TestRunOutputInterleavedAndTranscribed(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "foo.postinst", "#!/bin/sh\necho out1\necho err1 >&2\necho out2\nprintf 'no newline'\n")
	var log bytes.Buffer
	r := Runner{Transcript: NewTranscript(&log)}
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p, Args: PostinstConfigure("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Output), "out1\nerr1\nout2\nno newline"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
	var kinds []string
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		f := strings.SplitN(l, " ", 3)
		kinds = append(kinds, f[1]+" "+f[2])
	}
	want := []string{
		"run foo postinst configure 1.0",
		"out foo postinst: out1",
		"out foo postinst: err1",
		"out foo postinst: out2",
		"out foo postinst: no newline",
	}
	if len(kinds) != len(want)+1 || !slices.Equal(kinds[:len(want)], want) || !strings.HasPrefix(kinds[len(want)], "exit foo postinst: exit status 0 (") {
		t.Fatalf("transcript:\n%s", log.String())
	}
}

// TestRunTimeoutKillsGroup runs a script that leaves a child holding its
// output; the timeout must kill both and Run must come back promptly.
func TestRunTimeoutKillsGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	p := writeScript(t, dir, "foo.postinst", "#!/bin/sh\nsleep 60 &\necho $! > "+pidFile+"\nsleep 60\n")
	r := Runner{Timeout: 300 * time.Millisecond}
	start := time.Now()
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p, Args: PostinstConfigure("")})
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("run took %v", elapsed)
	}
	var se *ScriptError
	if !errors.As(err, &se) || !se.TimedOut || !res.TimedOut || res.Signal != syscall.SIGKILL {
		t.Fatalf("err = %v, result %+v; want a timeout", err, res)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("background child %d survived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}

func TestRunContextCancelled(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "foo.postrm", "#!/bin/sh\nsleep 60\n")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var r Runner
	res, err := r.Run(ctx, Script{Package: "foo", Name: "postrm", Path: p, Args: PostrmRemove()})
	if !errors.Is(err, context.Canceled) || res.TimedOut {
		t.Fatalf("err = %v, timed out %v; want context.Canceled", err, res.TimedOut)
	}
}

func TestRunRefusals(t *testing.T) {
	dir := t.TempDir()
	good := writeScript(t, dir, "ok", "#!/bin/sh\nexit 0\n")
	noInterp := writeScript(t, dir, "perlish", "#!/nonexistent/perl -w\nexit 0\n")
	tests := []struct {
		name    string
		s       Script
		missing bool
	}{
		{name: "bad script name", s: Script{Package: "foo", Name: "postinstall", Path: good}},
		{name: "no package", s: Script{Name: "postinst", Path: good}},
		{name: "relative path", s: Script{Package: "foo", Name: "postinst", Path: "ok"}},
		{name: "missing interpreter", s: Script{Package: "foo", Name: "postinst", Path: noInterp}, missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Runner
			_, err := r.Run(testContext(t), tt.s)
			var me *MissingError
			if err == nil || errors.As(err, &me) != tt.missing {
				t.Fatalf("err = %v, want a refusal (missing interpreter: %v)", err, tt.missing)
			}
			if tt.missing && (me.Path != "/nonexistent/perl" || !strings.Contains(err.Error(), "foo postinst")) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestNewRunner(t *testing.T) {
	t.Setenv("PATH", "/usr/bin:/bin")
	t.Setenv("DISPLAY", ":1")
	t.Setenv("HOME", "/root")
	root := t.TempDir()
	tests := []struct {
		root       string
		chrootless bool
		chroot     bool
		frontend   string // aim's DEBIAN_FRONTEND; "-" unset
		want       string // the scripts'
	}{
		{root: "/", chroot: false, frontend: "-", want: "noninteractive"},
		{root: "", chroot: false, frontend: "", want: "noninteractive"},
		{root: root, chroot: os.Geteuid() == 0, frontend: "gnome", want: "gnome"},
		{root: root, chrootless: true, chroot: false, frontend: "-", want: "noninteractive"},
	}
	for _, tt := range tests {
		if tt.frontend == "-" {
			t.Setenv("DEBIAN_FRONTEND", "")
			os.Unsetenv("DEBIAN_FRONTEND")
		} else {
			t.Setenv("DEBIAN_FRONTEND", tt.frontend)
		}
		r, err := NewRunner(tt.root, tt.chrootless)
		if err != nil {
			t.Fatal(err)
		}
		if r.Chroot != tt.chroot {
			t.Errorf("NewRunner(%q, %v).Chroot = %v, want %v", tt.root, tt.chrootless, r.Chroot, tt.chroot)
		}
		if want := []string{"PATH=/usr/bin:/bin", "DISPLAY=:1", "DEBIAN_FRONTEND=" + tt.want}; !slices.Equal(r.Env, want) {
			t.Errorf("Env = %q, want %q", r.Env, want)
		}
	}
}

// TestRunEnvCannotOverrideDpkg checks that dpkg's variables win over
// entries of Runner.Env.
func TestRunEnvCannotOverrideDpkg(t *testing.T) {
	p := writeScript(t, t.TempDir(), "foo.postinst", environScript)
	r := Runner{Env: []string{"DPKG_ROOT=/elsewhere", "DPKG_MAINTSCRIPT_PACKAGE=bar", "KEEP=1"}}
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p})
	if err != nil {
		t.Fatal(err)
	}
	env := parseLines(res.Output, "env=")
	for _, want := range []string{"DPKG_ROOT=", "DPKG_MAINTSCRIPT_PACKAGE=foo", "KEEP=1", "PATH=" + DefaultPath} {
		if !slices.Contains(env, want) {
			t.Errorf("environment lacks %q: %q", want, env)
		}
	}
	if slices.Contains(env, "DPKG_ROOT=/elsewhere") || slices.Contains(env, "DPKG_MAINTSCRIPT_PACKAGE=bar") {
		t.Errorf("Env overrode dpkg's variables: %q", env)
	}
}
