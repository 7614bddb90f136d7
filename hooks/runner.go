package hooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout is how long a script may run when Runner.Timeout is 0.
const DefaultTimeout = 10 * time.Minute

// DefaultPath is the PATH scripts get when Runner.Env has none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// DefaultAdminDir is the default Runner.AdminDir: dpkg's database, which
// is what tools called from scripts (dpkg-query, dpkg-maintscript-helper)
// read through DPKG_ADMINDIR.
const DefaultAdminDir = "var/lib/dpkg"

// waitDelay bounds how long Run waits, after a script exits or is killed,
// for processes it left behind to close its output.
const waitDelay = 2 * time.Second

// Script names one run of a maintainer script or checkrm.
type Script struct {
	Package string // the package's name
	// Name is "preinst", "postinst", "prerm", "postrm", "config" or
	// "checkrm"; it becomes DPKG_MAINTSCRIPT_NAME.
	Name string
	// Path is the script's absolute path on the host. When the runner is
	// chrooted, it must lie inside the root (for example
	// ROOT/var/lib/aim/info/foo.postinst, or a staging directory under
	// ROOT) and runs as its path inside the root.
	Path string
	// Args are the arguments after the script's name; the helpers in this
	// package (PostinstConfigure, PrermUpgrade, ...) build dpkg's.
	Args []string
	// Arch is the package's architecture (DPKG_MAINTSCRIPT_ARCH); when
	// empty, the runner's Arch is used.
	Arch string
}

// Runner runs scripts for packages installed under Root. Its zero value
// runs scripts on the host ("/") with the defaults below; NewRunner picks
// chroot or chrootless as dpkg does. A Runner is safe for concurrent use
// when its fields are not changed meanwhile.
//
// A script's environment is exactly: the entries of Env (NewRunner puts
// PATH and DISPLAY from aim's own environment there, and DEBIAN_FRONTEND:
// aim's own when it has one, else noninteractive; nothing else),
// PATH=DefaultPath when Env has no PATH, then what dpkg sets, which wins
// over Env: DPKG_MAINTSCRIPT_PACKAGE, DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT
// (always 1, where dpkg counts the installed instances of a Multi-Arch:
// same package),
// DPKG_MAINTSCRIPT_ARCH, DPKG_MAINTSCRIPT_NAME, DPKG_MAINTSCRIPT_DEBUG=0,
// DPKG_RUNNING_VERSION, DPKG_ADMINDIR and DPKG_ROOT; and DEBCONF_PACKAGE,
// the package's name: debconf's frontend takes the owner of a package's
// questions from the script's path under dpkg (info/PKG.postinst, or
// tmp.ci/control for a preinst), which aim's scripts do not have, and
// from DEBCONF_PACKAGE before anything else. dpkg itself passes its
// whole environment on; aim deliberately does not, so no locale, HOME,
// TERM or proxy setting leaks from the user's session into a script.
type Runner struct {
	// Root is the directory packages are installed under; "" means "/".
	Root string
	// Chroot runs scripts chrooted into Root (needs root privileges);
	// otherwise they run on the host with DPKG_ROOT=Root and Root as
	// their working directory. Ignored when Root is "/".
	Chroot bool
	// AdminDir is DPKG_ADMINDIR relative to Root; "" means DefaultAdminDir.
	AdminDir string
	// Arch is DPKG_MAINTSCRIPT_ARCH for scripts whose Script.Arch is "".
	Arch string
	// RunningVersion is DPKG_RUNNING_VERSION: aim's version ("0" if "").
	RunningVersion string
	// Timeout bounds each script's run; 0 means DefaultTimeout. When it
	// expires, the script's whole process group is killed with SIGKILL.
	Timeout time.Duration
	// Env holds NAME=VALUE entries passed to every script (see above).
	Env []string
	// Transcript, when not nil, receives a record of each run: the script
	// with its arguments, the lines of its output (the first and the last
	// ones within OutputHead, OutputTail and OutputLines, and how many
	// bytes were cut between them), and how it ended. Output is streamed:
	// memory stays bounded whatever a script prints.
	Transcript *Transcript
}

// NewRunner returns a runner for packages under root, chrooted when root
// is not "/", aim runs as root and chrootless is false (dpkg's rule), with
// PATH and DISPLAY taken from aim's environment, and DEBIAN_FRONTEND set
// to aim's own when it has one and to "noninteractive" otherwise.
//
// Scripts never have a terminal under aim (their standard input is
// /dev/null and TERM is not passed), so debconf's default frontends
// cannot ask anything: left to itself, debconf tries Dialog, then
// Readline, then Teletype (which runs stty), printing a complaint for
// each, before it takes the questions' defaults. noninteractive takes the
// defaults at once, as apt's unattended users (PackageKit,
// unattended-upgrades) have debconf do. A user who wants another frontend
// (a graphical one, in a desktop session) sets DEBIAN_FRONTEND for aim.
func NewRunner(root string, chrootless bool) (*Runner, error) {
	root, err := cleanRoot(root)
	if err != nil {
		return nil, err
	}
	r := &Runner{Root: root, Chroot: root != "/" && !chrootless && os.Geteuid() == 0}
	for _, name := range []string{"PATH", "DISPLAY"} {
		if v, ok := os.LookupEnv(name); ok {
			r.Env = append(r.Env, name+"="+v)
		}
	}
	frontend, ok := os.LookupEnv("DEBIAN_FRONTEND")
	if !ok || frontend == "" {
		frontend = DefaultDebconfFrontend
	}
	r.Env = append(r.Env, "DEBIAN_FRONTEND="+frontend)
	return r, nil
}

