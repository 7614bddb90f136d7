package main

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aimdbus "aim/install/dbus"
)

func TestDaemonNeedsOneBus(t *testing.T) {
	for _, args := range [][]string{
		{"daemon"},
		{"daemon", "--system", "--session"},
		{"daemon", "--session", "--bus", "unix:path=/nonexistent"},
		{"daemon", "--session", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
}

// startSessionBus runs a session bus with dbus-daemon until the test
// ends and returns its address.
func startSessionBus(t *testing.T, daemon string) string {
	t.Helper()
	bus := exec.Command(daemon, "--session", "--print-address=1", "--nofork", "--nopidfile")
	pipe, _ := bus.StdoutPipe()
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Process.Kill(); bus.Wait() })
	addr, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(addr)
}

// TestDaemonWithBusctl runs the daemon on a private bus and drives it
// with busctl, as a shell script on a device would.
func TestDaemonWithBusctl(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (Debian package dbus)")
	}
	busctl, err := exec.LookPath("busctl")
	if err != nil {
		t.Skip("busctl not installed (Debian package systemd)")
	}
	addr := startSessionBus(t, daemon)

	root := filepath.Join(t.TempDir(), "root")
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, g: &globals{root: root}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveDaemon(ctx, e, addr, aimdbus.Config{Root: root}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	}()

	call := func(args ...string) string {
		t.Helper()
		var out []byte
		var err error
		for range 50 { // until the daemon owns its names
			out, err = exec.Command(busctl, append([]string{"--address=" + addr}, args...)...).CombinedOutput()
			if err == nil || !strings.Contains(string(out), "not provided by any .service files") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("busctl %q: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"call", aimdbus.Name, string(aimdbus.Path), aimdbus.Interface, "packageIds"}, "as 0"},
		{[]string{"call", aimdbus.QtName, string(aimdbus.QtPath), aimdbus.QtInterface, "compareVersions", "ss", "1.0~rc1", "1.0"}, "i -1"},
		{[]string{"call", aimdbus.QtName, string(aimdbus.QtPath), aimdbus.QtInterface, "validateDnsName", "si", "io.qt.test", "3"}, "b true"},
		{[]string{"call", aimdbus.QtName, string(aimdbus.QtPath), aimdbus.QtInterface, "taskState", "s", "none"}, `s "Invalid"`},
		{[]string{"get-property", aimdbus.Name, string(aimdbus.Path), aimdbus.Interface, "ready"}, "b true"},
		{[]string{"get-property", aimdbus.QtName, string(aimdbus.QtPath), aimdbus.QtInterface, "developmentMode"}, "b false"},
	} {
		if got := call(tc.args...); got != tc.want {
			t.Errorf("busctl %q = %q, want %q", tc.args, got, tc.want)
		}
	}
}
