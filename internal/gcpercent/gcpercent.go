// Package gcpercent lets library code change the garbage collector's
// target percentage for a while without losing the process's own value
// when such changes overlap (the D-Bus daemon may build the package
// cache while a task reads control archives).
package gcpercent

import (
	"runtime/debug"
	"sync"
)

var (
	mu       sync.Mutex
	original int
	holds    []*int // the active holds, oldest first
)

// Hold sets the collector's target percentage to percent (-1 turns the
// collector off) until release is called. While holds overlap, the most
// recent one still held applies; once the last is released, the value
// the process had before the first comes back. release may be called
// once.
func Hold(percent int) (release func()) {
	mu.Lock()
	defer mu.Unlock()
	p := &percent
	if len(holds) == 0 {
		original = debug.SetGCPercent(percent)
	} else {
		debug.SetGCPercent(percent)
	}
	holds = append(holds, p)
	return func() {
		mu.Lock()
		defer mu.Unlock()
		for i, h := range holds {
			if h == p {
				holds = append(holds[:i], holds[i+1:]...)
				break
			}
		}
		if len(holds) == 0 {
			debug.SetGCPercent(original)
		} else {
			debug.SetGCPercent(*holds[len(holds)-1])
		}
	}
}
