package install

import (
	"testing"
)

// TestReplacesInTheSameRun installs a and c together, both shipping
// /opt/shared, c with Replaces: a (as dpkg -i a.deb c.deb does): c's
// file wins and c owns it, a keeps its other files, and removing c then
// removes the file, which a no longer lists.
func TestReplacesInTheSameRun(t *testing.T) {
	f := newFixture(t)
	a := f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/shared": "a", "/opt/a-only": "a"}})
	c := f.install(spec{name: "c", version: "1", files: map[string]string{"/opt/shared": "c"}, fields: "Replaces: a\n"})
	f.mustRun(a, c)
	if got := f.read("opt/shared"); got != "c" {
		t.Errorf("/opt/shared = %q, want c's", got)
	}
	if got := f.owners("/opt/shared"); len(got) != 1 || got[0] != "c:all" {
		t.Errorf("owners of /opt/shared = %v, want [c:all]", got)
	}
	f.checkConsistent()
	f.mustRun(Change{Action: Remove, Name: "c"})
	if exists(f.root + "/opt/shared") {
		t.Error("/opt/shared stayed after removing c, its only owner")
	}
	if got := f.read("opt/a-only"); got != "a" {
		t.Errorf("/opt/a-only = %q, want a's", got)
	}
	f.checkConsistent()
}
