package install

import (
	"context"
	"errors"
	"testing"
	"time"

	"aim/db"
)

// TestInstallerHoldsTheLockFromDecisionToCommit opens a root, decides an
// install and checks that a second writer cannot open the root between
// the decision and the commit, nor after it until Close; that recovery
// ran once for the opening, not again in Run; and that the next opening
// sees the installed package.
func TestInstallerHoldsTheLockFromDecisionToCommit(t *testing.T) {
	f := newFixture(t)
	l, err := ReadLocal(f.build(spec{name: "hello", version: "1.0", files: map[string]string{"/usr/share/hello/a": "a"}}))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[NoticeKind]int{}
	in, err := Open(f.root, Options{ChrootlessScripts: true, Report: func(n Notice) { counts[n.Kind]++ }})
	if err != nil {
		t.Fatal(err)
	}
	d, err := in.Decide(Request{Kind: KindInstall, Locals: []LocalArchive{l}})
	if err != nil {
		t.Fatal(err)
	}
	secondWriter := func(when string) {
		t.Helper()
		other, err := Open(f.root, Options{LockWait: 50 * time.Millisecond})
		if err == nil {
			other.Close()
			t.Fatalf("%s: a second writer opened the root", when)
		}
		if !errors.Is(err, db.ErrLocked) {
			t.Fatalf("%s: %v, want the writer lock held", when, err)
		}
	}
	secondWriter("between decision and run")
	if _, err := in.Run(context.Background(), NewTask("install", "hello", nil), d); err != nil {
		t.Fatal(err)
	}
	secondWriter("after the commit, before Close")
	if _, err := in.Run(context.Background(), NewTask("install", "hello", nil), d); err != nil {
		t.Fatal(err) // a reinstall: recovery must not run again
	}
	if in.eng.recoveries != 1 || counts[NoticeRecover] != 1 || counts[NoticeDecide] != 1 {
		t.Errorf("recoveries %d, notices %v: want one recovery and one decision", in.eng.recoveries, counts)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	next, err := Open(f.root, Options{})
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	defer next.Close()
	sys, err := next.System(l)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if p := sys.Installed["hello"]; p == nil || p.Version.String() != "1.0" || p.Auto {
		t.Errorf("installed hello = %+v", p)
	}
}

// TestReadOnlyInstallerDecidesWithoutTheLock decides while a writer holds
// the lock, and refuses to run.
func TestReadOnlyInstallerDecidesWithoutTheLock(t *testing.T) {
	f := newFixture(t)
	l, err := ReadLocal(f.build(spec{name: "hello", version: "1.0"}))
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(f.root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ro, err := Open(f.root, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	d, err := ro.Decide(Request{Kind: KindInstall, Locals: []LocalArchive{l}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Outcome.Plan.Install) != 1 || d.Tx.Changes[0].Path != l.Path {
		t.Errorf("plan %+v", d.Tx.Changes)
	}
	if _, err := ro.Run(context.Background(), NewTask("install", "", nil), d); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Run: %v", err)
	}
}

// TestDecideKinds checks the requests that need no policy decision or no
// package lists, and the parsing of written requests.
func TestDecideKinds(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(spec{name: "cfg", version: "1.0", files: map[string]string{"/etc/cfg.conf": "x"}, conffiles: []string{"/etc/cfg.conf"}}))
	f.mustRun(Change{Action: Remove, Name: "cfg"}) // leaves the conffile: config-files state
	in, err := Open(f.root, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	d, err := in.Decide(Request{Kind: KindPurge, Names: []string{"cfg"}})
	if err != nil {
		t.Fatalf("purge without package lists: %v", err)
	}
	if d.Outcome != nil || len(d.Purges) != 1 || !d.Tx.Purge || d.Tx.Changes[0].Action != Purge {
		t.Errorf("purge of leftovers: %+v %+v", d, d.Tx.Changes)
	}
	if _, err := in.Decide(Request{Kind: KindUpgrade}); !errors.Is(err, ErrNoLists) {
		t.Errorf("upgrade without lists: %v, want ErrNoLists", err)
	}
	for _, c := range []struct {
		in string
		ok bool
	}{{"install a b=1.0", true}, {"remove a", true}, {"upgrade", true}, {"autoremove", true}, {"purge a", true},
		{"", false}, {"upgrade a", false}, {"install", false}, {"install A!", false}, {"frobnicate x", false}} {
		if _, err := ParseRequest(c.in); (err == nil) != c.ok {
			t.Errorf("ParseRequest(%q): %v", c.in, err)
		}
	}
}
