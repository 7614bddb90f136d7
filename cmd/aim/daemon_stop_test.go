package main

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	aimdbus "aim/install/dbus"
)

// TestDaemonStopsWithBlockedSource gives the daemon a package source that
// blocks (a named pipe nobody writes, a socket that sends a few bytes and
// stalls) and then stops it, as SIGTERM does: the daemon returns. A named
// pipe used to hold its worker, and so its shutdown, for ever.
func TestDaemonStopsWithBlockedSource(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (Debian package dbus)")
	}
	busctl, err := exec.LookPath("busctl")
	if err != nil {
		t.Skip("busctl not installed (Debian package systemd)")
	}
	tests := []struct {
		name   string
		source func(t *testing.T) string
	}{
		{"named pipe", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "pkg.deb")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			return "file://" + p
		}},
		{"stalled socket", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "pkg.sock")
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			go func() {
				if c, err := l.Accept(); err == nil {
					c.Write([]byte("!<arch>\n"))
					t.Cleanup(func() { c.Close() })
				}
			}()
			return "socket://" + p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startSessionBus(t, daemon)
			root := filepath.Join(t.TempDir(), "root")
			e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, g: &globals{root: root, quiet: true}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- serveDaemon(ctx, e, addr, aimdbus.Config{Root: root}) }()
			call := func(args ...string) string {
				t.Helper()
				var out []byte
				var err error
				for range 50 { // until the daemon owns its names
					out, err = exec.Command(busctl, append([]string{"--address=" + addr, "call", aimdbus.QtName, string(aimdbus.QtPath), aimdbus.QtInterface}, args...)...).CombinedOutput()
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
			id := strings.Trim(strings.TrimPrefix(call("startPackageInstallation", "s", tt.source(t)), "s "), `"`)
			if id == "" {
				t.Fatal("no task")
			}
			for state := ""; state != `s "Executing"` && state != `s "Failed"`; {
				state = call("taskState", "s", id)
			}
			cancel() // what SIGTERM does
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("daemon: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the daemon did not stop")
			}
		})
	}
}
