package repo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"aim/repo/sources"
)

// TestUpdateRefusesOlderRelease publishes a Release (foo 2.0), updates,
// then serves another validly signed Release of the same source: one
// dated earlier (foo 1.0, a replay) must be refused and leave the lists
// as they were, unless the caller allows the rollback.
func TestUpdateRefusesOlderRelease(t *testing.T) {
	newer := time.Date(2026, 12, 1, 4, 14, 9, 0, time.UTC)
	tests := []struct {
		name     string
		date     time.Time
		allow    bool
		refused  bool
		wantList string // the version the lists hold afterwards
	}{
		{"older", newer.Add(-2 * time.Second), false, true, "2.0"},
		{"older allowed", newer.Add(-2 * time.Second), true, false, "1.0"},
		{"same date", newer, false, false, "1.0"},
		{"newer", newer.Add(time.Second), false, false, "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			r := newSignedRepo(t)
			src := r.source(root)
			r.publish(tt.date, map[string][]byte{"main/binary-amd64/Packages": packagesIndex("1.0")})
			other := r.snapshot()
			r.publish(newer, map[string][]byte{"main/binary-amd64/Packages": packagesIndex("2.0")})
			u := newUpdater(t, root)
			u.Now = func() time.Time { return newer.Add(time.Hour) }
			if _, err := u.Update(context.Background(), []sources.Source{src}); err != nil {
				t.Fatal(err)
			}
			before := listsContent(t, root)

			r.restore(other)
			u.AllowReleaseDateRollback = tt.allow
			_, err := u.Update(context.Background(), []sources.Source{src})
			var rb *ReleaseRollbackError
			if got := errors.As(err, &rb); got != tt.refused {
				t.Fatalf("got %v; refused as a rollback: %v, want %v", err, got, tt.refused)
			}
			if tt.refused {
				if !rb.Date.Equal(tt.date) || !rb.Recorded.Equal(newer) {
					t.Errorf("error dates %s, %s", rb.Date, rb.Recorded)
				}
				if after := listsContent(t, root); !bytes.Equal(after, before) {
					t.Errorf("lists changed by a refused release")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(listsContent(t, root), []byte("Version: "+tt.wantList+"\n")) {
				t.Errorf("lists do not hold foo %s", tt.wantList)
			}
			c, err := OpenCache(filepath.Join(root, CacheFile))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := c.Lookup("foo"); len(got) != 1 || got[0].Version != tt.wantList {
				t.Errorf("cache has %+v, want foo %s", got, tt.wantList)
			}
		})
	}
}

// listsContent is every file of the lists directory, concatenated in
// name order.
func listsContent(t *testing.T, root string) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, ListsDir, "*"))
	var b bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(filepath.Base(f) + "\n")
		b.Write(data)
	}
	return b.Bytes()
}
