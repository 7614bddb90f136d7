//go:build linux && (amd64 || arm64)

package prefault

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestToCollapse covers the choice of heap extents to back with huge pages.
func TestToCollapse(t *testing.T) {
	for _, c := range []struct {
		name     string
		resident []int
		collapse []bool
		top      int
	}{
		{"heap in one extent", []int{0, 95, 0}, []bool{false, true, false}, 1},
		{"heap across two", []int{76, 19, 0}, []bool{true, true, false}, 1},
		{"a few pages below", []int{5, 90, 0}, []bool{false, true, false}, 1},
		{"the lower one half-filled", []int{0, 23, 66}, []bool{false, false, true}, 2},
		{"full below, nothing above", []int{40, 0}, []bool{true, false}, 0},
		{"unknown below", []int{-1, 2, 0}, []bool{false, true, false}, 1},
		{"nothing resident", []int{0, 0, -1}, []bool{false, false, false}, -1},
		{"none", nil, []bool{}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			collapse, top := toCollapse(c.resident)
			if !slices.Equal(collapse, c.collapse) || top != c.top {
				t.Errorf("toCollapse(%v) = %v, %d; want %v, %d", c.resident, collapse, top, c.collapse, c.top)
			}
		})
	}
}

// smapsEntry is one mapping of /proc/self/smaps: its range, its
// AnonHugePages in KiB and its VmFlags.
type smapsEntry struct {
	start, end uintptr
	hugeKB     int
	flags      []string
}

// selfSmaps reads /proc/self/smaps.
func selfSmaps(t *testing.T) []smapsEntry {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	var out []smapsEntry
	for _, line := range strings.Split(string(b), "\n") {
		fs := strings.Fields(line)
		if len(fs) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fs[0], "-"); ok && len(fs) >= 5 {
			s, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("smaps line %q", line)
			}
			out = append(out, smapsEntry{start: uintptr(s), end: uintptr(e)})
			continue
		}
		if len(out) == 0 {
			continue
		}
		switch fs[0] {
		case "AnonHugePages:":
			kb, err := strconv.Atoi(fs[1])
			if err != nil {
				t.Fatalf("smaps line %q", line)
			}
			out[len(out)-1].hugeKB = kb
		case "VmFlags:":
			out[len(out)-1].flags = fs[1:]
		}
	}
	return out
}

// TestStartupCollapse checks what the package's initialisation did to
// this test binary's heap: it looked at the extents around the heap's
// end, collapsed the one the heap grows into, that extent is now backed
// by a huge page, and the extents above were marked for huge pages.
// (Whether they still are is not checked: the runtime may have mapped
// them anew since, which drops the mark; TestCollapseAround checks the
// marking on a mapping of its own.)
func TestStartupCollapse(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("pages are not 4 KiB")
	}
	r := HeapResult
	if len(r.Extents) == 0 || len(r.Resident) != len(r.Extents) || len(r.Errnos) != len(r.Extents) {
		t.Fatalf("heap result %+v", r)
	}
	collapse, top := toCollapse(r.Resident)
	if top < 0 {
		t.Fatalf("no resident heap page in %+v", r)
	}
	for i, e := range r.Extents {
		if e%extentSize != 0 || i > 0 && e != r.Extents[i-1]+extentSize {
			t.Fatalf("extents %x are not consecutive 2 MiB extents", r.Extents)
		}
		if collapse[i] != (r.Errnos[i] != ^uintptr(0)) {
			t.Fatalf("extent %x: resident %d, errno %d; want collapsed %v", e, r.Resident[i], int(r.Errnos[i]), collapse[i])
		}
	}
	above := r.Extents[top] + extentSize
	want := Range{above, min(above+markedAbove*extentSize, r.Extents[top]&^(arenaSize-1)+arenaSize)}
	if want.End <= want.Start {
		want = Range{}
	}
	if r.Marked != want || r.MarkErrno != 0 {
		t.Fatalf("marked %v (errno %d), want %v", r.Marked, int(r.MarkErrno), want)
	}
	checkCollapsed(t, r.Errnos[top], r.Extents[top])
}

