//go:build linux && (amd64 || arm64)

package prefault

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
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

// anonHuge returns the AnonHugePages of the mapping holding addr, in
// KiB, from /proc/self/smaps, and whether a mapping holds it.
func anonHuge(t *testing.T, addr uintptr) (int, bool) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		fs := strings.Fields(line)
		if len(fs) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fs[0], "-"); ok && len(fs) >= 5 {
			s, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uintptr(s) <= addr && addr < uintptr(e)
			continue
		}
		if in && fs[0] == "AnonHugePages:" && len(fs) >= 2 {
			kb, err := strconv.Atoi(fs[1])
			if err != nil {
				t.Fatalf("smaps line %q", line)
			}
			return kb, true
		}
	}
	return 0, false
}

// TestStartupCollapse checks what the package's initialisation did to
// this test binary's heap: it looked at the extents around the heap's
// end, collapsed the one the heap grows into, and that extent is now
// backed by a huge page.
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
	switch e := syscall.Errno(r.Errnos[top]); e {
	case 0:
	case syscall.EINVAL:
		t.Skipf("kernel refused MADV_COLLAPSE (before Linux 6.1, or huge pages off): %v", e)
	case syscall.EAGAIN, syscall.ENOMEM:
		t.Skipf("kernel could not collapse now: %v", e)
	default:
		t.Fatalf("madvise of %x: %v", r.Extents[top], e)
	}
	kb, ok := anonHuge(t, r.Extents[top])
	if !ok {
		t.Fatalf("extent %x is in no mapping", r.Extents[top])
	}
	if kb < extentSize>>10 {
		t.Fatalf("the mapping of extent %x has %d KiB of huge pages, want at least %d", r.Extents[top], kb, extentSize>>10)
	}
}
