package main

// This file sends a desktop notification: org.freedesktop.Notifications
// on the session bus, else notify-send.

import (
	"fmt"
	"os/exec"

	"github.com/godbus/dbus/v5"
)

// notifyTimeout is how long a notification stays, in milliseconds.
const notifyTimeout = int32(10000)

// notify shows summary and body as a desktop notification of app. It
// tries the session bus's notification server first, then notify-send.
func notify(app, icon, summary, body string) error {
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		defer conn.Close()
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err == nil {
		var id uint32
		err = conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").Call(
			"org.freedesktop.Notifications.Notify", 0, app, uint32(0), icon, summary, body,
			[]string{}, map[string]dbus.Variant{}, notifyTimeout).Store(&id)
		if err == nil {
			return nil
		}
	}
	bin, lerr := exec.LookPath("notify-send")
	if lerr != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if out, err := exec.Command(bin, "--app-name", app, "--icon", icon, summary, body).CombinedOutput(); err != nil {
		return fmt.Errorf("notify-send: %v: %s", err, out)
	}
	return nil
}
