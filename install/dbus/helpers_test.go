package dbus

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
	"aim/install/aimconf"
	"aim/install/dbus/dbustest"
	"aim/repo/pgp"
	"aim/repo/pkgsig"

	"github.com/godbus/dbus/v5"
)

// keysDir holds the test keys (see its README).
const keysDir = "../../testdata/keys"

// testNow is when packages are signed and verified: after the test keys
// were made.
var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// startBus runs a private session bus that every uid may use (access
// control is then the service's own, as on a system bus whose policy file
// lets everyone call) and returns its address; the test is skipped when
// dbus-daemon is not installed.
func startBus(t testing.TB) string {
	t.Helper()
	return dbustest.SessionBus(t)
}

// newRoot makes a root that trusts the ed25519 test key for the store
// role, with extra aim.conf lines.
func newRoot(t testing.TB, conf string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	store := filepath.Join(root, pkgsig.TrustedDir, "store")
	if err := os.MkdirAll(store, 0o755); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(keysDir, "ed25519.asc"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(store, "test.asc"), key, 0o644)
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// service runs a Server for root on the bus at addr until the test ends.
func service(t testing.TB, addr, root string, ack time.Duration) *Server {
	t.Helper()
	return serviceWith(t, addr, root, func(c *Config) { c.AckTimeout = ack })
}

// serviceWith is service with the configuration adjusted by adjust.
func serviceWith(t testing.TB, addr, root string, adjust func(*Config)) *Server {
	t.Helper()
	conf, err := aimconf.Load(root) // as cmd/aim's daemon does
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Root: root, Lang: "de_DE.UTF-8", ChrootlessScripts: true, Now: func() time.Time { return testNow },
		Policy: pkgsig.Policy(conf.PackageTrust), AllowUsers: conf.DBusAllowUsers, AllowGroups: conf.DBusAllowGroups}
	adjust(&cfg)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Connect(addr, s)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); conn.Close() })
	return s
}

// client is a bus connection that records the service's signals.
type client struct {
	t    testing.TB
	conn *dbus.Conn
	sigs chan *dbus.Signal
	obj  dbus.BusObject
}

// dial connects a client that talks to Qt's interface and hears its
// signals.
func dial(t testing.TB, addr string) *client {
	t.Helper()
	conn, err := dbus.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(QtInterface)); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, conn: conn, sigs: make(chan *dbus.Signal, 1000), obj: conn.Object(QtName, QtPath)}
	conn.Signal(c.sigs)
	return c
}

// call calls method of Qt's interface and stores the reply in out.
func (c *client) call(method string, out []any, args ...any) {
	c.t.Helper()
	call := c.obj.Call(QtInterface+"."+method, 0, args...)
	if call.Err != nil {
		c.t.Fatalf("%s: %v", method, call.Err)
	}
	if len(out) > 0 {
		if err := call.Store(out...); err != nil {
			c.t.Fatalf("%s: %v", method, err)
		}
	}
}

func (c *client) str(method string, args ...any) string {
	var s string
	c.call(method, []any{&s}, args...)
	return s
}

// event is a signal of a task, as the tests compare them.
type event struct {
	name string
	body []any
}

// until collects the signals about task id (and the model's) until one
// called last arrives, failing after 20 s.
func (c *client) until(id, last string) []event {
	c.t.Helper()
	var out []event
	timeout := time.After(20 * time.Second)
	for {
		select {
		case s := <-c.sigs:
			name := strings.TrimPrefix(s.Name, QtInterface+".")
			if len(s.Body) > 0 && s.Body[0] != id && strings.HasPrefix(name, "task") {
				continue
			}
			out = append(out, event{name, s.Body})
			if name == last {
				return out
			}
		case <-timeout:
			c.t.Fatalf("no %s for task %s; got %v", last, id, out)
		}
	}
}

// pkgSpec describes a test package.
type pkgSpec struct {
	name, version, section string
	fields                 string
	sign                   bool
	postinst               string // body of a postinst script, "" for none
	prerm                  string // body of a prerm script, "" for none
}

// buildDeb writes the package p to dir, signed by the ed25519 test key
// for the store role when p.sign, and returns its path.
func buildDeb(t testing.TB, dir string, p pkgSpec) string {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nSection: %s\nMaintainer: t <t@aim-test.invalid>\nInstalled-Size: 4\nDescription: a test package\n long text\n%s",
		p.name, p.version, p.section, p.fields)
	fsys := fstest.MapFS{
		"DEBIAN":                           {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control":                   {Mode: 0o644, Data: []byte(control)},
		"usr/share/" + p.name + "/payload": {Mode: 0o644, Data: []byte(p.name + " " + p.version + "\n")},
	}
	if p.postinst != "" {
		fsys["DEBIAN/postinst"] = &fstest.MapFile{Mode: 0o755, Data: []byte("#!/bin/sh\n" + p.postinst)}
	}
	if p.prerm != "" {
		fsys["DEBIAN/prerm"] = &fstest.MapFile{Mode: 0o755, Data: []byte("#!/bin/sh\n" + p.prerm)}
	}
	path := filepath.Join(dir, p.name+"_"+p.version+"_all.deb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := deb.Build(fsys, f, deb.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if p.sign {
		s, err := pgp.LoadSigner(filepath.Join(keysDir, "ed25519.secret.asc"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := pkgsig.SignFile(path, s, pkgsig.Store, nil, testNow); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// iconField is a Maemo-Icon-26 field with a 26x26 PNG.
func iconField(t testing.TB) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 26, 26))
	for i := range 26 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return deb.IconField + ":" + deb.EncodeIcon(b.Bytes()) + "\n"
}

func (c *client) strs(method string, args ...any) []string {
	var s []string
	c.call(method, []any{&s}, args...)
	return s
}

func dbusPath(p string) dbus.ObjectPath { return dbus.ObjectPath(p) }

// containsName reports whether err is a D-Bus error called name.
func containsName(err error, name string) bool {
	e, ok := err.(dbus.Error)
	if p, okp := err.(*dbus.Error); okp {
		e, ok = *p, true
	}
	return ok && e.Name == name
}
