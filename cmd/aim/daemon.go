package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"aim/install/aimconf"
	aimdbus "aim/install/dbus"
	"aim/repo/pkgsig"

	"github.com/spf13/pflag"
)

// daemonFlags choose the bus.
type daemonFlags struct {
	system, session, chrootless bool
	bus                         string
}

// busOf returns the bus to connect to: "system", "session" or an address.
func (f *daemonFlags) busOf() (string, error) {
	n := 0
	bus := ""
	if f.system {
		n, bus = n+1, "system"
	}
	if f.session {
		n, bus = n+1, "session"
	}
	if f.bus != "" {
		n, bus = n+1, f.bus
	}
	if n != 1 {
		return "", &exitError{code: 2, msg: "daemon: choose exactly one of --system, --session and --bus ADDRESS"}
	}
	return bus, nil
}

func setupDaemon(fs *pflag.FlagSet) func(*env, []string) error {
	var f daemonFlags
	fs.BoolVar(&f.system, "system", false, "serve on the system bus")
	fs.BoolVar(&f.session, "session", false, "serve on the session bus")
	fs.BoolVar(&f.chrootless, "scripts-chrootless", false, "run maintainer scripts on the host with DPKG_ROOT instead of chrooted")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return &exitError{code: 2, msg: "daemon: takes no arguments"}
		}
		f.bus = e.g.bus // the global --bus ADDRESS
		bus, err := f.busOf()
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		// After the first signal a second one ends the process at once,
		// whatever the shutdown waits for.
		context.AfterFunc(ctx, stop)
		cfg, err := daemonConfig(e)
		if err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
		cfg.Lang, cfg.ChrootlessScripts = locale(), f.chrootless
		return serveDaemon(ctx, e, bus, cfg)
	}
}

// daemonConfig is the service's configuration for the root: aim.conf's
// architecture, foreign architectures (with dpkg's), package-trust,
// acknowledge-timeout, documents-dir, dbus-allow-users, dbus-allow-groups,
// distribution and install-key.
func daemonConfig(e *env) (aimdbus.Config, error) {
	conf, err := settings(e)
	if err != nil {
		return aimdbus.Config{}, err
	}
	policy, _, err := pkgsig.PolicyFrom(conf.PackageTrust)
	if err != nil {
		return aimdbus.Config{}, fmt.Errorf("%s: %w", aimconf.File, err)
	}
	foreign, err := foreignArchs(e, conf)
	if err != nil {
		return aimdbus.Config{}, err
	}
	return aimdbus.Config{Root: e.g.root, Arch: conf.Architecture, Foreign: foreign, Policy: policy, AckTimeout: conf.AcknowledgeTimeout,
		DocumentsDir: conf.DocumentsDir, AllowUsers: conf.DBusAllowUsers, AllowGroups: conf.DBusAllowGroups,
		Distribution: distribution(conf), InstallKey: conf.InstallKey}, nil
}

// serveDaemon runs the service on bus until ctx ends or the bus closes
// the connection.
func serveDaemon(ctx context.Context, e *env, bus string, cfg aimdbus.Config) error {
	srv, err := aimdbus.New(cfg)
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	conn, err := aimdbus.Connect(bus, srv)
	if err != nil {
		return errors.Join(fmt.Errorf("daemon: %w", err), srv.Close())
	}
	if !e.g.quiet {
		fmt.Fprintf(e.stderr, "aim: serving %s and %s\n", aimdbus.Name, aimdbus.QtName)
	}
	select {
	case <-ctx.Done():
	case <-conn.Context().Done():
	}
	return errors.Join(srv.Close(), conn.Close())
}

// locale is the locale display names are chosen for: LC_ALL, LC_MESSAGES
// or LANG, the first set.
func locale() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}