// checkCollapsed skips the test when the kernel refused to collapse
// extent e (errno), and fails it unless e is now backed by huge pages.
func checkCollapsed(t *testing.T, errno uintptr, e uintptr) {
	t.Helper()
	switch en := syscall.Errno(errno); en {
	case 0:
	case syscall.EINVAL:
		t.Skipf("kernel refused MADV_COLLAPSE (before Linux 6.1, or huge pages off): %v", en)
	case syscall.EAGAIN, syscall.ENOMEM:
		t.Skipf("kernel could not collapse now: %v", en)
	default:
		t.Fatalf("madvise of %x: %v", e, en)
	}
	for _, m := range selfSmaps(t) {
		if m.start <= e && e < m.end {
			if m.hugeKB < extentSize>>10 {
				t.Fatalf("the mapping of extent %x has %d KiB of huge pages, want at least %d", e, m.hugeKB, extentSize>>10)
			}
			return
		}
	}
	t.Fatalf("extent %x is in no mapping", e)
}

// TestCollapseAround runs collapseAround on a mapping of its own laid out
// as a heap arena: 64 MiB reserved, 8 MiB of it mapped, 50 pages written
// at the end of one extent and 20 at the start of the next. Both are
// collapsed (one is full enough, the other is where the heap would grow),
// what was written survives, and the two extents above are marked for
// huge pages.
func TestCollapseAround(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("pages are not 4 KiB")
	}
	res, err := syscall.Mmap(-1, 0, 2*arenaSize, syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	defer syscall.Munmap(res)
	base := uintptr(unsafe.Pointer(&res[0]))
	off := int((base+arenaSize-1)&^(arenaSize-1) - base)
	arena := res[off : off+arenaSize]
	mapped := arena[4*extentSize : 8*extentSize]
	if err := syscall.Mprotect(mapped, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		t.Fatal(err)
	}
	const page = 4096
	write := func(from, pages int) {
		for i := range pages {
			mapped[from+i*page] = byte(from/page + i)
		}
	}
	write(extentSize-50*page, 50)
	write(extentSize, 20)
	at := uintptr(unsafe.Pointer(&mapped[extentSize+5*page]))
	r := collapseAround(at)
	e0 := uintptr(unsafe.Pointer(&mapped[0]))
	if want := []uintptr{e0, e0 + extentSize, e0 + 2*extentSize}; !slices.Equal(r.Extents, want) {
		t.Fatalf("extents %x, want %x", r.Extents, want)
	}
	if want := []int{50, 20, 0}; !slices.Equal(r.Resident, want) {
		t.Fatalf("resident pages %v, want %v", r.Resident, want)
	}
	if r.Errnos[2] != ^uintptr(0) {
		t.Errorf("the empty extent above was collapsed: errno %d", int(r.Errnos[2]))
	}
	if want := (Range{e0 + 2*extentSize, e0 + 4*extentSize}); r.Marked != want || r.MarkErrno != 0 {
		t.Errorf("marked %v (errno %d), want %v", r.Marked, int(r.MarkErrno), want)
	}
	for from, pages := range map[int]int{extentSize - 50*page: 50, extentSize: 20} {
		for i := range pages {
			if got, want := mapped[from+i*page], byte(from/page+i); got != want {
				t.Fatalf("byte at %d is %d after the collapse, want %d", from+i*page, got, want)
			}
		}
	}
	marked := 0
	for _, m := range selfSmaps(t) {
		if m.end > r.Marked.Start && m.start < r.Marked.End {
			marked++
			if !slices.Contains(m.flags, "hg") {
				t.Errorf("mapping %x-%x in the marked range %v has flags %v, want hg", m.start, m.end, r.Marked, m.flags)
			}
		}
	}
	if marked == 0 {
		t.Errorf("no mapping in the marked range %v", r.Marked)
	}
	checkCollapsed(t, r.Errnos[0], e0)
	checkCollapsed(t, r.Errnos[1], e0+extentSize)
}
