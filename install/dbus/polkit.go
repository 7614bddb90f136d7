package dbus

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// This file asks polkit whether a caller may change the system.

// PolkitAction is the polkit action of every call that changes the
// system (contrib/org.aim.install.policy).
const PolkitAction = "org.aim.install"

// polkitName is polkit's authority on the system bus.
const (
	polkitName      = "org.freedesktop.PolicyKit1"
	polkitPath      = dbus.ObjectPath("/org/freedesktop/PolicyKit1/Authority")
	polkitAuthority = "org.freedesktop.PolicyKit1.Authority"
)

// polkitTimeout bounds one CheckAuthorization, which waits while an
// authentication agent asks the user for a password.
const polkitTimeout = 5 * time.Minute

// The errors a caller that may not change the system gets.
var (
	errAccessDenied = dbus.NewError("org.freedesktop.DBus.Error.AccessDenied",
		[]any{"not allowed to change the system: see dbus-allow-users and dbus-allow-groups in aim.conf"})
	errPolkitDenied = dbus.NewError("org.freedesktop.DBus.Error.AccessDenied",
		[]any{"not allowed to change the system: polkit refused the action " + PolkitAction + " to this user"})
	errAuthNeeded = dbus.NewError(Interface+".Error.AuthenticationNeeded",
		[]any{"authentication needed to change the system, and no polkit authentication agent answered: log in to a desktop session (or run pkttyagent) and try again"})
)

// polkitOnBus reports whether polkit's authority owns its name on conn's
// bus or can be started there.
func polkitOnBus(conn *dbus.Conn) bool {
	var owned bool
	if conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, polkitName).Store(&owned) == nil && owned {
		return true
	}
	var names []string
	if conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&names) != nil {
		return false
	}
	for _, n := range names {
		if n == polkitName {
			return true
		}
	}
	return false
}

// polkitResult is CheckAuthorization's answer.
type polkitResult struct {
	IsAuthorized bool
	IsChallenge  bool
	Details      map[string]string
}

// polkitCheck asks polkit whether sender (a unique bus name) may do
// PolkitAction, letting polkit ask the user through an authentication
// agent. It returns nil when allowed, errAuthNeeded when polkit wants an
// authentication that no agent gave, and an AccessDenied error otherwise
// (also when polkit cannot be asked: it fails closed).
func polkitCheck(ctx context.Context, conn *dbus.Conn, sender string) *dbus.Error {
	ctx, cancel := context.WithTimeout(ctx, polkitTimeout)
	defer cancel()
	subject := struct {
		Kind    string
		Details map[string]dbus.Variant
	}{"system-bus-name", map[string]dbus.Variant{"name": dbus.MakeVariant(sender)}}
	const allowUserInteraction = uint32(1)
	var res polkitResult
	err := conn.Object(polkitName, polkitPath).CallWithContext(ctx, polkitAuthority+".CheckAuthorization", 0,
		subject, PolkitAction, map[string]string{}, allowUserInteraction, "").Store(&res)
	switch {
	case err != nil:
		return dbus.NewError("org.freedesktop.DBus.Error.AccessDenied",
			[]any{fmt.Sprintf("not allowed to change the system: polkit could not be asked: %v", err)})
	case res.IsAuthorized:
		return nil
	case res.IsChallenge:
		return errAuthNeeded
	}
	return errPolkitDenied
}
