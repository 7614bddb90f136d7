package publish

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo"
	"aim/repo/pgp"
)

// errFault is what the fault hook answers at the step it stops.
var errFault = errors.New("injected fault")

// failAt returns a fault hook that stops the publish at its k-th step
// (from 0) and records the steps it saw.
func failAt(k int, seen *[]string) func(string) error {
	n := 0
	return func(step string) error {
		*seen = append(*seen, step)
		if n++; n-1 == k {
			return errFault
		}
		return nil
	}
}

// checkTree fails the test when the published tree does not verify or a
// reader of InRelease, or of the previous InRelease, misses an index.
func checkTree(t *testing.T, r *Repo, prev []byte, when string) {
	t.Helper()
	c, err := r.Check(testNow.Add(time.Hour))
	if err != nil || hasProblem(c) {
		t.Fatalf("%s: check: %v %v", when, c, err)
	}
	kr := testSigner(t).PublicKey()
	if err := readGeneration(r.Dir, kr); err != nil {
		t.Fatalf("%s: reading the current generation: %v", when, err)
	}
	if err := readByHash(r.Dir, prev); err != nil {
		t.Fatalf("%s: a reader of the previous InRelease: %v", when, err)
	}
	rel := r.readRelease("dists/stable")
	if rel == nil || !rel.AcquireByHash {
		t.Fatalf("%s: Release without Acquire-By-Hash: yes", when)
	}
}

// readByHash fetches through by-hash every index the signed text in
// names, as a client that read it before a switch does.
func readByHash(dir string, in []byte) error {
	v, err := verifyTestInRelease(in)
	if err != nil {
		return err
	}
	for _, f := range v.Files {
		for _, p := range byHashPaths("dists/stable", f) {
			b, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return err
			}
			if fileEntry(f.Path, b).SHA256 != f.SHA256 {
				return fmt.Errorf("%s: wrong contents", p)
			}
		}
	}
	return nil
}

// TestPublishKilledAtEveryStep stops a publish at each of its steps in
// turn, as a kill would, and checks that the tree still verifies as the
// previous generation (or the new one, once switched), that the next
// publish completes from what was left, and that old generations go.
func TestPublishKilledAtEveryStep(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	publish(t, r, testNow, 0)
	src := t.TempDir()
	steps := 0
	for k := 0; ; k++ {
		if k > 500 {
			t.Fatal("publish did not finish in 500 steps")
		}
		deb := buildTestDeb(t, src, "gen", fmt.Sprint(k), "all", "", nil)
		if _, err := r.Add([]string{deb}, AddOptions{}); err != nil {
			t.Fatal(err)
		}
		prev, _ := os.ReadFile(filepath.Join(r.Dir, "dists/stable/InRelease"))
		var seen []string
		r.fault = failAt(k, &seen)
		_, err := r.Publish(Options{Signer: testSigner(t), Now: testNow.Add(time.Duration(k+1) * time.Minute)})
		r.fault = nil
		if err == nil {
			steps = k
			break
		}
		if !errors.Is(err, errFault) {
			t.Fatalf("step %d: %v", k, err)
		}
		when := fmt.Sprintf("killed at step %d (%s)", k, seen[len(seen)-1])
		checkTree(t, r, prev, when)
		now, _ := os.ReadFile(filepath.Join(r.Dir, "dists/stable/InRelease"))
		switched := !bytes.Equal(now, prev)
		if !switched && strings.HasPrefix(seen[len(seen)-1], "clean") {
			t.Fatalf("%s: not switched yet", when)
		}
		// The next publish completes from what the killed one left.
		publish(t, r, testNow.Add(time.Duration(k+1)*time.Minute+time.Second), 0)
		checkTree(t, r, now, when+", then published")
		if gens, _ := filepath.Glob(filepath.Join(r.Dir, "dists/stable.gen/*")); len(gens) > 2 {
			t.Fatalf("%s, then published: generations left: %v", when, gens)
		}
		if left, _ := filepath.Glob(filepath.Join(r.Dir, "dists/.*")); len(left) > 0 {
			t.Fatalf("%s, then published: left %v", when, left)
		}
	}
	t.Logf("publish has %d steps; each was interrupted once", steps)
	if steps < 10 {
		t.Errorf("only %d steps: the fault hook is not reached", steps)
	}
}

// TestPublishMovesPlainDistsToGenerations starts from a dists/stable
// published as a plain directory (before generations): the next publish
// replaces it with the link, keeping it as generation 0 for readers.
func TestPublishMovesPlainDistsToGenerations(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	publish(t, r, testNow, 0)
	d := filepath.Join(r.Dir, "dists")
	target, err := os.Readlink(filepath.Join(d, "stable"))
	if err != nil || target != "stable.gen/1" {
		t.Fatalf("dists/stable links to %q: %v", target, err)
	}
	os.Remove(filepath.Join(d, "stable"))
	if err := os.Rename(filepath.Join(d, "stable.gen/1"), filepath.Join(d, "stable")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(d, "stable.gen"))
	prev, _ := os.ReadFile(filepath.Join(d, "stable/InRelease"))
	if _, err := r.Add([]string{buildTestDeb(t, t.TempDir(), "more", "1", "all", "", nil)}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	publish(t, r, testNow.Add(time.Minute), 0)
	if target, err := os.Readlink(filepath.Join(d, "stable")); err != nil || target != "stable.gen/1" {
		t.Fatalf("dists/stable links to %q: %v", target, err)
	}
	if _, err := os.Stat(filepath.Join(d, "stable.gen/0/InRelease")); err != nil {
		t.Errorf("the plain directory is not kept as generation 0: %v", err)
	}
	checkTree(t, r, prev, "after moving to generations")
}

// verifyTestInRelease checks in with the test key and parses its text.
func verifyTestInRelease(in []byte) (*repo.Release, error) {
	s, err := pgp.LoadSigner(testSecretKey, nil)
	if err != nil {
		return nil, err
	}
	v, err := pgp.VerifyClearSigned(in, s.PublicKey(), testNow.Add(time.Hour))
	if err != nil {
		return nil, err
	}
	return repo.ParseRelease(v.Text)
}
