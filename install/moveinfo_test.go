package install

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"aim/db"
	"aim/deb/rootfs"
)

// TestMoveInfoInterrupted interrupts the move of an upgraded package's
// control members after the first rename, as a kill would, and runs it
// again: the new members already moved stay, the old version's other
// members go.
func TestMoveInfoInterrupted(t *testing.T) {
	f := newFixture(t)
	info := rootfs.Root(f.root).Path(InfoDir)
	os.MkdirAll(info, 0o755)
	for _, m := range []string{"postinst", "prerm", "oldonly"} {
		os.WriteFile(filepath.Join(info, "p."+m), []byte("old "+m), 0o755)
	}
	st := db.JournalStep{TxID: "tx", Action: Upgrade.String(), Package: "p"}
	src := ctrlDir(f.root, st.TxID, st.Package)
	os.MkdirAll(src, 0o755)
	for _, m := range []string{"postinst", "prerm", "postrm"} {
		os.WriteFile(filepath.Join(src, m), []byte("new "+m), 0o755)
	}
	// The first attempt: the manifest is written, one member moved, then a kill.
	if _, err := infoManifest(src); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(src, "postinst"), filepath.Join(info, "p.postinst")); err != nil {
		t.Fatal(err)
	}
	if err := moveInfo(f.root, f.d, st); err != nil {
		t.Fatal(err)
	}
	for m, want := range map[string]string{"postinst": "new postinst", "prerm": "new prerm", "postrm": "new postrm"} {
		if got, err := os.ReadFile(filepath.Join(info, "p."+m)); err != nil || string(got) != want {
			t.Errorf("p.%s = %q, %v; want %q", m, got, err, want)
		}
	}
	if exists(filepath.Join(info, "p.oldonly")) {
		t.Error("the old version's p.oldonly is left")
	}
	if exists(src) {
		t.Error("the control directory is left")
	}
}

// TestRemoveKeepsInfoOfDottedNames removes python3 beside python3.11
// (Debian names may hold dots): the control members of python3.11
// (info/python3.11.postinst, ...) begin with "python3." but are not
// python3's, so they stay and python3.11's own removal still runs its
// scripts.
func TestRemoveKeepsInfoOfDottedNames(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(f.scripted("python3", "1", map[string]string{"/usr/bin/python3": "3"})))
	f.mustRun(f.install(f.scripted("python3.11", "1", map[string]string{"/usr/bin/python3.11": "3.11"})))
	f.scriptLog()
	f.mustRun(Change{Action: Remove, Name: "python3"})
	for _, m := range []string{"prerm", "postrm", "postinst", "preinst"} {
		if !exists(f.infoPath("python3.11", m)) {
			t.Errorf("removing python3 took python3.11's %s", m)
		}
	}
	f.scriptLog()
	f.mustRun(Change{Action: Remove, Name: "python3.11"})
	want := []string{"python3.11 prerm remove", "python3.11 postrm remove"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("removing python3.11 ran %q, want %q", got, want)
	}
}

func TestIsMemberOf(t *testing.T) {
	for _, c := range []struct {
		base, pkg string
		want      bool
	}{
		{"python3.postinst", "python3", true},
		{"python3.prerm.aim-forced", "python3", true},
		{"python3.11.postinst", "python3", false},
		{"python3.11.prerm.aim-forced", "python3", false},
		{"python3.11.postinst", "python3.11", true},
		{"python3-minimal.postinst", "python3", false},
		{"libz1:i386.postinst", "libz1", false},
		{"python3.", "python3", false},
	} {
		if got := isMemberOf(c.base, c.pkg); got != c.want {
			t.Errorf("isMemberOf(%q, %q) = %v, want %v", c.base, c.pkg, got, c.want)
		}
	}
}
