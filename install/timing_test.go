package install

import (
	"strings"
	"testing"
	"time"
)

func TestPhaseClock(t *testing.T) {
	var wall time.Time
	var cpu time.Duration
	c := &phaseClock{now: func() time.Time { return wall }, cpu: func() time.Duration { return cpu }}
	c.last, c.lastCPU = wall, cpu
	advance := func(w, u time.Duration) { wall, cpu = wall.Add(w), cpu+u }

	advance(50*time.Millisecond, 60*time.Millisecond)
	c.mark("plan")
	advance(10*time.Second, time.Second) // waiting for the user: not counted
	c.skip()
	advance(1010*time.Millisecond, 1830*time.Millisecond)
	c.mark("stage")
	advance(700*time.Millisecond, 900*time.Millisecond)
	c.mark("configure")

	want := "timing: plan 0.050s (0.06s), stage 1.010s (1.83s), configure 0.700s (0.90s), total 1.760s (2.79s)"
	if got := c.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	var none *phaseClock
	none.mark("plan") // a nil clock ignores marks
	none.skip()
}

func TestProcessCPUGrows(t *testing.T) {
	before := processCPU()
	x := 0
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; x++ {
	}
	if after := processCPU(); after <= before {
		t.Errorf("processCPU did not grow over 20 ms of work (%v, then %v, %d loops)", before, after, x)
	}
}

func TestTimingNoteInTranscript(t *testing.T) {
	f := newFixture(t)
	res := f.mustRun(f.install(spec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}}))
	var line string
	for _, l := range strings.Split(res.Transcript, "\n") {
		if strings.Contains(l, " note "+timingPrefix) {
			line = l
		}
	}
	for _, phase := range []string{"recover ", "plan ", "stage ", "check ", "unpack ", "mark ", "configure ", "triggers ", "commit ", "cleanup ", "total "} {
		if !strings.Contains(line, phase) {
			t.Errorf("timing note %q lacks phase %q", line, phase)
		}
	}
}
