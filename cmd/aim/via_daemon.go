package main

// This file holds --via-daemon: install, remove and upgrade sent to a
// running aim daemon, so that a terminal user and a system UI see the
// same tasks.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	aimdbus "aim/install/dbus"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"
)

// daemonMethods are the commands --via-daemon supports and the methods
// of aim's interface that make their tasks.
var daemonMethods = map[string]string{"install": "installPackages", "remove": "removePackages", "upgrade": "upgrade"}

// throughDaemon wraps the run function of command name: with the global
// --via-daemon, or automatically for an ordinary user whose target root
// is not theirs to write (see mustUseDaemon), the command is sent to the
// daemon instead (see runViaDaemon and openViaDaemon); otherwise run
// runs as is.
func throughDaemon(name string, fs *pflag.FlagSet, run func(*env, []string) error) func(*env, []string) error {
	return func(e *env, args []string) error {
		dry := false
		if f := fs.Lookup("dry-run"); f != nil {
			dry = f.Value.String() == "true"
		}
		auto := !e.g.viaDaemon && mustUseDaemon(e, name, args, dry)
		if !e.g.viaDaemon && !auto {
			return run(e, args)
		}
		_, ok := daemonMethods[name]
		if !ok && name != "open" {
			return &exitError{code: 2, msg: name + ": --via-daemon works with open, install, remove and upgrade only"}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		d := &daemonRoute{auto: auto, bus: e.g.bus}
		if name == "open" || name == "install" && len(args) == 1 && isInstallFile(args[0]) {
			return openViaDaemon(ctx, e, d, fs, args, dry)
		}
		for _, a := range args {
			if strings.HasSuffix(a, ".deb") || isInstallFile(a) {
				return &exitError{code: 2, msg: name + ": through the daemon, install takes package names or one .install file, not " + a}
			}
		}
		return runViaDaemon(ctx, e, d, name, args, dry)
	}
}

// mustUseDaemon reports whether command name must go to the system
// daemon: open, install, remove and upgrade (not their dry runs, which
// only read, except open's, which stages sources) run by an ordinary user
// whose target root they cannot write. A root of the user's own
// (--root DIR) is changed directly.
func mustUseDaemon(e *env, name string, args []string, dry bool) bool {
	switch name {
	case "open":
	case "install":
		if dry && !(len(args) == 1 && isInstallFile(args[0])) {
			return false
		}
	case "remove", "upgrade":
		if dry {
			return false
		}
	default:
		return false
	}
	return os.Geteuid() != 0 && !writable(filepath.Join(e.g.root, aimStateDir))
}

// aimStateDir is where aim keeps its state below a root.
const aimStateDir = "var/lib/aim"

// writable reports whether the calling user may create or change dir:
// it, or its nearest existing parent, grants write access.
func writable(dir string) bool {
	for {
		err := unix.Access(dir, unix.W_OK)
		if err == nil {
			return true
		}
		if !errors.Is(err, unix.ENOENT) {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// daemonRoute is how a command reaches the daemon: chosen automatically
// (then the system bus unless --bus) or with --via-daemon.
type daemonRoute struct {
	auto bool
	bus  string
}

// connect connects to the daemon's bus; an automatic route that cannot
// reach it says what to do.
func (d *daemonRoute) connect(e *env) (*dbus.Conn, error) {
	bus := d.bus
	if d.auto && bus == "" {
		bus = "system"
	}
	conn, err := daemonConn(bus)
	if err != nil {
		return nil, d.unreachable(e, err)
	}
	if d.auto {
		if err := sameRoot(e, conn); err != nil {
			conn.Close()
			return nil, d.unreachable(e, err)
		}
	}
	return conn, nil
}

// sameRoot checks that the daemon on conn manages the root the command
// is for (its installationLocation), so that --root DIR never changes
// another system.
func sameRoot(e *env, conn *dbus.Conn) error {
	v, err := conn.Object(aimdbus.Name, aimdbus.Path).GetProperty(aimdbus.Interface + ".installationLocation")
	if err != nil {
		return err
	}
	loc, _ := v.Value().(map[string]dbus.Variant)
	path, _ := loc["path"].Value().(string)
	want, err := filepath.Abs(e.g.root)
	if err != nil {
		return err
	}
	if filepath.Clean(path) != want {
		return &exitError{code: 1, msg: fmt.Sprintf("changing the system under %s needs root: the aim daemon manages %s, not %s (run as root, or give --root DIR with a directory you own)", e.g.root, path, want)}
	}
	return nil
}

// unreachable explains an automatic route's failure to reach the daemon;
// other errors are returned as they are.
func (d *daemonRoute) unreachable(e *env, err error) error {
	var ee *exitError
	if !d.auto || errors.As(err, &ee) {
		return err
	}
	switch busErrorName(err) {
	case "", "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.DBus.Error.Spawn.ServiceNotFound", "org.freedesktop.DBus.Error.Spawn.ExecFailed":
	default:
		return err
	}
	return &noDaemonError{msg: fmt.Sprintf("changing the system under %s needs root, and aim's system service could not be reached (%v): "+
		"start it with \"systemctl start aim-daemon\" (its files are installed by \"make -C contrib install\"), "+
		"or run as root, or give --root DIR with a directory you own", e.g.root, err)}
}

// runViaDaemon asks the daemon on the bus the globals choose for a task
// doing command name on args (for a dry run, for its plan, printed as
// is), follows the task's signals, prints its states and progress on
// stderr (unless -q) and its end on stdout, and returns an error when it
// fails. When ctx ends first the task is cancelled and followed to its
// end.
func runViaDaemon(ctx context.Context, e *env, d *daemonRoute, name string, args []string, dry bool) error {
	if name == "upgrade" && len(args) > 0 {
		return &exitError{code: 2, msg: "upgrade: takes no arguments"}
	}
	if name != "upgrade" && len(args) == 0 {
		return &exitError{code: 2, msg: name + ": name at least one package"}
	}
	conn, err := d.connect(e)
	if err != nil {
		return err
	}
	defer conn.Close()
	obj := conn.Object(aimdbus.Name, aimdbus.Path)
	if dry {
		var plan string
		if err := obj.CallWithContext(ctx, aimdbus.Interface+".plan", 0, strings.TrimSpace(name+" "+strings.Join(args, " "))).Store(&plan); err != nil {
			return fmt.Errorf("%s via the daemon: %w", name, err)
		}
		fmt.Fprintln(e.stdout, plan)
		return nil
	}
	sigs := make(chan *dbus.Signal, 256)
	conn.Signal(sigs)
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(aimdbus.Path), dbus.WithMatchInterface(aimdbus.Interface)); err != nil {
		return fmt.Errorf("%s via the daemon: %w", name, err)
	}
	var callArgs []any
	if name != "upgrade" {
		callArgs = []any{args}
	}
	var id string
	if err := obj.CallWithContext(ctx, aimdbus.Interface+"."+daemonMethods[name], 0, callArgs...).Store(&id); err != nil {
		return d.unreachable(e, fmt.Errorf("%s via the daemon: %w", name, err))
	}
	if id == "" {
		return fmt.Errorf("%s via the daemon: no task was made (a malformed package name, or the daemon's queue is full)", name)
	}
	return follow(ctx, e, conn, obj, sigs, id)
}

// noDaemonError says that the daemon an ordinary user's command needs
// could not be reached, and what to do.
type noDaemonError struct{ msg string }

func (e *noDaemonError) Error() string { return e.msg }

// taskFailedError is a daemon task's failure: its taskFailed code and
// message.
type taskFailedError struct {
	ID   string
	Code int32
	Msg  string
}

func (e *taskFailedError) Error() string {
	return fmt.Sprintf("task %s failed (code %d): %s", e.ID, e.Code, e.Msg)
}

// taskFailed codes the command line tells apart (install/dbus numbers
// them as Qt Application Manager does).
const (
	codeCancelledTask    = 1
	codeStorageSpaceTask = 14
)

// dbusError returns the D-Bus error err carries.
func dbusError(err error) (dbus.Error, bool) {
	var v dbus.Error
	if errors.As(err, &v) {
		return v, true
	}
	var p *dbus.Error
	if errors.As(err, &p) && p != nil {
		return *p, true
	}
	return dbus.Error{}, false
}

// busErrorName is the D-Bus error name err carries, "" when none.
func busErrorName(err error) string {
	v, _ := dbusError(err)
	return v.Name
}

// daemonConn connects to bus ("system" or an address), else the
// session bus of DBUS_SESSION_BUS_ADDRESS, else the system bus.
func daemonConn(bus string) (*dbus.Conn, error) {
	if bus == "" {
		bus = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	var conn *dbus.Conn
	var err error
	if bus == "" || bus == "system" {
		conn, err = dbus.SystemBusPrivate()
	} else {
		conn, err = dbus.Dial(bus)
	}
	if err == nil {
		if err = errors.Join(conn.Auth(nil), conn.Hello()); err != nil {
			conn.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the daemon's bus: %w", err)
	}
	return conn, nil
}

// codeNothingToDo is taskFailed's AlreadyInstalled code, which the
// daemon gives a request with an empty plan; like a local aim, the
// command line counts that as success.
const codeNothingToDo = 43

// taskEnd is how a followed task ended, as --json prints it.
type taskEnd struct {
	Task  string `json:"task"`
	State string `json:"state"`
	Code  int32  `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// follow reads the signals of task id until it finishes or fails.
func follow(ctx context.Context, e *env, conn *dbus.Conn, obj dbus.BusObject, sigs chan *dbus.Signal, id string) error {
	return followTask(ctx, e, conn, obj, sigs, id, nil)
}

// followTask is follow that also tells observe (when not nil) each state
// and progress of the task.
func followTask(ctx context.Context, e *env, conn *dbus.Conn, obj dbus.BusObject, sigs chan *dbus.Signal, id string, observe func(state string, progress float64)) error {
	if observe == nil {
		observe = func(string, float64) {}
	}
	lastPct := -1
	done := ctx.Done()
	for {
		var s *dbus.Signal
		select {
		case s = <-sigs:
		case <-done:
			done = nil // cancel once, then wait for the task's end
			var ok bool
			obj.Call(aimdbus.Interface+".cancelTask", 0, id).Store(&ok)
			if !e.g.quiet {
				fmt.Fprintf(e.stderr, "aim: task %s: cancel %s\n", id, map[bool]string{true: "requested", false: "refused (too late)"}[ok])
			}
			continue
		case <-conn.Context().Done():
			return fmt.Errorf("task %s: the connection to the daemon closed", id)
		}
		if s == nil || len(s.Body) == 0 || s.Body[0] != id {
			continue
		}
		switch strings.TrimPrefix(s.Name, aimdbus.Interface+".") {
		case "taskStateChanged":
			st, _ := s.Body[1].(string)
			if !e.g.quiet && st != "Finished" && st != "Failed" {
				fmt.Fprintf(e.stderr, "aim: task %s: %s\n", id, st)
			}
			observe(st, -1)
		case "taskProgressChanged":
			p, _ := s.Body[1].(float64)
			observe("", p)
			if pct := int(p*10) * 10; pct > lastPct && !e.g.quiet && !e.g.noProgress {
				lastPct = pct
				fmt.Fprintf(e.stderr, "aim: task %s: %d%%\n", id, pct)
			}
		case "taskFinished":
			return printEnd(e, taskEnd{Task: id, State: "Finished"})
		case "taskFailed":
			end := taskEnd{Task: id, State: "Failed"}
			end.Code, _ = s.Body[1].(int32)
			end.Error, _ = s.Body[2].(string)
			if end.Code == codeNothingToDo {
				end.State = "Finished"
				return printEnd(e, end)
			}
			if err := printEnd(e, end); err != nil {
				return err
			}
			if e.g.json {
				return &exitError{code: 1}
			}
			return &taskFailedError{ID: id, Code: end.Code, Msg: end.Error}
		}
	}
}

// printEnd prints how the task ended: JSON with --json, else a line for
// a finished task (a failure is the caller's error message).
func printEnd(e *env, end taskEnd) error {
	if e.g.json {
		b, err := json.Marshal(end)
		if err != nil {
			return fmt.Errorf("task %s: %w", end.Task, err)
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	switch {
	case end.State == "Finished" && end.Code == codeNothingToDo:
		fmt.Fprintf(e.stdout, "task %s: nothing to do\n", end.Task)
	case end.State == "Finished":
		fmt.Fprintf(e.stdout, "task %s finished\n", end.Task)
	}
	return nil
}
