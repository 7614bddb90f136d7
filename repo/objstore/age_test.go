package objstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"aim/repo/objstore"
)

// TestStaleObjectsAgeOut removes a package and publishes again and
// again, half an hour apart: its pool file leaves the bucket only after
// it left the local pool (kept there for rollbacks) and then three more
// releases went up and an hour passed; the by-hash copies of the first
// generation leave once stale for an hour. A reader fetching as apt does
// finds every release whole all along.
func TestStaleObjectsAgeOut(t *testing.T) {
	b := newBucket(t)
	r := newRepo(t)
	kr := signer(t).PublicKey()
	base := b.baseURL()
	present := func(key string) bool {
		_, _, err := get(base + "/" + key)
		return err == nil
	}
	addPackages(t, r, "alpha", "beta")
	publishAt(t, r, testNow)
	b.sync(t, r, objstore.Options{Now: func() time.Time { return testNow }})
	gen1 := byHashKey(t, r, "main/binary-amd64/Packages.xz")
	const betaDeb = "pool/main/b/beta/beta_1.0_all.deb"
	if _, err := r.Remove("", []string{"beta"}); err != nil {
		t.Fatal(err)
	}
	betaStale, gen1Stale := 0, 0 // the sync that found each stale
	for i := 1; i <= 12; i++ {
		if i > 1 {
			addPackages(t, r, fmt.Sprintf("p%d", i))
		}
		publishAt(t, r, testNow.Add(time.Duration(i)*time.Minute))
		clock := testNow.Add(time.Duration(i) * 30 * time.Minute)
		res := b.sync(t, r, objstore.Options{Now: func() time.Time { return clock }})
		if _, err := readAsApt(base, kr); err != nil {
			t.Fatalf("reader after sync %d: %v", i, err)
		}
		_, err := os.Stat(filepath.Join(r.Dir, betaDeb))
		local := err == nil
		switch {
		case local && (slices.Contains(res.Waiting, betaDeb) || !present(betaDeb)):
			t.Fatalf("sync %d: beta's pool file, still in the local pool, is stale or gone from the bucket", i)
		case !local && betaStale == 0:
			if !slices.Contains(res.Waiting, betaDeb) {
				t.Fatalf("sync %d: beta left the local pool but is not waiting: %v", i, res.Waiting)
			}
			betaStale = i
		case betaStale > 0 && i < betaStale+3:
			// Stale for an hour at betaStale+2, but only two releases.
			if !slices.Contains(res.Waiting, betaDeb) || !present(betaDeb) {
				t.Fatalf("sync %d: beta's pool file deleted %d releases after going stale", i, i-betaStale)
			}
		case betaStale > 0 && i == betaStale+3:
			if !slices.Contains(res.Deleted, betaDeb) || present(betaDeb) {
				t.Fatalf("sync %d: beta's pool file not deleted three releases and 90 minutes after going stale", i)
			}
		}
		switch {
		case gen1Stale == 0 && slices.Contains(res.Waiting, gen1):
			gen1Stale = i
		case gen1Stale > 0 && i == gen1Stale+1:
			if !present(gen1) || !slices.Contains(res.Waiting, gen1) {
				t.Fatalf("sync %d: generation 1's by-hash copy deleted 30 minutes after going stale", i)
			}
		case gen1Stale > 0 && i == gen1Stale+2:
			if present(gen1) || !slices.Contains(res.Deleted, gen1) {
				t.Fatalf("sync %d: generation 1's by-hash copy not deleted an hour after going stale", i)
			}
		}
	}
	t.Logf("beta's pool file stale at sync %d; generation 1's by-hash copies at sync %d", betaStale, gen1Stale)
	if betaStale == 0 || gen1Stale == 0 || betaStale+3 > 12 {
		t.Fatalf("nothing went stale in time (beta %d, generation 1 %d)", betaStale, gen1Stale)
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
