package dbus

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestInstallFromHTTPAndSocket(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	dir := t.TempDir()
	web := buildDeb(t, dir, pkgSpec{name: "web", version: "1.0", section: "user/tools", sign: true})
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	sock := buildDeb(t, dir, pkgSpec{name: "sock", version: "2.0", section: "user/tools", sign: true})
	sockPath := filepath.Join(t.TempDir(), "pkg.sock")
	l, err := net.Listen("unix", sockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		f, err := os.Open(sock)
		if err != nil {
			return
		}
		defer f.Close()
		io.Copy(conn, f)
	}()
	for _, u := range []string{srv.URL + "/" + filepath.Base(web), "socket://" + sockPath} {
		id := c.str("startPackageInstallation", u)
		if id == "" {
			t.Fatalf("%s: no task", u)
		}
		c.call("acknowledgePackageInstallation", nil, id)
		evs := c.until(id, "taskFinished")
		checkProgress(t, evs, true)
	}
	if ids := c.strs("packageIds"); !slices.Equal(ids, []string{"sock", "web"}) {
		t.Errorf("packageIds = %v", ids)
	}
}

func TestFailingInstallRollsBack(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "broken", version: "1.0", section: "user/tools", sign: true, postinst: "exit 1\n"})
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	evs := c.until(id, "taskFailed")
	if !slices.Contains(states(evs), "Installing") {
		t.Errorf("states %v: failed before Installing", states(evs))
	}
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Errorf("packageIds = %v", ids)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/broken/payload")); !os.IsNotExist(err) {
		t.Errorf("payload left after rollback: %v", err)
	}
}

func TestPlanAndRemovePackagesThroughTheService(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	c.until(id, "taskFinished")
	aim := c.conn.Object(Name, Path)
	var text string
	if err := aim.Call(Interface+".plan", 0, "remove hello").Store(&text); err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Install, Upgrade, Remove []struct{ Package, Version string }
	}
	if err := json.Unmarshal([]byte(text), &plan); err != nil {
		t.Fatalf("plan %q: %v", text, err)
	}
	if len(plan.Remove) != 1 || plan.Remove[0].Package != "hello" || len(plan.Install)+len(plan.Upgrade) != 0 {
		t.Errorf("plan = %s", text)
	}
	if err := aim.Call(Interface+".plan", 0, "install nothing-like-it").Store(&text); err == nil {
		t.Errorf("plan of an unknown package = %s, want an error", text)
	}
	if err := aim.Call(Interface+".removePackages", 0, []string{"hello"}).Store(&id); err != nil || id == "" {
		t.Fatalf("removePackages: %q, %v", id, err)
	}
	c.until(id, "taskFinished")
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Errorf("packageIds = %v", ids)
	}
}
