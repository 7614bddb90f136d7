// Package dbustest starts private D-Bus buses for tests: a bus with the
// system bus's default-deny policy and the policy files a test names,
// reachable by every uid, so that a test running as root can call over
// it as unprivileged users. It is used by tests only.
package dbustest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemConfig is a bus of type system with the system bus's default
// policy (nobody owns names or calls methods unless an included file
// allows it; bus methods, signals and replies pass) and the includes.
const systemConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
%s</busconfig>
`

// openConfig is a session bus that every uid may connect to and use
// without limits: a desktop session's bus shared by a test running as
// root and the user it acts as.
const openConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
%s</busconfig>
`

// SessionBus starts a session bus every uid may use (see SystemBus).
func SessionBus(t testing.TB) string {
	t.Helper()
	return startBus(t, openConfig)
}

// SystemBus starts dbus-daemon with a system bus's policy plus the
// policy files includes (absolute or relative to the test's directory)
// and returns its address; the bus stops when the test ends. The socket
// is reachable by every uid. It skips the test when dbus-daemon is not
// installed and fails it when the daemon refuses the configuration.
func SystemBus(t testing.TB, includes ...string) string {
	t.Helper()
	return startBus(t, systemConfig, includes...)
}

// startBus runs dbus-daemon with config (a format taking the socket
// directory and the includes) and returns its address.
func startBus(t testing.TB, config string, includes ...string) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (Debian package dbus)")
	}
	dir, err := os.MkdirTemp("", "aim-sysbus-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755) // an unprivileged client must reach the socket
	var inc strings.Builder
	for _, p := range includes {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&inc, "  <include>%s</include>\n", abs)
	}
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(config, dir, inc.String())), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--print-address=1", "--nofork", "--nopidfile")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("dbus-daemon refused the configuration: %v: %s", err, stderr.String())
	}
	return strings.TrimSpace(addr)
}
