package main

import (
	"fmt"
	"path"
	"sync"

	"aim/repo"
)

// progressBar draws one status line on stderr while files download, only
// when stderr is a terminal and progress was not turned off.
type progressBar struct {
	e       *env
	on      bool
	mu      sync.Mutex
	current string
	drawn   bool
}

func newProgressBar(e *env) *progressBar {
	return &progressBar{e: e, on: !e.g.noProgress && !e.g.quiet && !e.g.json && isTerminal(e.stderr)}
}

func (b *progressBar) event(ev repo.UpdateEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ev.What == "get" {
		b.current = ev.Source + " " + path.Base(ev.URL)
	}
}

func (b *progressBar) update(p repo.Progress) {
	if !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	pct := ""
	if p.Total > 0 {
		pct = fmt.Sprintf("%3d%% ", p.Done*100/p.Total)
	}
	fmt.Fprintf(b.e.stderr, "\r\033[K%s%s %s %s/s", pct, b.current, humanBytes(p.Done), humanBytes(int64(p.Rate)))
	b.drawn = true
}

func (b *progressBar) done() {
	if b.on && b.drawn {
		fmt.Fprint(b.e.stderr, "\r\033[K")
	}
}

// humanBytes formats n bytes as apt does: 1,234 B, 12.3 kB, 4.5 MB.
func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
