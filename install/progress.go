package install

import (
	"path/filepath"

	"aim/repo"
)

// counter numbers the steps of one phase: the Index-th of Count.
type counter struct{ i, n int }

// countSteps returns counters for the steps that unpack an archive and
// for those that remove or purge a package.
func (x *txn) countSteps() (unpacks, removals counter) {
	for _, s := range x.steps {
		if s.c.Action.unpacks() {
			unpacks.n++
		} else {
			removals.n++
		}
	}
	return unpacks, removals
}

// reportStep reports the next step of phase for s, at progress.
func (x *txn) reportStep(c *counter, progress float64, phase Phase, msg string, s *step) {
	c.i++
	x.t.report(progress, Event{Message: msg + " " + s.key, Phase: phase, Package: s.key, Index: c.i, Count: c.n})
}

// downloadReporter returns a fetcher like the engine's that also reports
// the bytes of every archive the transaction downloads, counted across
// all of them, and a function to call when one download is done.
func (x *txn) downloadReporter(total int64) (*repo.Fetcher, func(size int64)) {
	f := *x.e.Fetcher
	var before int64
	prev := f.Progress
	f.Progress = func(p repo.Progress) {
		if prev != nil {
			prev(p)
		}
		progress := 0.0
		if total > 0 {
			progress = 0.3 * float64(before+p.Done) / float64(total)
		}
		x.t.report(progress, Event{Message: "fetching " + filepath.Base(p.URL), Phase: PhaseDownload,
			Bytes: before + p.Done, TotalBytes: total})
	}
	return &f, func(size int64) { before += size }
}

// remoteSize is the size of every archive the transaction fetches from a
// repository (cached or not).
func (x *txn) remoteSize() int64 {
	var n int64
	for _, s := range x.steps {
		if s.c.Action.unpacks() && s.c.Path == "" {
			n += s.c.Size
		}
	}
	return n
}
