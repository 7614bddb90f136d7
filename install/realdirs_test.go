package install

import (
	"os"
	"path/filepath"
	"testing"

	"aim/db"
)

// TestRealRemoveKeepsDpkgDirectories removes real packages whose files
// lie in directories dpkg's packages list (base-files owns /usr/games):
// neither a removal nor the undoing of an interrupted install may delete
// them, and purging a removed package deletes the directory its conffiles
// leave empty, as dpkg does (/etc/perl).
func TestRealRemoveKeepsDpkgDirectories(t *testing.T) {
	perl := []string{"perl", "perl-modules-5.36", "libperl5.36", "libgdbm-compat4", "libgdbm6"}
	games := []string{"sl", "libncurses6", "cowsay", "libtext-charwidth-perl"}
	r := newRealRoot(t, append(games, perl...)...)
	keep := []string{"/usr/games"}
	check := func(when string) {
		t.Helper()
		for _, d := range keep {
			if !r.exists(d) {
				t.Errorf("%s: %s, which base-files lists, is gone", when, d)
			}
		}
	}
	r.install(append(games, perl...)...)
	if !r.exists("/usr/games/sl") || !r.exists("/usr/games/cowsay") || !r.exists("/etc/perl") {
		t.Fatal("sl, cowsay or perl not installed")
	}
	r.must(Request{Kind: KindRemove, Names: []string{"sl", "cowsay"}})
	check("after remove sl cowsay")

	r.must(Request{Kind: KindRemove, Names: []string{"perl", "libperl5.36", "perl-modules-5.36", "libtext-charwidth-perl"}})
	r.must(Request{Kind: KindPurge, Names: []string{"perl"}})
	check("after purge perl")
	if r.exists("/etc/perl") {
		t.Errorf("purging perl left /etc/perl (empty dirs: %v)", r.emptyDirs("/etc/perl"))
	}

	// An install interrupted after staging sl is undone by the next
	// opening: sl's file goes, base-files' directories stay.
	d, err := db.Open(r.root)
	if err != nil {
		t.Fatal(err)
	}
	step := db.JournalStep{TxID: "crashed", Action: "install", Package: "sl", Phase: db.JournalStaged,
		New: []string{"/usr/games/", "/usr/games/sl"}}
	if err := d.AddJournal([]db.JournalStep{step}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	for _, f := range []string{"/usr/games/sl"} {
		if err := os.WriteFile(filepath.Join(r.root, f), []byte("staged"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in, err := Open(r.root, Options{NoSessionLog: true})
	if err != nil {
		t.Fatal(err)
	}
	in.Close()
	if r.exists("/usr/games/sl") {
		t.Error("recovery left the interrupted install's /usr/games/sl")
	}
	check("after crash recovery")
}
