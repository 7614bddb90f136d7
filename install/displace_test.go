package install

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// TestDirectoryOverAnotherPackagesFile installs b, which ships
// /opt/thing/ as a directory, over a's file or symlink /opt/thing: without
// Replaces it is a file conflict and a's file is untouched; with Replaces
// and a failing preinst the rollback puts a's file back; with Replaces
// and no failure b takes the path and verify is clean.
func TestDirectoryOverAnotherPackagesFile(t *testing.T) {
	tests := []struct {
		name      string
		link      bool   // a ships /opt/thing as a symlink to a file
		fields    string // b's extra control fields
		preinst   string
		conflict  bool
		installed bool
	}{
		{name: "file, no Replaces", conflict: true},
		{name: "symlink, no Replaces", link: true, conflict: true},
		{name: "file, Replaces, preinst fails", fields: "Replaces: a\n", preinst: "exit 1\n"},
		{name: "symlink, Replaces, preinst fails", link: true, fields: "Replaces: a\n", preinst: "exit 1\n"},
		{name: "file, Replaces", fields: "Replaces: a\n", installed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			dir := func() *fstest.MapFile { return &fstest.MapFile{Mode: fs.ModeDir | 0o755} }
			a := fstest.MapFS{"opt": dir(), "opt/target": {Data: []byte("target"), Mode: 0o644}}
			if tt.link {
				a["opt/thing"] = &fstest.MapFile{Data: []byte("target"), Mode: fs.ModeSymlink | 0o777}
			} else {
				a["opt/thing"] = &fstest.MapFile{Data: []byte("a's file"), Mode: 0o644}
			}
			f.mustRun(Change{Action: Install, Name: "a", Version: "1.0", Path: f.buildRaw("a", a)})
			before := f.snapshot()
			files := map[string]string{"/opt/thing/inside": "b"}
			scripts := map[string]string{}
			if tt.preinst != "" {
				scripts["preinst"] = tt.preinst
			}
			_, err := f.run(false, f.install(spec{name: "b", version: "1", files: files, fields: tt.fields, scripts: scripts}))
			var fc *FileConflictError
			switch {
			case tt.conflict && (!errors.As(err, &fc) || fc.Owner != "a" || fc.Path != "/opt/thing"):
				t.Fatalf("install b: %v, want a file conflict with a over /opt/thing", err)
			case !tt.conflict && tt.installed && err != nil:
				t.Fatalf("install b: %v", err)
			case !tt.conflict && !tt.installed && err == nil:
				t.Fatal("install b: no error from its failing preinst")
			}
			if tt.installed {
				if got := f.read("opt/thing/inside"); got != "b" {
					t.Errorf("/opt/thing/inside = %q", got)
				}
			} else if after := f.snapshot(); after != before {
				t.Errorf("the root changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			f.checkConsistent()
			f.checkNoLeftovers()
			if _, err := os.Lstat(filepath.Join(f.root, "opt/thing"+oldSuffix)); err == nil {
				t.Error("a backup of /opt/thing is left")
			}
		})
	}
}
