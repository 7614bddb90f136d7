package main

import (
	"fmt"
	"io"
	"sync"

	"aim/install"
)

// taskProgress shows what an install, upgrade or removal is doing, from
// its task's events: on a terminal one line on stderr redrawn in place
// (download bytes, then "[3/27] Configuring nano"), otherwise, or with
// --no-progress, a plain line on stderr per package step and one when
// the downloads are complete; nothing with -q or --json.
type taskProgress struct {
	w    io.Writer
	term bool // redraw one line; else plain lines
	off  bool

	mu         sync.Mutex
	drawn      bool
	downloaded bool // the plain "Downloaded" line was written
}

// newTaskProgress returns the progress display the global flags ask for.
func newTaskProgress(e *env) *taskProgress {
	return &taskProgress{w: e.stderr, off: e.g.quiet || e.g.json,
		term: !e.g.noProgress && isTerminal(e.stderr)}
}

// observe is the task's observer.
func (p *taskProgress) observe(ev install.Event) {
	if p.off {
		return
	}
	line, final := progressLine(ev)
	if line == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.term:
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
	case ev.Phase == install.PhaseDownload:
		if final && !p.downloaded {
			p.downloaded = true
			fmt.Fprintf(p.w, "Downloaded %s\n", humanBytes(ev.TotalBytes))
		}
	default:
		fmt.Fprintln(p.w, line)
	}
}

// done clears the terminal line, leaving the summary to the caller.
func (p *taskProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.term && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// progressLine is the text of ev, "" for events not shown, and whether a
// download event is its last.
func progressLine(ev install.Event) (string, bool) {
	n := fmt.Sprintf("[%d/%d] ", ev.Index, ev.Count)
	switch ev.Phase {
	case install.PhaseDownload:
		pct := ""
		if ev.TotalBytes > 0 {
			pct = fmt.Sprintf(" %3d%%", ev.Bytes*100/ev.TotalBytes)
		}
		return fmt.Sprintf("Downloading %s of %s%s", humanBytes(ev.Bytes), humanBytes(ev.TotalBytes), pct),
			ev.Bytes >= ev.TotalBytes
	case install.PhaseUnpack:
		return n + "Unpacking " + ev.Package, false
	case install.PhaseConfigure:
		return n + "Configuring " + ev.Package, false
	case install.PhaseRemove:
		return n + "Removing " + ev.Package, false
	case install.PhasePurge:
		return n + "Purging " + ev.Package, false
	case install.PhaseTriggers:
		return "Processing triggers for " + ev.Package, false
	}
	return "", false
}
