package deb

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

// md5Files hashes in parallel but returns the sums in the order of the
// names, the same for one core or two, and the first error in that order.
func TestMd5FilesOrderAndErrors(t *testing.T) {
	fsys := fstest.MapFS{}
	var names, want []string
	for i := range 200 {
		name := fmt.Sprintf("usr/f%03d", i)
		body := strings.Repeat(string(rune('a'+i%26)), i*97)
		fsys[name] = &fstest.MapFile{Data: []byte(body), Mode: 0644}
		names = append(names, name)
		want = append(want, fmt.Sprintf("%x", md5.Sum([]byte(body))))
	}
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		got, err := md5Files(fsys, names)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatalf("GOMAXPROCS %d: %v", procs, err)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("GOMAXPROCS %d: sums out of order or wrong", procs)
		}
	}
	bad := append(append([]string{}, names[:150]...), "usr/missing1", "usr/missing2")
	if _, err := md5Files(fsys, bad); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing1") {
		t.Errorf("missing files: %v, want the first one's not-exist error", err)
	}
	if got, err := md5Files(fsys, nil); err != nil || len(got) != 0 {
		t.Errorf("no files: %q %v", got, err)
	}
}
