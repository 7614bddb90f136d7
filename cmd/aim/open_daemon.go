package main

// This file is aim open through the daemon: the file is read here, with
// the user's rights, and sent to the daemon's openInstallFile; the offer
// it returns is shown and confirmed (keys by the fingerprints the user
// saw) with confirmInstallFile, and the install task is followed.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	aimdbus "aim/install/dbus"
	"aim/install/singleclick"
	"aim/repo/installfile"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"
)

// openViaDaemon is aim open LOCATION (or aim install FILE.install)
// through the daemon: with -s it shows the offer and declines it.
func openViaDaemon(ctx context.Context, e *env, d *daemonRoute, fs *pflag.FlagSet, args []string, dry bool) error {
	if len(args) != 1 {
		return usageError("usage: aim open [-s] [--trust-key FPR] FILE.install|URL")
	}
	loc := args[0]
	var content []byte
	if !strings.HasPrefix(loc, "http://") && !strings.HasPrefix(loc, "https://") {
		var err error
		if content, err = installfile.ReadURL(ctx, loc); err != nil {
			return fmt.Errorf("open: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ui := newFrontEnd(e, trustKeysFlag(fs))
	if c, ok := ui.(interface{ onCancel(func()) }); ok {
		c.onCancel(cancel)
	}
	conn, err := d.connect(e)
	if err != nil {
		return ui.failed(err)
	}
	defer conn.Close()
	obj := conn.Object(aimdbus.Name, aimdbus.Path)
	var offerJSON string
	if err := obj.CallWithContext(ctx, aimdbus.Interface+".openInstallFile", 0, loc, content).Store(&offerJSON); err != nil {
		return ui.failed(daemonRefusal("open", d.unreachable(e, err)))
	}
	var o singleclick.Offer
	if err := json.Unmarshal([]byte(offerJSON), &o); err != nil {
		return ui.failed(fmt.Errorf("open: the daemon's offer: %w", err))
	}
	decline := func() { obj.Call(aimdbus.Interface+".declineInstallFile", 0, o.ID) }
	if e.g.json && dry {
		decline()
		return writeJSON(e.stdout, o)
	}
	ui.showOffer(&o)
	if dry {
		decline()
		return nil
	}
	var trusted []string
	for _, k := range o.Keys {
		ok, err := ui.trustKey(k)
		if err != nil || !ok {
			decline()
			if err == nil {
				err = &declinedError{msg: fmt.Sprintf("open: key %s not trusted (abort: nothing was changed)", k.Fingerprint)}
			} else {
				err = fmt.Errorf("open: %w", err)
			}
			return ui.failed(err)
		}
		trusted = append(trusted, k.Fingerprint)
	}
	if o.Plan == nil && len(o.AlreadyInstalled) > 0 && len(o.Keys) == 0 && !anyAdded(&o) {
		decline()
		return ui.finished(&o)
	}
	if ok, err := ui.confirm(&o); err != nil || !ok {
		decline()
		if err == nil {
			err = &declinedError{msg: "open: abort: nothing was changed"}
		}
		return ui.failed(err)
	}
	sigs := make(chan *dbus.Signal, 256)
	conn.Signal(sigs)
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(aimdbus.Path), dbus.WithMatchInterface(aimdbus.Interface)); err != nil {
		return ui.failed(fmt.Errorf("open via the daemon: %w", err))
	}
	var id string
	if err := obj.CallWithContext(ctx, aimdbus.Interface+".confirmInstallFile", 0, o.ID, trusted).Store(&id); err != nil {
		return ui.failed(daemonRefusal("open", err))
	}
	if id == "" {
		return ui.failed(fmt.Errorf("open via the daemon: the offer expired or the daemon's queue is full: run aim open again"))
	}
	if err := followTask(ctx, e, conn, obj, sigs, id, ui.progress); err != nil {
		return ui.failed(err)
	}
	return ui.finished(&o)
}

// anyAdded reports whether the offer adds or enables a repository.
func anyAdded(o *singleclick.Offer) bool {
	for _, r := range o.Repositories {
		if r.Action != singleclick.Present {
			return true
		}
	}
	return false
}

// trustKeysFlag returns the --trust-key values of fs.
func trustKeysFlag(fs *pflag.FlagSet) []string {
	if v, err := fs.GetStringSlice("trust-key"); err == nil {
		return v
	}
	return nil
}

// daemonRefusal turns the daemon's refusal of a call into the command's
// error: its message alone, without the D-Bus error name.
func daemonRefusal(what string, err error) error {
	name := busErrorName(err)
	switch {
	case name == aimdbus.Interface+".Error.Refused":
		return fmt.Errorf("%s: %s", what, dbusMessage(err))
	case name == "org.freedesktop.DBus.Error.AccessDenied", name == aimdbus.Interface+".Error.AuthenticationNeeded":
		return &refusedError{msg: dbusMessage(err), authNeeded: name != "org.freedesktop.DBus.Error.AccessDenied"}
	}
	return fmt.Errorf("%s via the daemon: %w", what, err)
}

// refusedError is the daemon's refusal to let the caller change the
// system.
type refusedError struct {
	msg        string
	authNeeded bool // it would allow after authentication
}

func (e *refusedError) Error() string { return e.msg }

// dbusMessage is the first string of a D-Bus error's body.
func dbusMessage(err error) string {
	if v, ok := dbusError(err); ok && len(v.Body) > 0 {
		if s, ok := v.Body[0].(string); ok {
			return s
		}
	}
	return err.Error()
}
