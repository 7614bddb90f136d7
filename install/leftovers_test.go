package install

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"aim/deb/rootfs"
)

// TestLeftoversDrop checks that both ways of dropping leftovers (a try
// per name below scanAtLeast names, one read of the directory from it
// on) remove exactly the backups and staged copies of the names added.
func TestLeftoversDrop(t *testing.T) {
	for _, n := range []int{1, scanAtLeast - 1, scanAtLeast, 3 * scanAtLeast} {
		root := t.TempDir()
		dir := filepath.Join(root, "usr", "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var added, want []string
		touch := func(name string) {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for i := range n {
			name := string(rune('a'+i%26)) + string(rune('a'+i/26))
			added = append(added, "/usr/bin/"+name)
			touch(name)
			want = append(want, name)
			switch i % 3 {
			case 0:
				touch(name + oldSuffix)
			case 1:
				touch(name + tmpSuffix)
			}
		}
		// Leftovers of names not added stay, and so do look-alikes.
		for _, keep := range []string{"other" + oldSuffix, "other" + tmpSuffix, "aa.aim-old", "aa" + oldSuffix + "x"} {
			touch(keep)
			want = append(want, keep)
		}
		left := leftovers{}
		hosts := rootfs.Root(root).Resolver()
		for _, p := range added {
			left.add(hosts, p)
		}
		left.add(hosts, "/gone/dir/file") // a directory that is not there
		if err := left.drop(); err != nil {
			t.Fatalf("%d names: %v", n, err)
		}
		got, err := readNames(dir)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%d names: left %q, want %q", n, got, want)
		}
	}
}

// TestLeftoversDropManyDirs drops leftovers across more directories
// than drop handles at once, with few and many names each.
func TestLeftoversDropManyDirs(t *testing.T) {
	root := t.TempDir()
	left := leftovers{}
	hosts := rootfs.Root(root).Resolver()
	var kept []string
	for d := range 4 * dropWorkers {
		dir := filepath.Join(root, "usr", "share", string(rune('a'+d)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range d * 3 {
			name := string(rune('a'+i%26)) + string(rune('a'+i/26))
			for _, f := range []string{name, name + oldSuffix, name + tmpSuffix} {
				if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			left.add(hosts, "/usr/share/"+string(rune('a'+d))+"/"+name)
			kept = append(kept, filepath.Join(dir, name))
		}
	}
	if err := left.drop(); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	slices.Sort(got)
	slices.Sort(kept)
	if !slices.Equal(got, kept) {
		t.Errorf("left %d files, want the %d added ones only", len(got), len(kept))
	}
}

// TestRemoveIfExists checks removeIfExists against what os.Remove does,
// a missing name being no error.
func TestRemoveIfExists(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "file"), nil, 0o644)
	os.Symlink("file", filepath.Join(root, "link"))
	os.Mkdir(filepath.Join(root, "empty"), 0o755)
	os.MkdirAll(filepath.Join(root, "full/x"), 0o755)
	for _, tt := range []struct {
		name    string
		wantErr bool
	}{
		{"missing", false},
		{"file", false},
		{"link", false},
		{"empty", false},
		{"full", true},
	} {
		p := filepath.Join(root, tt.name)
		err := removeIfExists(p)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.wantErr)
		}
		if _, serr := os.Lstat(p); !tt.wantErr && serr == nil {
			t.Errorf("%s: still there", tt.name)
		}
	}
}
