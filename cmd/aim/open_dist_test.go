package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenCatalogueFollowsDistribution opens a catalogue without a dist:
// the source is written with $(DISTRIBUTION), so it follows a later change
// of the device's distribution, as maemo's catalogues did.
func TestOpenCatalogueFollowsDistribution(t *testing.T) {
	f := newOpenFixture(t)
	conf := filepath.Join(f.root, "etc/aim/aim.conf")
	os.WriteFile(conf, []byte("architecture = amd64\ndistribution = stable\n"), 0o644)
	data := "[install]\ncatalogues = demo\npackage = hello\n\n[demo]\nname = Demo\nuri = " + f.url + "\ncomponents = main\n"
	os.WriteFile(filepath.Join(f.dir, "nodist.install"), []byte(data), 0o644)
	if _, errs, code := aim(t, "open", "--root", f.root, "-y", "--trust-key", f.fpr, f.url+"/nodist.install"); code != 0 {
		t.Fatalf("open: exit %d\n%s", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(f.root, "etc/aim/sources.list.d/*.sources"))
	if len(files) != 1 {
		t.Fatalf("sources files %q", files)
	}
	text, _ := os.ReadFile(files[0])
	if !strings.Contains(string(text), "Suites: $(DISTRIBUTION)") {
		t.Errorf("source does not follow the distribution:\n%s", text)
	}
	if list := aimOK(t, "--root", f.root, "source", "list"); !strings.Contains(list, " stable ") {
		t.Errorf("source list with distribution stable:\n%s", list)
	}
	os.WriteFile(conf, []byte("architecture = amd64\ndistribution = testing\n"), 0o644)
	if list := aimOK(t, "--root", f.root, "source", "list"); !strings.Contains(list, " testing ") {
		t.Errorf("source list after the distribution changed:\n%s", list)
	}
}
