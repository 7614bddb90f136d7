package install

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"aim/db"
)

// TestRealPurgeAfterRemove removes real packages whose only leftover is
// a postrm (bc; readline-common, whose postrm purge deletes the
// /etc/inputrc its postinst made): they stay in the config-files state
// until a later purge runs their postrm purge. A purge naming packages
// with nothing to purge purges the others and says which.
func TestRealPurgeAfterRemove(t *testing.T) {
	pkgs := []string{"bc", "libreadline8", "readline-common"}
	r := newRealRoot(t, pkgs...)
	r.install(pkgs...)
	if !r.exists("/etc/inputrc") {
		t.Fatal("readline-common's postinst made no /etc/inputrc")
	}
	r.must(Request{Kind: KindRemove, Names: pkgs})
	state := func(name string) string {
		t.Helper()
		d, err := db.Open(r.root)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		v, _, err := ConfigFiles(d, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ name, version string }{
		{"bc", "1.07.1-3+b1"},
		{"readline-common", "8.2-1.3"},
		{"libreadline8", ""}, // no scripts, no conffiles: forgotten
	} {
		if got := state(tc.name); got != tc.version {
			t.Errorf("after remove, %s config-files version %q, want %q", tc.name, got, tc.version)
		}
	}
	if !r.exists("/etc/inputrc") || !r.exists("/var/lib/aim/info/bc.postrm") {
		t.Fatal("remove took /etc/inputrc or bc's postrm")
	}

	d := r.must(Request{Kind: KindPurge, Names: []string{"bc", "libreadline8", "readline-common", "no-such-package"}})
	if want := []string{"libreadline8", "no-such-package"}; !slices.Equal(d.NothingToPurge, want) {
		t.Errorf("nothing to purge: %v, want %v", d.NothingToPurge, want)
	}
	slices.Sort(d.Purges)
	if want := []string{"bc", "readline-common"}; !slices.Equal(d.Purges, want) {
		t.Errorf("purged %v, want %v", d.Purges, want)
	}
	if r.exists("/etc/inputrc") {
		t.Error("readline-common's postrm purge did not run: /etc/inputrc stays")
	}
	for _, n := range []string{"bc", "readline-common"} {
		if v := state(n); v != "" {
			t.Errorf("%s still in the config-files state (%s) after purge", n, v)
		}
		if m, _ := filepath.Glob(filepath.Join(r.root, "var/lib/aim/info", n+".*")); len(m) > 0 {
			t.Errorf("purge left %v", m)
		}
	}

	_, err := r.do(Request{Kind: KindPurge, Names: []string{"bc", "no-such-package"}})
	var none *NothingToPurgeError
	if !errors.As(err, &none) || !slices.Equal(none.Names, []string{"bc", "no-such-package"}) {
		t.Errorf("purge of what has nothing to purge: %v, want a NothingToPurgeError", err)
	}
}
