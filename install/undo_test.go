package install

import (
	"context"
	"errors"
	"sort"
	"testing"
)

var (
	errScriptFailed = errors.New("injected script failure")
	errKilled       = errors.New("injected kill")
)

// interruptedUpgrade installs p1 and p2 at 1.0, then upgrades both to
// 2.0 with p2's postinst failing, so that the engine rolls back; fault
// is also consulted at every point, and stops the rollback where it
// returns an error, as a kill would.
func interruptedUpgrade(t *testing.T, failAt string, fault func(point string) error) *fixture {
	f := newFixture(t)
	gen := func(v string) []spec {
		var out []spec
		for _, p := range []string{"p1", "p2"} {
			files := map[string]string{"/usr/share/" + p + "/a": v, "/usr/share/" + p + "/b": v, "/usr/share/" + p + "/only" + v: v}
			out = append(out, spec{name: p, version: v, files: files})
		}
		return out
	}
	old := gen("1.0")
	f.mustRun(f.install(old[0]), f.install(old[1]))
	next := gen("2.0")
	f.e.fault = func(point string) error {
		if point == failAt {
			return errScriptFailed
		}
		return fault(point)
	}
	up := func(s spec) Change {
		c := f.install(s)
		c.Action = Upgrade
		return c
	}
	if _, err := f.run(false, up(next[0]), up(next[1])); !errors.Is(err, errScriptFailed) {
		t.Fatalf("upgrade: %v, want the injected failure", err)
	}
	return f
}

// rollbackPoints lists the fault points a rollback of
// interruptedUpgrade passes.
func rollbackPoints(t *testing.T, failAt string) []string {
	var points []string
	interruptedUpgrade(t, failAt, func(p string) error {
		if len(p) > 5 && p[:5] == "undo " {
			points = append(points, p)
		}
		return nil
	})
	sort.Strings(points)
	return points
}

// TestRecoveryInterrupted kills the rollback at each of its points, then
// kills the recovery at the same point, then recovers to the end: p1 and
// p2 must be whole at 1.0. The upgrade fails in the old postrm (all files unpacked) or in the
// postinst (the journal then says unpacked, which recovery would roll
// forward were it not for the rollback's record).
func TestRecoveryInterrupted(t *testing.T) {
	for _, failAt := range []string{"postrm p2", "postinst p2"} {
		points := rollbackPoints(t, failAt)
		if len(points) < 8 {
			t.Fatalf("only %d rollback points: %v", len(points), points)
		}
		for _, at := range points {
			t.Run(failAt+"/"+at, func(t *testing.T) { testRecoveryInterruptedAt(t, failAt, at) })
		}
	}
}

func testRecoveryInterruptedAt(t *testing.T, failAt, at string) {
	killAt := func(p string) error {
		if p == at {
			return errKilled
		}
		return nil
	}
	f := interruptedUpgrade(t, failAt, killAt)
	if j, _ := f.d.Journal(); len(j) == 0 {
		t.Fatal("the killed rollback left no journal")
	}
	r := f.e.Scripts
	if _, err := recoverWith(context.Background(), f.root, f.d, r, killAt); err != nil && !errors.Is(err, errKilled) {
		t.Fatalf("recovery: %v", err)
	}
	if _, err := recoverWith(context.Background(), f.root, f.d, r, nil); err != nil {
		t.Fatalf("second recovery: %v", err)
	}
	for _, p := range []string{"p1", "p2"} {
		for _, n := range []string{"a", "b", "only1.0"} {
			if got := f.read("usr/share/" + p + "/" + n); got != "1.0" {
				t.Errorf("%s/%s = %q, want 1.0", p, n, got)
			}
		}
		if got := f.read("usr/share/" + p + "/only2.0"); got[0] != '<' {
			t.Errorf("%s/only2.0 left behind", p)
		}
	}
	f.checkConsistent()
	f.checkNoLeftovers()
}
