package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/install/dbus/dbustest"
)

// Where polkitd reads actions and rules; it reads nowhere else.
const (
	polkitd        = "/usr/lib/polkit-1/polkitd"
	polkitActions  = "/usr/share/polkit-1/actions/org.aim.install.policy"
	polkitRules    = "/etc/polkit-1/rules.d/10-aim-test.rules"
	polkitBusConf  = "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"
	polkitTestRule = `// Written by aim's tests; removed when they end.
polkit.addRule(function(action, subject) {
    if (action.id != "org.aim.install") return polkit.Result.NOT_HANDLED;
    if (subject.user == "nobody") return polkit.Result.YES;
    if (subject.user == "daemon") return polkit.Result.AUTH_ADMIN;
    return polkit.Result.NO;
});
`
)

// Users of the test: polkit's rule (or aim.conf's allow-list) grants
// nobody, denies bin, and wants daemon to authenticate.
const (
	uidDaemon = 1
	uidBin    = 2
)

// startPolkit installs contrib's action file and the test's rules where
// polkitd reads them (removing both when the test ends), and runs the real
// polkitd on the bus at addr. It returns why polkit could not be started,
// "" when it runs.
func startPolkit(t *testing.T, addr string) string {
	t.Helper()
	if _, err := os.Stat(polkitd); err != nil {
		return "polkitd is not installed (Debian package polkitd)"
	}
	if _, err := os.Stat(filepath.Dir(polkitRules)); err != nil {
		return "no " + filepath.Dir(polkitRules)
	}
	for _, f := range []struct{ path, from, text string }{{path: polkitActions, from: "../../contrib/org.aim.install.policy"}, {path: polkitRules, text: polkitTestRule}} {
		if _, err := os.Stat(f.path); err == nil {
			return f.path + " exists already: not replacing it"
		}
		data := []byte(f.text)
		if f.from != "" {
			var err error
			if data, err = os.ReadFile(f.from); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(f.path, data, 0o644); err != nil {
			return err.Error()
		}
		t.Cleanup(func() { os.Remove(f.path) })
	}
	var log bytes.Buffer
	cmd := exec.Command(polkitd, "--no-debug")
	cmd.Env = append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+addr)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return err.Error()
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	conn, err := daemonConn(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 100 {
		var owned bool
		if conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.PolicyKit1").Store(&owned); owned {
			return ""
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "polkitd did not take its name: " + log.String()
}

// TestPolkitDecidesWhoOpens runs the real polkitd on a private system bus
// with a rule that grants nobody, denies bin and asks daemon to
// authenticate, and the service as root; then aim open as each user:
// only nobody gets the app, the others a clear refusal with nothing
// changed. Where polkitd cannot start, the same runs against aim.conf's
// allow-list (and says so).
func TestPolkitDecidesWhoOpens(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run polkitd and the daemon and act as other users")
	}
	url := servedDemo(t)
	addr := dbustest.SystemBus(t, busPolicy, polkitBusConf)
	conf, denial := "", "polkit refused the action org.aim.install"
	why := startPolkit(t, addr)
	if why != "" {
		t.Logf("polkit cannot run here (%s): testing the aim.conf allow-list path instead", why)
		conf, denial = "dbus-allow-users = nobody\n", "dbus-allow-users"
	} else {
		t.Log("the real polkitd runs on the test's system bus")
	}
	root := systemRoot(t, conf)
	serveOn(t, root, addr)
	sys := []string{"DBUS_SYSTEM_BUS_ADDRESS=" + addr}
	hello := filepath.Join(root, "usr/bin/hello")
	unchanged := func(who string) {
		t.Helper()
		if list, _, _ := aim(t, "--root", root, "source", "list"); strings.Contains(list, "127.0.0.1") {
			t.Errorf("%s: a refused open left its source behind:\n%s", who, list)
		}
		if _, err := os.Stat(hello); !os.IsNotExist(err) {
			t.Errorf("%s: hello installed: %v", who, err)
		}
	}

	out, code := asUser(t, uidBin, sys, "--root", root, "-y", "open", "--trust-key", demoFPR, url)
	if code != 1 || !strings.Contains(out, "aim: not allowed to change the system") || !strings.Contains(out, denial) {
		t.Errorf("denied user: exit %d\n%s", code, out)
	}
	unchanged("denied user")
	t.Logf("denied user:\n%s", out)
	if why == "" {
		out, code = asUser(t, uidDaemon, sys, "--root", root, "-y", "open", "--trust-key", demoFPR, url)
		if code != 1 || !strings.Contains(out, "aim: authentication needed") {
			t.Errorf("user polkit wants to authenticate, no agent: exit %d\n%s", code, out)
		}
		unchanged("unauthenticated user")
		t.Logf("user without an authentication agent:\n%s", out)
	}

	out, code = asUser(t, nobody, sys, "--root", root, "-y", "open", "--trust-key", demoFPR, url)
	if code != 0 || !strings.Contains(out, "finished") {
		t.Fatalf("granted user: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(hello); err != nil {
		t.Errorf("granted user: hello not installed: %v", err)
	}
	t.Logf("granted user:\n%s", out)
}
