package publish

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStageModeAndContents writes staging files under a strict umask:
// each is a new file of mode 0644 holding exactly what was written, and
// a failed write leaves no file behind.
func TestStageModeAndContents(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	want := bytes.Repeat([]byte("pool bytes "), 10000)
	names := map[string]bool{}
	for range 3 {
		name, err := stage(dir, func(w io.Writer) error {
			_, err := w.Write(want)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		names[name] = true
		if !strings.HasPrefix(filepath.Base(name), stagePrefix) || filepath.Dir(name) != dir {
			t.Errorf("staging file %s is not %s* in %s", name, stagePrefix, dir)
		}
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", name, fi.Mode())
		}
		if got, _ := os.ReadFile(name); !bytes.Equal(got, want) {
			t.Errorf("%s holds %d bytes, not the %d written", name, len(got), len(want))
		}
	}
	if len(names) != 3 {
		t.Errorf("3 stagings gave %d names", len(names))
	}
	broken := errors.New("broken package")
	if _, err := stage(dir, func(w io.Writer) error {
		w.Write([]byte("half"))
		return broken
	}); !errors.Is(err, broken) {
		t.Errorf("stage of a failed write: %v, want %v", err, broken)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files after a failed staging, want the 3 good ones", len(entries))
	}
}

// TestReadUpTo reads files of sizes around the bound, with the size
// given right, too small (the file grew) and too large (it shrank).
func TestReadUpTo(t *testing.T) {
	const max = 100
	tests := []struct {
		name     string
		len      int
		sizeHint int64
		wantLen  int
	}{
		{"empty", 0, 0, 0},
		{"small", 10, 10, 10},
		{"at the bound", max, max, max},
		{"over the bound", max + 50, max, max + 1},
		{"grew", 60, 10, 60},
		{"grew past the bound", 500, 10, max + 1},
		{"shrank", 5, 80, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte{'x', 'y', 'z'}, tc.len)[:tc.len]
			p := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := openRaw(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.close()
			got, err := readUpTo(f, tc.sizeHint, max)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.wantLen || !bytes.Equal(got, data[:tc.wantLen]) {
				t.Errorf("read %d bytes, want the first %d of the file", len(got), tc.wantLen)
			}
		})
	}
	if _, err := openRaw(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("openRaw of a missing file: %v, want not exist", err)
	}
}