// DefaultDebconfFrontend is the DEBIAN_FRONTEND NewRunner gives scripts
// when aim's environment has none.
const DefaultDebconfFrontend = "noninteractive"

// scriptNames are the Script.Name values Run accepts.
var scriptNames = map[string]bool{
	"preinst": true, "postinst": true, "prerm": true, "postrm": true,
	"config": true, "checkrm": true,
}

// Run runs one script and waits for it. When the script file does not
// exist it returns a Result with Ran false and no error, as dpkg skips a
// missing script. Before starting it makes the file executable (0755)
// when it is not, as dpkg does, and checks that its interpreter exists
// where it will run (a *MissingError otherwise). A script that exits
// non-zero, is killed by a signal or times out yields a *ScriptError;
// one that cannot be started yields another error, also recorded in
// Result.StartError; when ctx ends first, the process group is killed and
// the error wraps ctx.Err(). The Result is filled in every case.
func (r *Runner) Run(ctx context.Context, s Script) (Result, error) {
	res := Result{Package: s.Package, Script: s.Name, Args: s.Args, ExitCode: -1}
	if s.Package == "" || !scriptNames[s.Name] {
		return res, fmt.Errorf("run script %q of package %q: invalid package or script name", s.Name, s.Package)
	}
	root, err := cleanRoot(r.Root)
	if err != nil {
		return res, err
	}
	chroot := r.Chroot && root != "/"
	look, inRoot, err := scriptPaths(root, chroot, s.Path)
	if err != nil {
		return res, fmt.Errorf("run %s %s: %w", s.Package, s.Name, err)
	}
	host, err := resolveInRoot(look, inRoot)
	if errors.Is(err, fs.ErrNotExist) {
		return res, nil
	} else if err != nil {
		return res, fmt.Errorf("run %s %s: %w", s.Package, s.Name, err)
	}
	res.Ran = true
	argv, err := r.prepare(root, chroot, host, inRoot, s)
	if err != nil {
		res.StartError = err
		if r.Transcript != nil {
			r.Transcript.ScriptStart(s.Package, s.Name, s.Args)
			r.Transcript.ScriptEnd(res)
		}
		return res, err
	}
	return r.run(ctx, root, chroot, argv, s, res)
}

// prepare makes the script executable, checks its interpreter and returns
// the argv to execute.
func (r *Runner) prepare(root string, chroot bool, host, inRoot string, s Script) ([]string, error) {
	if chroot && os.Geteuid() != 0 {
		return nil, fmt.Errorf("run %s %s chrooted into %s: needs root privileges; run it chrootless instead", s.Package, s.Name, root)
	}
	fi, err := os.Stat(host)
	if err != nil {
		return nil, fmt.Errorf("run %s %s: %w", s.Package, s.Name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("run %s %s: %s is not a regular file", s.Package, s.Name, s.Path)
	}
	if fi.Mode().Perm()&0o555 != 0o555 {
		if err := os.Chmod(host, 0o755); err != nil {
			return nil, fmt.Errorf("make %s %s executable: %w", s.Package, s.Name, err)
		}
	}
	look := "/"
	if chroot {
		look = root
	}
	interp, shebang, err := readInterpreter(host)
	if err != nil {
		return nil, fmt.Errorf("run %s %s: %w", s.Package, s.Name, err)
	}
	needed := s.Package + " " + s.Name
	if interp == "" {
		interp = inRoot // an ELF program: check its loader
	}
	if err := checkProgram(look, interp, needed); err != nil {
		return nil, err
	}
	argv := append([]string{inRoot}, s.Args...)
	if !shebang && interp == "/bin/sh" {
		// execvp's ENOEXEC fallback, which dpkg relies on.
		argv = append([]string{"/bin/sh"}, argv...)
	}
	return argv, nil
}

// env returns the script's environment (see Runner).
func (r *Runner) env(root string, chroot bool, s Script) []string {
	env := append([]string(nil), r.Env...)
	hasPath := false
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			hasPath = true
		}
	}
	if !hasPath {
		env = append(env, "PATH="+DefaultPath)
	}
	admin := r.AdminDir
	if admin == "" {
		admin = DefaultAdminDir
	}
	dpkgRoot, adminDir := "", filepath.Join(root, admin)
	if chroot {
		adminDir = filepath.Join("/", admin)
	} else if root != "/" {
		dpkgRoot = root
	}
	arch, version := s.Arch, r.RunningVersion
	if arch == "" {
		arch = r.Arch
	}
	if version == "" {
		version = "0"
	}
	set := map[string]string{
		"DPKG_MAINTSCRIPT_PACKAGE":          s.Package,
		"DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT": "1",
		"DPKG_MAINTSCRIPT_ARCH":             arch,
		"DPKG_MAINTSCRIPT_NAME":             s.Name,
		"DPKG_MAINTSCRIPT_DEBUG":            "0",
		"DPKG_RUNNING_VERSION":              version,
		"DPKG_ADMINDIR":                     adminDir,
		"DPKG_ROOT":                         dpkgRoot,
		"DEBCONF_PACKAGE":                   s.Package,
	}
	out := env[:0]
	for _, e := range env {
		if name, _, _ := strings.Cut(e, "="); !isDpkgVar(name) {
			out = append(out, e)
		}
	}
	for _, name := range dpkgVars {
		out = append(out, name+"="+set[name])
	}
	return out
}

