package db

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestSetFilesBatches checks that SetFiles records every row across its
// batches (none, part of one, exactly one, several and a part), and
// that a failing row is named and leaves the old list in place.
func TestSetFilesBatches(t *testing.T) {
	d, _ := openTest(t)
	putOld(t, d, testPackage(t, "hello", "1.0-1"))
	mk := func(n int) []File {
		files := make([]File, n)
		for i := range files {
			files[i] = File{Path: fmt.Sprintf("/usr/share/hello/f%05d", i), Type: 'f', Mode: 0o644,
				Size: int64(i), SHA256: fmt.Sprintf("%064x", i), Conffile: i%7 == 0}
		}
		return files
	}
	for _, n := range []int{0, 1, filesBatch - 1, filesBatch, 2*filesBatch + 5} {
		files := mk(n)
		if err := d.SetFiles("hello", "", files); err != nil {
			t.Fatalf("%d files: %v", n, err)
		}
		got, err := d.Files("hello", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n || n > 0 && !reflect.DeepEqual(got, files) {
			t.Errorf("%d files: got %d back, or different ones", n, len(got))
		}
	}
	bad := mk(filesBatch + 10)
	bad[filesBatch+3].Path = bad[filesBatch+1].Path // a duplicate in the second batch
	err := d.SetFiles("hello", "", bad)
	if err == nil || !strings.Contains(err.Error(), bad[filesBatch+1].Path) {
		t.Fatalf("duplicate path: err = %v, want one naming %s", err, bad[filesBatch+1].Path)
	}
	if got, _ := d.Files("hello", ""); len(got) != 2*filesBatch+5 {
		t.Errorf("after the failed SetFiles: %d files, want the old %d", len(got), 2*filesBatch+5)
	}
}
