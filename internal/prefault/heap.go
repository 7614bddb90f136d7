package prefault

import "unsafe"

// The Go heap's first pages are the other large share of start-up's page
// faults: each fresh anonymous page costs a fault when the heap first
// touches it, about 80 of them before any package initialises and 130
// more while aim's packages do (aim version compare, perf record -e
// page-faults). Backed by one transparent huge page, the same 2 MiB cost
// one fault. The runtime has touched the first of them when this package
// initialises, so the kernel would not give that extent a huge page at
// its next fault: madvise(MADV_COLLAPSE) (Linux 6.1 and later) replaces
// its pages by one huge page at once, copying what they hold. The price
// is memory: the process's resident size grows by what the huge pages
// hold beyond the pages it touched, about 3 MB for aim version compare.
// A refused collapse (an older kernel, huge pages disabled, EAGAIN when
// the kernel cannot take the pages just then) leaves the heap as it was.

// Heap extents: the huge-page size of 4 KiB-page systems (x86-64 and
// arm64's 4 KiB granule), and the heap arena, the unit in which the
// runtime reserves heap addresses, aligned on its size.
const (
	extentSize = 2 << 20
	arenaSize  = 64 << 20
)

// minResident is how many of an extent's pages must already be in
// memory for collapsing it to pay: a collapse took 0.21-0.26 ms (strace
// -T, a 2 MiB page to clear and the resident pages to copy), the time of
// about 20 faults, and an extent the heap has barely reached may never
// be used further.
const minResident = 32

// madvCollapse is madvise's advice to back a range with huge pages now
// (Linux 6.1 and later).
const madvCollapse = 25

// madvHugepage is madvise's advice to back a range with huge pages as
// it faults in.
const madvHugepage = 14

// markedAbove is how many extents above the heap's end are marked for
// huge pages.
const markedAbove = 2

// A HeapCollapse is what collapsing the heap did, for tests and
// diagnostics: the extents considered (resident page counts before), the
// error number each collapse returned (0 for success, -1 when left
// alone), and the range marked for huge pages with the error number of
// the marking (an empty range when none was).
type HeapCollapse struct {
	Extents   []uintptr
	Resident  []int
	Errnos    []uintptr
	Marked    Range
	MarkErrno uintptr
}

// HeapResult is what start-up's collapse of the heap did.
var HeapResult HeapCollapse

// heapProbe is allocated on the heap to find where it grows.
var heapProbe *[16]byte

// collapseHeap runs collapseAround at the heap's current end. It does
// nothing where pages are not 4 KiB (the huge page would not be 2 MiB).
func collapseHeap(pageSize uintptr) {
	if pageSize != 4096 || !supported {
		return
	}
	heapProbe = new([16]byte)
	HeapResult = collapseAround(uintptr(unsafe.Pointer(heapProbe)))
}

// collapseAround backs with huge pages the extents around address p that
// are filled (see toCollapse), looking at p's extent and its two
// neighbours within p's arena, and marks the two extents above the
// highest for huge pages (MADV_HUGEPAGE), so that when the heap grows
// into them, as it does during package initialisation in about a third
// of aim's runs, the first fault maps a whole huge page instead of ~55
// small ones. The mark holds where the runtime has already mapped
// the heap (it maps it in 4 MiB chunks, and a new mapping starts
// unmarked); it is kept to two extents so that a long-running process's
// scavenged pages are not refilled by khugepaged across the whole arena.
func collapseAround(p uintptr) HeapCollapse {
	var r HeapCollapse
	arena := p &^ (arenaSize - 1)
	at := p &^ (extentSize - 1)
	first := max(arena, at-extentSize)
	last := min(arena+arenaSize-extentSize, at+extentSize)
	var vec [extentSize / 4096]byte
	var resident [3]int
	n := 0
	for e := first; e <= last; e += extentSize {
		resident[n] = -1
		if mincore(e, extentSize, &vec[0]) == 0 {
			resident[n] = 0
			for _, v := range vec {
				resident[n] += int(v & 1)
			}
		}
		n++
	}
	collapse, top := toCollapse(resident[:n])
	for i, c := range collapse {
		e := first + uintptr(i)*extentSize
		errno := ^uintptr(0)
		if c {
			errno = madvise(e, extentSize, madvCollapse)
		}
		r.Extents = append(r.Extents, e)
		r.Resident = append(r.Resident, resident[i])
		r.Errnos = append(r.Errnos, errno)
	}
	if top >= 0 {
		above := first + uintptr(top+1)*extentSize
		if end := min(above+markedAbove*extentSize, arena+arenaSize); above < end {
			r.Marked = Range{above, end}
			r.MarkErrno = madvise(above, end-above, madvHugepage)
		}
	}
	return r
}

// toCollapse chooses, from the number of resident pages of consecutive
// heap extents in address order (-1 where it could not be told), which
// to back with a huge page now: those with at least minResident pages,
// and the highest with any, into which the heap grows next (the runtime
// allocates from the lowest free address). It also returns the index of
// that highest extent, or -1 when no extent has a resident page.
func toCollapse(resident []int) (collapse []bool, top int) {
	top = -1
	for i, n := range resident {
		if n > 0 {
			top = i
		}
	}
	collapse = make([]bool, len(resident))
	for i, n := range resident {
		collapse[i] = n >= minResident || i == top
	}
	return collapse, top
}
