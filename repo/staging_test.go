package repo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"aim/db"
	"aim/repo/sources"
)

// TestUpdateRemovesStaleStaging plants the staging directories a killed
// update leaves in the lists directory: the next update removes them,
// but not while another process (another handle, here) holds the writer
// lock, as a live update does: that update's staging stays untouched.
func TestUpdateRemovesStaleStaging(t *testing.T) {
	date := time.Date(2026, 12, 1, 4, 14, 9, 0, time.UTC)
	tests := []struct {
		name   string
		locked bool // another handle holds the writer lock
	}{
		{"killed update", false},
		{"live update", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			r := newSignedRepo(t)
			src := r.source(root)
			r.publish(date, map[string][]byte{"main/binary-amd64/Packages": packagesIndex("1.0")})
			var planted []string
			for _, name := range []string{".update-123456", ".update-9"} {
				d := filepath.Join(root, ListsDir, name)
				os.MkdirAll(filepath.Join(d, "sub"), 0o755)
				os.WriteFile(filepath.Join(d, "InRelease.raw"), []byte("partial"), 0o644)
				os.WriteFile(filepath.Join(d, "sub", "Packages.xz.dl"), []byte("partial"), 0o644)
				planted = append(planted, d)
			}
			if tt.locked {
				other, err := db.Open(root)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				if err := other.Lock(0); err != nil {
					t.Fatal(err)
				}
			}
			u := newUpdater(t, root)
			u.Now = func() time.Time { return date.Add(time.Hour) }
			_, err := u.Update(context.Background(), []sources.Source{src})
			if tt.locked != errors.Is(err, db.ErrLocked) {
				t.Fatalf("locked %v: got %v", tt.locked, err)
			}
			if !tt.locked && err != nil {
				t.Fatal(err)
			}
			for _, d := range planted {
				_, serr := os.Stat(filepath.Join(d, "sub", "Packages.xz.dl"))
				if gone := os.IsNotExist(serr); gone == tt.locked {
					t.Errorf("%s: removed %v, want %v", filepath.Base(d), gone, !tt.locked)
				}
			}
			left, _ := filepath.Glob(filepath.Join(root, ListsDir, stagingPattern))
			if !tt.locked && len(left) != 0 {
				t.Errorf("staging left: %v", left)
			}
		})
	}
}
