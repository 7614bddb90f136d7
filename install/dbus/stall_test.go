package dbus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"aim/install"
)

// failure waits for taskFailed of id and returns its code and message.
func (c *client) failure(id string) (int32, string) {
	c.t.Helper()
	evs := c.until(id, "taskFailed")
	body := evs[len(evs)-1].body
	return body[1].(int32), body[2].(string)
}

// installs checks that the worker still runs tasks: path installs.
func (c *client) installs(path string) {
	c.t.Helper()
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	c.until(id, "taskFinished")
}

// TestFileSourceMustBeRegular gives file:// URLs of things that are not
// regular files: each task fails at once, without reading, and the worker
// goes on to the next task (a named pipe used to block it for ever).
func TestFileSourceMustBeRegular(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pkg.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "pkg.deb")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, what string }{
		{"named pipe", fifo, "a named pipe"},
		{"link to a named pipe", link, "a named pipe"},
		{"directory", dir, "a directory"},
		{"device", "/dev/zero", "a device"},
	}
	// One service for all: the client fails the whole test, not a subtest.
	for _, tt := range tests {
		id := c.str("startPackageInstallation", fileURL(tt.path))
		code, msg := c.failure(id)
		if code != codeIO || !strings.Contains(msg, tt.what+", not a regular file") {
			t.Errorf("%s: taskFailed %d %q, want IO: %s, not a regular file", tt.name, code, msg, tt.what)
		}
	}
	c.installs(buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true}))
}

// stallingHTTP serves the package at path over http: the headers and
// the control part, then nothing until the test ends.
func stallingHTTP(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := controlEnd(t, data)
	gate := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:cut])
		w.(http.Flusher).Flush()
		select {
		case <-gate:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(gate) })
	return srv.URL + "/hello.deb"
}

// TestStalledSourceFails serves part of a package and then nothing: the
// task fails once the source has been silent for the stall timeout, with
// no cancel, and the next task runs.
func TestStalledSourceFails(t *testing.T) {
	addr := startBus(t)
	serviceWith(t, addr, newRoot(t, ""), func(c *Config) { c.StallTimeout = 300 * time.Millisecond })
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	tests := []struct {
		name string
		url  func() string
		code int32
	}{
		{"socket", func() string { u, _ := gatedSocket(t, path); return u }, codeIO},
		{"http body", func() string { return stallingHTTP(t, path) }, codeNetwork},
	}
	for _, tt := range tests {
		id := c.str("startPackageInstallation", tt.url())
		c.call("acknowledgePackageInstallation", nil, id)
		code, msg := c.failure(id)
		if code != tt.code || !strings.Contains(msg, "no data for 300ms") {
			t.Errorf("%s: taskFailed %d %q, want %d: no data for 300ms", tt.name, code, msg, tt.code)
		}
	}
	c.installs(path)
}

// TestCancelStalledSource cancels a task whose source stalled in the
// middle of the package: the blocked read ends, the task fails Canceled
// and the next task runs.
func TestCancelStalledSource(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	for _, url := range []string{func() string { u, _ := gatedSocket(t, path); return u }(), stallingHTTP(t, path)} {
		id := c.str("startPackageInstallation", url)
		c.until(id, "taskRequestingInstallationAcknowledge")
		var ok bool
		c.call("cancelTask", []any{&ok}, id)
		if !ok {
			t.Fatalf("cancelTask of %s = false", url)
		}
		if code, msg := c.failure(id); code != codeCanceled {
			t.Errorf("%s: taskFailed %d %q, want Canceled", url, code, msg)
		}
		sentNothing(t, c, root)
	}
	c.installs(path)
}

// closed runs s.Close and returns its error, failing when it does not
// return within 20 s.
func closed(t *testing.T, s *Server) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return")
		return nil
	}
}

// TestCloseWithStalledRead closes the service while its task waits for
// data that never comes: Close returns.
func TestCloseWithStalledRead(t *testing.T) {
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"socket", func(t *testing.T) string { u, _ := gatedSocket(t, path); return u }},
		{"http body", func(t *testing.T) string { return stallingHTTP(t, path) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBus(t)
			s := service(t, addr, newRoot(t, ""), 0)
			c := dial(t, addr)
			id := c.str("startPackageInstallation", tt.url(t))
			c.until(id, "taskRequestingInstallationAcknowledge")
			if err := closed(t, s); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

// TestCloseWithStuckTask closes the service while a task ignores its
// cancellation: Close gives up after the stop timeout and says which
// task is stuck.
func TestCloseWithStuckTask(t *testing.T) {
	addr := startBus(t)
	s := serviceWith(t, addr, newRoot(t, ""), func(c *Config) { c.StopTimeout = 200 * time.Millisecond })
	started, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	id := s.newTask("install", "", true, func(ctx context.Context, t *task) error {
		close(started)
		<-release // deaf to ctx, like a read of a hung file system
		return install.ErrCancelled
	})
	<-started
	err := closed(t, s)
	var stuck *StuckError
	if !errors.As(err, &stuck) || len(stuck.Tasks) != 1 || stuck.Tasks[0] != id {
		t.Fatalf("Close = %v, want a *StuckError naming %s", err, id)
	}
}
