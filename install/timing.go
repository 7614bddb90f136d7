package install

import (
	"fmt"
	"strings"
	"syscall"
	"time"
)

// A transaction's transcript ends with one "timing:" note: the wall time
// of each phase and, in parentheses, the CPU time spent in it by aim and
// by every child process that ended in it (xz, maintainer scripts),
// e.g. "timing: recover 0.001s (0.00s), plan 0.055s (0.06s), stage
// 1.010s (1.83s), ...": recover is finishing what an earlier run left
// (interrupted transactions, pending configuration and triggers). It is
// how to see where an install spends its time on a user's machine
// (`aim log`), and bench/real.sh reads it to print each phase's share
// and the floor that the cores allow.

// timingPrefix starts the timing note.
const timingPrefix = "timing: "

// phaseClock measures the phases of one transaction.
type phaseClock struct {
	now     func() time.Time
	cpu     func() time.Duration
	last    time.Time
	lastCPU time.Duration
	phases  []phaseTime
}

// phaseTime is one phase's wall and CPU time.
type phaseTime struct {
	name      string
	wall, cpu time.Duration
}

// newPhaseClock starts the clock now.
func newPhaseClock() *phaseClock {
	c := &phaseClock{now: time.Now, cpu: processCPU}
	c.last, c.lastCPU = c.now(), c.cpu()
	return c
}

// mark ends phase name now; the next phase starts now. A nil clock
// ignores marks.
func (c *phaseClock) mark(name string) {
	if c == nil {
		return
	}
	t, cpu := c.now(), c.cpu()
	c.phases = append(c.phases, phaseTime{name, t.Sub(c.last), cpu - c.lastCPU})
	c.last, c.lastCPU = t, cpu
}

// skip starts the next phase now without recording the time since the
// last mark (the wait for the user's acknowledgement).
func (c *phaseClock) skip() {
	if c != nil {
		c.last, c.lastCPU = c.now(), c.cpu()
	}
}

// String is the timing note: every phase marked, in order, then the
// total.
func (c *phaseClock) String() string {
	var b strings.Builder
	b.WriteString(timingPrefix)
	var wall, cpu time.Duration
	for _, p := range c.phases {
		fmt.Fprintf(&b, "%s %.3fs (%.2fs), ", p.name, p.wall.Seconds(), p.cpu.Seconds())
		wall, cpu = wall+p.wall, cpu+p.cpu
	}
	fmt.Fprintf(&b, "total %.3fs (%.2fs)", wall.Seconds(), cpu.Seconds())
	return b.String()
}

// processCPU is the user and system time of this process and of its
// children that were waited for.
func processCPU() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}