// dpkgVars are the variables dpkg sets for scripts, and debconf's
// package name, in a fixed order.
var dpkgVars = []string{
	"DPKG_MAINTSCRIPT_PACKAGE", "DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT",
	"DPKG_MAINTSCRIPT_ARCH", "DPKG_MAINTSCRIPT_NAME", "DPKG_MAINTSCRIPT_DEBUG",
	"DPKG_RUNNING_VERSION", "DPKG_ADMINDIR", "DPKG_ROOT", "DEBCONF_PACKAGE",
}

func isDpkgVar(name string) bool {
	for _, v := range dpkgVars {
		if v == name {
			return true
		}
	}
	return false
}

// run starts argv and waits for it, capturing its output.
func (r *Runner) run(ctx context.Context, root string, chroot bool, argv []string, s Script, res Result) (Result, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tail := newTailBuffer(MaxOutput)
	var out io.Writer = tail
	var lines io.WriteCloser
	if r.Transcript != nil {
		r.Transcript.ScriptStart(s.Package, s.Name, s.Args)
		lines = r.Transcript.ScriptOutput(s.Package, s.Name)
		out = io.MultiWriter(tail, lines)
	}
	newCmd := func() *exec.Cmd {
		cmd := exec.CommandContext(runCtx, argv[0])
		cmd.Args = argv
		cmd.Env = r.env(root, chroot, s)
		cmd.Dir = root
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if chroot {
			cmd.SysProcAttr.Chroot = root
			cmd.Dir = "/"
		}
		cmd.Stdin = nil // os/exec connects it to /dev/null
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = waitDelay
		return cmd
	}
	start := time.Now()
	cmd, err := startRetrying(newCmd)
	if err != nil {
		res.StartError = err
		res.Duration = time.Since(start)
		r.finish(lines, res)
		return res, fmt.Errorf("start %s %s: %w", s.Package, s.Name, err)
	}
	waitErr := cmd.Wait()
	res.Duration = time.Since(start)
	res.Output, res.Truncated = tail.result()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = ws.Signal()
	} else {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		r.finish(lines, res)
		return res, fmt.Errorf("%s %s: %w", s.Package, s.Name, ctxErr)
	}
	res.TimedOut = res.Signal == syscall.SIGKILL && errors.Is(runCtx.Err(), context.DeadlineExceeded)
	r.finish(lines, res)
	if !res.Success() {
		return res, newScriptError(res)
	}
	if waitErr != nil && !errors.Is(waitErr, exec.ErrWaitDelay) {
		var exitErr *exec.ExitError
		if !errors.As(waitErr, &exitErr) {
			return res, fmt.Errorf("wait for %s %s: %w", s.Package, s.Name, waitErr)
		}
	}
	return res, nil
}

// finish flushes the output record and records the end of the run.
func (r *Runner) finish(lines io.WriteCloser, res Result) {
	if lines != nil {
		lines.Close()
	}
	r.Transcript.ScriptEnd(res)
}

// startRetrying starts a command built by newCmd, retrying a few times on
// ETXTBSY with a fresh command: a script
// written just before may still be open for writing in a child that
// another goroutine forked and that has not yet reached exec.
func startRetrying(newCmd func() *exec.Cmd) (*exec.Cmd, error) {
	for i := 0; ; i++ {
		cmd := newCmd()
		err := cmd.Start()
		if err == nil || !errors.Is(err, syscall.ETXTBSY) || i == 7 {
			return cmd, err
		}
		time.Sleep(time.Duration(5<<i) * time.Millisecond)
	}
}

// String describes the runner for messages: its root and mode.
func (r *Runner) String() string {
	root, _ := cleanRoot(r.Root)
	mode := "chrootless"
	if r.Chroot && root != "/" {
		mode = "chrooted"
	}
	return "scripts " + mode + " in " + strconv.Quote(root)
}
