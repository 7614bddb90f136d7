package install

import (
	"os"
	"reflect"
	"testing"
)

// stepEvent is the per-package part of an Event.
type stepEvent struct {
	Phase        Phase
	Package      string
	Index, Count int
}

// TestProgressEvents checks that a task reports the bytes it downloads
// and each package it unpacks, configures and removes, numbered.
func TestProgressEvents(t *testing.T) {
	f := newFixture(t)
	a := f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/a": "a"}})
	b := f.install(spec{name: "b", version: "1", files: map[string]string{"/opt/b": "b"}})
	fi, err := os.Stat(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	b.URL, b.Size, b.SHA256, b.Path, b.Arch = "file://"+b.Path, fi.Size(), mustHash(t, b.Path), "", "all"

	var steps []stepEvent
	var last Event
	observe := func(e Event) {
		switch e.Phase {
		case "":
		case PhaseDownload:
			last = e
		default:
			steps = append(steps, stepEvent{e.Phase, e.Package, e.Index, e.Count})
		}
	}
	if _, err := f.e.Run(t.Context(), NewTask("install", "", observe), &Transaction{Changes: []Change{a, b}}); err != nil {
		t.Fatal(err)
	}
	want := []stepEvent{
		{PhaseUnpack, "a", 1, 2}, {PhaseUnpack, "b", 2, 2},
		{PhaseConfigure, "a", 1, 2}, {PhaseConfigure, "b", 2, 2},
	}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("install steps\n%v\nwant\n%v", steps, want)
	}
	if last.Bytes != b.Size || last.TotalBytes != b.Size {
		t.Errorf("last download event %d of %d bytes, want %d of %d", last.Bytes, last.TotalBytes, b.Size, b.Size)
	}

	steps = nil
	rm := []Change{{Action: Remove, Name: "a"}, {Action: Remove, Name: "b"}}
	if _, err := f.e.Run(t.Context(), NewTask("remove", "", observe), &Transaction{Changes: rm}); err != nil {
		t.Fatal(err)
	}
	want = []stepEvent{{PhaseRemove, "a", 1, 2}, {PhaseRemove, "b", 2, 2}}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("remove steps\n%v\nwant\n%v", steps, want)
	}
}

func mustHash(t *testing.T, p string) string {
	t.Helper()
	h, err := hashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
