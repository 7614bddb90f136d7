package install

import (
	"os"
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
