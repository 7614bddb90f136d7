package dbus

import (
	"slices"
	"testing"
	"time"

	"aim/db"
	"aim/deb"

	"github.com/godbus/dbus/v5"
)

// TestForeignPackageIDs checks the ids of the model: a native package's id
// is its name, a foreign architecture's instance's NAME:ARCH, so the two
// instances of a Multi-Arch: same package are two packages, each found
// by get under its id.
func TestForeignPackageIDs(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "i386", "all"} {
		name := "libfoo"
		if arch == "all" {
			name = "docs"
		}
		ctrl, err := deb.ParseParagraph([]byte("Package: " + name + "\nVersion: 1." + arch + "\nArchitecture: " + arch +
			"\nMulti-Arch: same\nDescription: " + arch + " build\n"))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := deb.ParseVersion("1." + arch)
		if err := d.PutInstalled(&db.InstalledPackage{Name: name, Version: v, Architecture: arch, Control: ctrl,
			InstalledAt: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	serviceWith(t, addr, root, func(c *Config) { c.Arch = "amd64" })
	c := dial(t, addr)
	if ids := c.strs("packageIds"); !slices.Equal(ids, []string{"docs", "libfoo", "libfoo:i386"}) {
		t.Fatalf("packageIds = %v, want docs, libfoo, libfoo:i386", ids)
	}
	for id, version := range map[string]string{"libfoo": "1.amd64", "libfoo:i386": "1.i386", "docs": "1.all"} {
		var m map[string]dbus.Variant
		c.call("get", []any{&m}, id)
		if m["packageId"].Value() != id || m["version"].Value() != version {
			t.Errorf("get(%s) = packageId %v, version %v; want %s, %s", id, m["packageId"], m["version"], id, version)
		}
	}
	var m map[string]dbus.Variant
	if c.call("get", []any{&m}, "libfoo:amd64"); len(m) != 0 {
		t.Errorf("get(libfoo:amd64) = %v, want nothing: the native instance's id is its name", m)
	}
}
