package objstore_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"aim/repo/objstore"
)

// TestStaleObjectsAgeOut removes a package and publishes four times: its
// pool file stays in the bucket until three more releases are up and an
// hour has passed, and the by-hash copies of the first generation until
// they are stale for an hour; a reader fetching as apt does finds every
// release whole all along.
func TestStaleObjectsAgeOut(t *testing.T) {
	b := newBucket(t)
	r := newRepo(t)
	kr := signer(t).PublicKey()
	base := b.baseURL()
	t0 := testNow
	clock := t0
	syncAt := func(at time.Time) *objstore.Result {
		t.Helper()
		clock = at
		res := b.sync(t, r, objstore.Options{Now: func() time.Time { return clock }})
		if _, err := readAsApt(base, kr); err != nil {
			t.Fatalf("reader after the sync at %s: %v", at.Sub(t0), err)
		}
		return res
	}
	present := func(key string) bool {
		_, _, err := get(base + "/" + key)
		return err == nil
	}
	addPackages(t, r, "alpha", "beta")
	publishAt(t, r, t0)
	syncAt(t0)
	gen1 := byHashKey(t, r, "main/binary-amd64/Packages.xz")
	const betaDeb = "pool/main/b/beta/beta_1.0_all.deb"

	if _, err := r.Remove("", []string{"beta"}); err != nil {
		t.Fatal(err)
	}
	publishAt(t, r, t0.Add(time.Minute))
	if res := syncAt(t0); !slices.Contains(res.Waiting, betaDeb) || len(res.Deleted) != 0 {
		t.Fatalf("after removing beta: waiting %v, deleted %v", res.Waiting, res.Deleted)
	}
	for i := 1; i <= 3; i++ {
		addPackages(t, r, fmt.Sprintf("p%d", i))
		publishAt(t, r, t0.Add(time.Duration(1+i)*time.Minute))
		res := syncAt(t0.Add(2 * time.Hour))
		if i < 3 && (!slices.Contains(res.Waiting, betaDeb) || !present(betaDeb)) {
			t.Fatalf("release %d after the removal: beta's pool file not kept (waiting %v)", i, res.Waiting)
		}
		if i == 3 {
			if !slices.Contains(res.Deleted, betaDeb) || present(betaDeb) {
				t.Fatalf("three releases and two hours after the removal: deleted %v", res.Deleted)
			}
			// Generation 1 is no longer among the three kept before the
			// current one: its by-hash copies are stale from now on.
			if !slices.Contains(res.Waiting, gen1) || !present(gen1) {
				t.Fatalf("generation 1's by-hash copy deleted before aging: waiting %v", res.Waiting)
			}
		}
	}
	if res := syncAt(t0.Add(2*time.Hour + 59*time.Minute)); len(res.Deleted) != 0 || !present(gen1) {
		t.Fatalf("59 minutes after going stale: deleted %v", res.Deleted)
	}
	if res := syncAt(t0.Add(3*time.Hour + time.Minute)); !slices.Contains(res.Deleted, gen1) || present(gen1) || len(res.Waiting) != 0 {
		t.Fatalf("an hour after going stale: deleted %v, waiting %v", res.Deleted, res.Waiting)
	}
}

// TestReaderDuringTwentyPublishes polls the bucket as apt does while
// twenty publishes, each with a package more, are uploaded with a clock
// two hours apart (so stale by-hash copies are deleted along the way): the
// reader never sees a Release whose indexes are missing or mismatched.
func TestReaderDuringTwentyPublishes(t *testing.T) {
	b := newBucket(t)
	r := newRepo(t)
	kr := signer(t).PublicKey()
	addPackages(t, r, "base")
	publishAt(t, r, testNow)
	b.sync(t, r, objstore.Options{})

	stop := make(chan struct{})
	type report struct {
		reads int
		dates map[time.Time]bool
		errs  []error
	}
	done := make(chan report)
	go func() {
		rep := report{dates: map[time.Time]bool{}}
		for {
			select {
			case <-stop:
				done <- rep
				return
			default:
			}
			d, err := readAsApt(b.baseURL(), kr)
			rep.reads++
			if err != nil {
				rep.errs = append(rep.errs, err)
			} else {
				rep.dates[d] = true
			}
		}
	}()
	deleted := 0
	for i := 1; i <= 20; i++ {
		addPackages(t, r, fmt.Sprintf("app%d", i))
		publishAt(t, r, testNow.Add(time.Duration(i)*time.Minute))
		now := testNow.Add(time.Duration(i) * 2 * time.Hour)
		res := b.sync(t, r, objstore.Options{Now: func() time.Time { return now }})
		deleted += len(res.Deleted)
	}
	close(stop)
	rep := <-done
	t.Logf("%d reads saw %d releases; %d stale objects deleted", rep.reads, len(rep.dates), deleted)
	for _, err := range rep.errs {
		t.Error(err)
	}
	if len(rep.dates) < 2 || deleted == 0 {
		t.Errorf("the reader saw %d releases and %d objects were deleted: the test proves nothing", len(rep.dates), deleted)
	}
}
