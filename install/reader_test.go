package install

import (
	"testing"
	"time"

	"aim/db"
	"aim/deb"
)

// TestOpenInstalledReaderOf checks when the named reader skips the
// database: only while the installed-names index is current and names
// none of the packages asked for.
func TestOpenInstalledReaderOf(t *testing.T) {
	root := t.TempDir()
	if d, err := OpenInstalledReaderOf(root, []string{"hello"}); d != nil || err != nil {
		t.Fatalf("no database: %v, %v", d, err)
	}
	write := func(lock bool, name string) {
		t.Helper()
		d, err := db.Open(root)
		if err == nil && lock {
			err = d.Lock(0)
		}
		v, _ := deb.ParseVersion("1")
		if err == nil {
			err = d.PutInstalled(&db.InstalledPackage{Name: name, Version: v, Architecture: "amd64",
				InstalledAt: time.Unix(1700000000, 0), Control: &deb.Paragraph{}})
		}
		if err == nil {
			err = d.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	opens := func(names ...string) bool {
		t.Helper()
		d, err := OpenInstalledReaderOf(root, names)
		if err != nil {
			t.Fatal(err)
		}
		if d != nil {
			d.Close()
		}
		return d != nil
	}
	write(true, "hello")
	for _, c := range []struct {
		names []string
		want  bool
	}{{[]string{"other"}, false}, {[]string{"hello"}, true}, {[]string{"other", "hello"}, true}, {nil, false}} {
		if got := opens(c.names...); got != c.want {
			t.Errorf("names %v: opened %v, want %v", c.names, got, c.want)
		}
	}
	write(false, "other") // bypasses the lock: the index is stale
	if !opens("other") {
		t.Error("a stale index kept the database closed")
	}
	ix, err := OpenInstalledReader(root)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	got, err := LoadInstalled(root, "amd64", ix)
	if err != nil || got["other"] == nil || got["hello"] == nil {
		t.Fatalf("LoadInstalled after the unlocked write: %v, %v", got, err)
	}
}
