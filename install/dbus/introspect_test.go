package dbus

import (
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/godbus/dbus/v5/introspect"
)

var update = flag.Bool("update", false, "rewrite contrib/dbus/*.xml from the service's tables")

// contribDir holds the interface files the service must match.
const contribDir = "../../contrib/dbus"

// TestIntrospectionMatchesContrib asks the running service for its
// introspection data and compares each interface with its file in
// contrib/dbus (methods with every overload, signals, properties).
func TestIntrospectionMatchesContrib(t *testing.T) {
	addr := startBus(t)
	s := service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	for _, tc := range []struct {
		name, iface string
		path        string
	}{{Name, Interface, string(Path)}, {QtName, QtInterface, string(QtPath)}} {
		file := filepath.Join(contribDir, tc.iface+".xml")
		if *update {
			if err := os.WriteFile(file, []byte(s.InterfaceXML(tc.iface)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var live string
		if err := c.conn.Object(tc.name, dbusPath(tc.path)).Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&live); err != nil {
			t.Fatal(err)
		}
		got := findInterface(t, []byte(live), tc.iface)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want := findInterface(t, data, tc.iface)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the service exports\n%+v\nbut %s says\n%+v\n(go test -run Introspection -update rewrites it)", tc.iface, got, file, want)
		}
		for _, std := range []string{"org.freedesktop.DBus.Introspectable", "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Peer"} {
			findInterface(t, []byte(live), std)
		}
	}
}

// findInterface returns the interface called name of an introspection
// document, with empty lists normalised to nil.
func findInterface(t *testing.T, doc []byte, name string) introspect.Interface {
	t.Helper()
	var n introspect.Node
	if err := xml.Unmarshal(doc, &n); err != nil {
		t.Fatalf("introspection data: %v", err)
	}
	for _, i := range n.Interfaces {
		if i.Name == name {
			return i
		}
	}
	t.Fatalf("no interface %s in\n%s", name, doc)
	return introspect.Interface{}
}

func TestIntermediateNodes(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	for path, child := range map[string]string{"/": "org", "/org": "aim", "/org/aim": "PackageManager"} {
		var doc string
		if err := c.conn.Object(Name, dbusPath(path)).Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&doc); err != nil {
			t.Fatal(err)
		}
		var n introspect.Node
		if err := xml.Unmarshal([]byte(doc), &n); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ch := range n.Children {
			found = found || ch.Name == child
		}
		if !found {
			t.Errorf("%s: children %v, want %s", path, n.Children, child)
		}
	}
}
