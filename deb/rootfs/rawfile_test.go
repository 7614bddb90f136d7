package rootfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A RawFile writes, sets mode and times, reports its status and reads
// back to io.EOF; a missing file is fs.ErrNotExist with its path.
func TestRawFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	f, err := OpenRaw(p, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	when := time.Unix(1700000000, 0)
	if _, err := f.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := f.Chmod(0o4755); err != nil {
		t.Fatal(err)
	}
	if err := f.SetTimes(when); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil || st.Size != 5 || st.Mode&0o7777 != 0o4755 || st.Mtim.Sec != when.Unix() {
		t.Errorf("stat: size %d mode %o mtime %d, %v", st.Size, st.Mode&0o7777, st.Mtim.Sec, err)
	}
	if err := f.SeekStart(); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "hello" {
		t.Errorf("read back %q, %v", b, err)
	}
	if f.Name() != p {
		t.Errorf("Name() = %q", f.Name())
	}
	_, err = OpenRaw(p+".missing", unix.O_RDONLY, 0)
	var pe *os.PathError
	if !errors.Is(err, os.ErrNotExist) || !errors.As(err, &pe) || pe.Path != p+".missing" {
		t.Errorf("missing file: %v", err)
	}
}
