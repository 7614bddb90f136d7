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
	"strings"
	"syscall"

	aimdbus "aim/install/dbus"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"
)

// daemonMethods are the commands --via-daemon supports and the methods
// of aim's interface that make their tasks.
var daemonMethods = map[string]string{"install": "installPackages", "remove": "removePackages", "upgrade": "upgrade"}

// throughDaemon wraps the run function of command name: with the global
// --via-daemon the command is sent to the daemon instead (see
// runViaDaemon); without it, run runs as is.
func throughDaemon(name string, fs *pflag.FlagSet, run func(*env, []string) error) func(*env, []string) error {
	return func(e *env, args []string) error {
		if !e.g.viaDaemon {
			return run(e, args)
		}
		if _, ok := daemonMethods[name]; !ok {
			return &exitError{code: 2, msg: name + ": --via-daemon works with install, remove and upgrade only"}
		}
		dry := false
		if f := fs.Lookup("dry-run"); f != nil {
			dry = f.Value.String() == "true"
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runViaDaemon(ctx, e, name, args, dry)
	}
}

// runViaDaemon asks the daemon on the bus the globals choose for a task
// doing command name on args (for a dry run, for its plan, printed as
// is), follows the task's signals, prints its states and progress on
// stderr (unless -q) and its end on stdout, and returns an error when it
// fails. When ctx ends first the task is cancelled and followed to its
// end.
func runViaDaemon(ctx context.Context, e *env, name string, args []string, dry bool) error {
	if name == "upgrade" && len(args) > 0 {
		return &exitError{code: 2, msg: "upgrade: takes no arguments"}
	}
	if name != "upgrade" && len(args) == 0 {
		return &exitError{code: 2, msg: name + ": name at least one package"}
	}
	conn, err := daemonConn(e.g.bus)
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
		return fmt.Errorf("%s via the daemon: %w", name, err)
	}
	if id == "" {
		return fmt.Errorf("%s via the daemon: no task was made (a malformed package name, or the daemon's queue is full)", name)
	}
	return follow(ctx, e, conn, obj, sigs, id)
}

// daemonConn connects to bus (an address), else the session bus of
// DBUS_SESSION_BUS_ADDRESS, else the system bus.
func daemonConn(bus string) (*dbus.Conn, error) {
	if bus == "" {
		bus = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	var conn *dbus.Conn
	var err error
	if bus == "" {
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
	lastPct := -1
	done := ctx.Done()
	for {
		var s *dbus.Signal
		select {
		case s = <-sigs:
		case <-done:
			done = nil // cancel once, then wait for the task's end
			var ok bool
			obj.Call(aimdbus.QtInterface+".cancelTask", 0, id).Store(&ok)
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
			if st, _ := s.Body[1].(string); !e.g.quiet && st != "Finished" && st != "Failed" {
				fmt.Fprintf(e.stderr, "aim: task %s: %s\n", id, st)
			}
		case "taskProgressChanged":
			p, _ := s.Body[1].(float64)
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
			return fmt.Errorf("task %s failed (code %d): %s", id, end.Code, end.Error)
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
