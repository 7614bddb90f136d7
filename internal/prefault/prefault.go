// Package prefault maps the running program's code in one system call
// at the start of package initialisation, instead of letting start-up
// take it one page fault at a time (issue 18), and backs the heap's
// first pages with a huge page (see collapseHeap).
//
// An aim process touches most of its code while the packages initialise
// and a command runs; each first touch of a 64 KiB window of it is a page
// fault (the kernel maps the window's cached pages together), and on a
// virtual machine whose page faults go through the hypervisor each costs
// tens of microseconds. madvise(MADV_POPULATE_READ) over the code segment
// maps the same cached pages in one call.
//
// Only the code is populated: measured on aim, populating the read-only
// data segment (types, tables, function tables) saved few faults, since
// the runtime has touched what start-up needs of it before any package
// initialises, and making private copies of the initialised-data segment
// (MADV_POPULATE_WRITE) cost as much as the faults it saved, since each
// copy is a fresh page either way. The populated code counts in the
// process's resident size (about 3 MB more for aim), though those pages
// are the page cache's, shared with every other process running the
// binary.
//
// The package imports nothing but unsafe, so Go initialises it first,
// right after the runtime: import it from package main with a blank
// import. The work is only ever an optimisation: a refused madvise (a
// kernel before Linux 5.14, a platform without the call, a program
// without program headers in memory) is ignored, and the program runs as
// it would have without it. Contents of memory never change.
package prefault

import "unsafe"

// A Range is one segment to populate: the page-aligned addresses
// [Start, End).
type Range struct {
	Start, End uintptr
}

// String gives the range as "0xStart-0xEnd".
func (r Range) String() string {
	return hex(r.Start) + "-" + hex(r.End)
}

// hex formats v as 0x and lower-case hexadecimal digits (strconv would
// be an import, which would move this package later in initialisation).
func hex(v uintptr) string {
	var b [18]byte
	i := len(b)
	for {
		i--
		b[i] = "0123456789abcdef"[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	i -= 2
	b[i], b[i+1] = '0', 'x'
	return string(b[i:])
}

// maxRange bounds one range: a segment larger than this is not the
// binary's own, and is left to fault in as it is used.
const maxRange = 256 << 20

// Program header fields (ELF64).
const (
	phdrSize = 56
	ptLoad   = 1
	ptPhdr   = 6
	pfX      = 1
	pfW      = 2
	pfR      = 4
)

// Segments reads the ELF64 program headers in phdrs (little-endian, as
// the kernel mapped them at address at) and returns the ranges to
// populate: the file-backed part of each executable, unwritten loadable
// segment, page-aligned, in header order. Segments larger than 256 MiB
// are left out. It returns nothing when the headers hold no PT_PHDR
// entry, since without it the load address is unknown, or when pageSize
// is not a power of two. Malformed headers give fewer ranges, never a
// panic.
func Segments(phdrs []byte, at, pageSize uintptr) []Range {
	var bias uintptr
	found := false
	for off := 0; off+phdrSize <= len(phdrs); off += phdrSize {
		if le32(phdrs[off:]) == ptPhdr {
			bias = at - uintptr(le64(phdrs[off+16:]))
			found = true
			break
		}
	}
	if !found || pageSize == 0 || pageSize&(pageSize-1) != 0 {
		return nil
	}
	var out []Range
	for off := 0; off+phdrSize <= len(phdrs); off += phdrSize {
		h := phdrs[off:]
		flags := le32(h[4:])
		if le32(h) != ptLoad || flags&(pfR|pfX|pfW) != pfR|pfX {
			continue
		}
		vaddr, filesz := uintptr(le64(h[16:])), uintptr(le64(h[32:]))
		if filesz == 0 || filesz > maxRange || vaddr+bias+filesz < vaddr+bias {
			continue
		}
		start := (vaddr + bias) &^ (pageSize - 1)
		end := vaddr + bias + filesz
		if end+pageSize-1 < end {
			continue
		}
		end = (end + pageSize - 1) &^ (pageSize - 1)
		out = append(out, Range{Start: start, End: end})
	}
	return out
}

func le32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(le32(b)) | uint64(le32(b[4:]))<<32
}

// Auxiliary vector keys.
const (
	atPhdr   = 3
	atPhnum  = 5
	atPagesz = 6
)

// madvPopulateRead is madvise's advice to map pages for reading (Linux
// 5.14 and later).
const madvPopulateRead = 22

// Result is what the start-up populate did: the ranges it found in the
// running program, the error number (0 for success) each madvise
// returned, and whether each range was left alone because too little of
// it was in the page cache (see warm). It is for tests and diagnostics;
// nothing acts on it.
var Result struct {
	Ranges []Range
	Errnos []uintptr
	Cold   []bool
}

// warm reports whether at least seven eighths of the pages of r are in
// the page cache (mincore), or whether that cannot be told. Populating a
// range maps what is cached and reads the rest from disk at once: on the
// first run after boot, or after the binary was updated, that would read
// the whole code segment where start-up needs a fraction of it, so a
// cold range is left to fault in as it is used.
func warm(r Range, pageSize uintptr) bool {
	vec := make([]byte, (r.End-r.Start)/pageSize)
	if len(vec) == 0 || mincore(r.Start, r.End-r.Start, &vec[0]) != 0 {
		return true
	}
	resident := 0
	for _, v := range vec {
		resident += int(v & 1)
	}
	return resident*8 >= len(vec)*7
}

//go:linkname runtimeAuxv runtime.getAuxv
func runtimeAuxv() []uintptr

func init() {
	auxv := runtimeAuxv()
	populate(auxv)
	collapseHeap(auxValue(auxv, atPagesz))
}

// auxValue returns the value of key in the aux vector auxv, 0 when
// absent.
func auxValue(auxv []uintptr, key uintptr) uintptr {
	for i := 0; i+1 < len(auxv); i += 2 {
		if auxv[i] == key {
			return auxv[i+1]
		}
	}
	return 0
}

// populate finds the running program's segments from the aux vector
// auxv and asks the kernel to populate each, recording the outcome in
// Result.
func populate(auxv []uintptr) {
	at, n, pageSize := auxValue(auxv, atPhdr), auxValue(auxv, atPhnum), auxValue(auxv, atPagesz)
	if at == 0 || n == 0 || n > 64 || !supported {
		return
	}
	// The headers are in the program's own mapping, outside Go's heap:
	// the address is the kernel's, not a Go pointer kept as an integer.
	phdrs := unsafe.Slice(*(**byte)(unsafe.Pointer(&at)), n*phdrSize)
	ranges := Segments(phdrs, at, pageSize)
	errnos, cold := make([]uintptr, len(ranges)), make([]bool, len(ranges))
	for i, r := range ranges {
		if cold[i] = !warm(r, pageSize); !cold[i] {
			errnos[i] = madvise(r.Start, r.End-r.Start, madvPopulateRead)
		}
	}
	Result.Ranges, Result.Errnos, Result.Cold = ranges, errnos, cold
}
