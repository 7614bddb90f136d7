package db

import (
	"fmt"
	"reflect"
	"testing"
)

// TestOwnersOf checks that OwnersOf answers as Owners does, path by path,
// across more paths than one of its queries takes: files of one owner,
// files two instances share, and paths nobody owns.
func TestOwnersOf(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var paths []string
	files := map[string][]File{}
	for i := range 3*ownersChunk + 7 {
		p := fmt.Sprintf("/usr/share/t/%04d", i)
		paths = append(paths, p)
		f := File{Path: p, Type: 'f', Mode: 0o644}
		switch i % 4 {
		case 0:
			files["a"] = append(files["a"], f)
		case 1:
			files["b"] = append(files["b"], f)
		case 2:
			files["a"] = append(files["a"], f)
			files["b"] = append(files["b"], f)
		}
	}
	for _, name := range []string{"a", "b"} {
		if err := d.PutInstalled(testPackage(t, name, "1.0")); err != nil {
			t.Fatal(err)
		}
		if err := d.SetFiles(name, "amd64", files[name]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.OwnersOf(paths)
	if err != nil {
		t.Fatal(err)
	}
	owned := 0
	for _, p := range paths {
		want, err := d.Owners(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) > 0 {
			owned++
		}
		if !reflect.DeepEqual(got[p], want) {
			t.Fatalf("OwnersOf[%s] = %v, Owners = %v", p, got[p], want)
		}
	}
	if len(got) != owned || owned == 0 {
		t.Errorf("OwnersOf has %d paths, want the %d owned ones", len(got), owned)
	}
}
