package gcpercent

import (
	"runtime/debug"
	"testing"
)

// TestOverlappingHolds releases two overlapping holds out of order: the
// value the process had comes back, where restoring each hold's saved
// value would leave the collector off.
func TestOverlappingHolds(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	off := Hold(-1)
	low := Hold(40)
	if got := debug.SetGCPercent(40); got != 40 {
		t.Errorf("with both held: %d, want 40", got)
	}
	off()
	if got := debug.SetGCPercent(40); got != 40 {
		t.Errorf("after the first release: %d, want 40", got)
	}
	low()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after both releases: %d, want 100", got)
	}
}
