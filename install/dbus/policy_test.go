package dbus

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemBusConfig is a bus with the system bus's default-deny policy that
// includes contrib/dbus's policy file.
const systemBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
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
  </policy>
  <include>%s</include>
</busconfig>
`

// TestSystemBusPolicy runs dbus-daemon with contrib's policy file: root
// owns the names and calls everything; an unprivileged uid may call
// everything too, and the service (without polkit on the bus, by
// aim.conf's allow-list) refuses its calls that change the system.
func TestSystemBusPolicy(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to own the names and call as another uid")
	}
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (Debian package dbus)")
	}
	policy, err := filepath.Abs(filepath.Join(contribDir, "org.aim.PackageManager.conf"))
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "aim-sysbus-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	conf := filepath.Join(dir, "bus.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(systemBusConfig, dir, policy)), 0o644)
	cmd := exec.Command(bin, "--config-file="+conf, "--print-address=1", "--nofork", "--nopidfile")
	out, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Wait()
		t.Fatalf("dbus-daemon refused the policy: %s", stderr.String())
	}
	addr = strings.TrimSpace(addr)
	service(t, addr, newRoot(t, ""), 0)
	if out, err := sendAs(t, addr, nobody, "packageIds"); err != nil {
		t.Errorf("read-only call refused by the bus: %v\n%s", err, out)
	}
	// The bus lets the call through; the service refuses it, naming the
	// setting that would allow it.
	out2, err := sendAs(t, addr, nobody, "removePackage", "string:none", "boolean:false")
	if err == nil || !strings.Contains(out2, "AccessDenied") || !strings.Contains(out2, "dbus-allow-users") {
		t.Errorf("an unprivileged uid's removePackage was not refused by the service: %v\n%s", err, out2)
	}
	if out, err := sendAs(t, addr, 0, "removePackage", "string:none", "boolean:false"); err != nil {
		t.Errorf("root refused: %v\n%s", err, out)
	}
}
