package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aimdbus "aim/install/dbus"
)

// privateDaemon starts a private dbus-daemon and runs aim daemon for
// root on it in-process until the test ends; it returns the bus address
// once the daemon owns its name.
func privateDaemon(t *testing.T, root string) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (Debian package dbus)")
	}
	bus := exec.Command(bin, "--session", "--print-address=1", "--nofork", "--nopidfile")
	pipe, _ := bus.StdoutPipe()
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Process.Kill(); bus.Wait() })
	addr, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, root, strings.TrimSpace(addr))
}

// serveOn runs aim daemon for root on the bus at addr in-process until
// the test ends; it returns addr once the daemon owns its name.
func serveOn(t *testing.T, root, addr string) string {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, g: &globals{root: root, quiet: true}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg, err := daemonConfig(e) // aim.conf's settings, as aim daemon reads them
	if err != nil {
		t.Fatal(err)
	}
	cfg.ChrootlessScripts = true
	go func() { done <- serveDaemon(ctx, e, addr, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	conn, err := daemonConn(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 100 {
		var owned bool
		if conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, aimdbus.Name).Store(&owned); owned {
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the daemon did not take its name")
	return ""
}

// viaDaemon runs aim --via-daemon --bus addr args.
func viaDaemon(addr string, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(append([]string{"--via-daemon", "--bus", addr}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestViaDaemon(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/share/hello/greeting": "hi\n"},
		fields: "Section: user/games\n"})
	addr := privateDaemon(t, root)
	greeting := filepath.Join(root, "usr/share/hello/greeting")

	out, errb, code := viaDaemon(addr, "install", "hello")
	if code != 0 {
		t.Fatalf("install: exit %d\n%s%s", code, out, errb)
	}
	if !strings.Contains(out, "finished") || !strings.Contains(errb, ": Executing\n") || !strings.Contains(errb, ": Installing\n") || !strings.Contains(errb, ": 100%\n") {
		t.Errorf("install printed\n%s%s", out, errb)
	}
	if _, err := os.Stat(greeting); err != nil {
		t.Errorf("not installed: %v", err)
	}

	out, errb, code = viaDaemon(addr, "--json", "upgrade")
	var end taskEnd
	if code != 0 || json.Unmarshal([]byte(out), &end) != nil || end.State != "Finished" {
		t.Errorf("upgrade with nothing to do: exit %d\n%s%s", code, out, errb)
	}

	out, errb, code = viaDaemon(addr, "install", "nothing-like-it")
	if code != 1 || !strings.Contains(errb, "aim: task ") || !strings.Contains(errb, "failed (code 40)") {
		t.Errorf("install of an unknown package: exit %d\n%s%s", code, out, errb)
	}

	out, _, code = viaDaemon(addr, "remove", "-s", "hello")
	if code != 0 || !strings.Contains(out, `"remove"`) || !strings.Contains(out, "hello") {
		t.Errorf("remove -s: exit %d: %s", code, out)
	}
	if _, err := os.Stat(greeting); err != nil {
		t.Errorf("a dry run removed the package: %v", err)
	}

	out, errb, code = viaDaemon(addr, "-q", "remove", "hello")
	if code != 0 || errb != "" {
		t.Fatalf("remove -q: exit %d\n%s%s", code, out, errb)
	}
	if _, err := os.Stat(greeting); !os.IsNotExist(err) {
		t.Errorf("not removed: %v", err)
	}
}

func TestViaDaemonRefusals(t *testing.T) {
	for _, args := range [][]string{
		{"--via-daemon", "list"},
		{"--via-daemon", "upgrade", "extra"},
		{"--via-daemon", "install"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--via-daemon", "--bus", "unix:path=/nonexistent/bus", "remove", "x"}, strings.NewReader(""), &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "connect to the daemon's bus") {
		t.Errorf("no bus: exit %d (%s)", code, errb.String())
	}
}
