package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchiveReplacedBeforeStagingIsRefused replaces the second archive
// of a transaction after its control data was read (while the first one
// is staged): staging it refuses the file instead of unpacking a payload
// that does not match the control data read, and the transaction rolls
// back.
func TestArchiveReplacedBeforeStagingIsRefused(t *testing.T) {
	f := newFixture(t)
	a := f.install(spec{name: "a", version: "1", files: map[string]string{"/usr/share/a/f": "a"}})
	b := f.install(spec{name: "b", version: "1", files: map[string]string{"/usr/share/b/f": "b"}})
	other := f.build(spec{name: "b", version: "1", files: map[string]string{"/usr/share/b/evil": "x"}})
	// Replace by rename, as a new download would: another file at the path.
	f.e.fault = func(point string) error {
		if point != "stage a" {
			return nil
		}
		data, err := os.ReadFile(other)
		if err == nil {
			err = os.WriteFile(b.Path+".new", data, 0o644)
		}
		if err == nil {
			err = os.Rename(b.Path+".new", b.Path)
		}
		return err
	}
	_, err := f.run(false, a, b)
	if err == nil || !strings.Contains(err.Error(), "changed since its control data was read") {
		t.Fatalf("err = %v, want the archive refused", err)
	}
	if s := f.snapshot(); strings.Contains(s, "usr/share") {
		t.Errorf("left after the refusal:\n%s", s)
	}
	f.checkConsistent()
}

// readControls reads many archives at once, in their order, and names
// the first one in that order that cannot be read, whichever failed
// first in time.
func TestReadControlsInOrder(t *testing.T) {
	f := newFixture(t)
	var paths []string
	for i := range 9 {
		name := "p" + string(rune('a'+i))
		paths = append(paths, f.build(spec{name: name, version: "1", files: map[string]string{"/usr/share/" + name: name}}))
	}
	got, bad, err := readControls(paths)
	if err != nil {
		t.Fatalf("readControls: %v (at %d)", err, bad)
	}
	for i, r := range got {
		if name := r.ctrl.Control.Get("Package"); name != "p"+string(rune('a'+i)) {
			t.Errorf("archive %d read as %q", i, name)
		}
	}
	broken := append([]string(nil), paths...)
	broken[3] = paths[3] + ".missing"
	notDeb := filepath.Join(t.TempDir(), "not.deb")
	os.WriteFile(notDeb, []byte("not an archive"), 0o644)
	broken[7] = notDeb
	if _, bad, err := readControls(broken); err == nil || bad != 3 || !strings.Contains(err.Error(), ".missing") {
		t.Errorf("readControls with archives 3 and 7 bad: %v at %d, want the error of 3", err, bad)
	}
}
