// Package prefault maps the running program's own file pages in a few
// system calls at the start of package initialisation, instead of
// letting start-up take them one page fault at a time (issue 18).
//
// An aim process touches a few hundred pages of its binary while the
// packages initialise and a command runs; each first touch is a page
// fault, and on a virtual machine whose page faults go through the
// hypervisor each costs tens of microseconds, more than the process's
// own work. Asking the kernel with madvise(MADV_POPULATE_READ) to map the
// code segment, and with MADV_POPULATE_WRITE to make the private copies
// of the small initialised-data segment, does the same work in one call a
// segment. Start-up touches nearly every 64 KiB window of aim's code (the
// kernel maps a fault's whole window when the pages are cached), and
// writes much of its initialised data; it touches well under half of the
// read-only data segment (types, tables, the function tables), so that
// segment is left to fault in: mapping it whole cost more than the
// faults it saved. The populated code counts in the process's resident
// size (about 3.5 MB more for aim), though those pages are the page
// cache's, shared with every other process running the binary.
//
// The package imports nothing but unsafe, so Go initialises it first,
// right after the runtime: import it from package main with a blank
// import. The work is only ever an optimisation: every madvise that is
// refused (an older kernel, a platform without the call, a program
// without program headers in memory) is ignored, and the program runs as
// it would have without it. Contents of memory never change.
package prefault

import "unsafe"

// A Range is one segment to populate: the page-aligned addresses
// [Start, End), and whether it is written (a private copy is made of
// each page) or only read.
type Range struct {
	Start, End uintptr
	Write      bool
}

// String gives the range as "0xStart-0xEnd read" (or "write").
func (r Range) String() string {
	how := " read"
	if r.Write {
		how = " write"
	}
	return hex(r.Start) + "-" + hex(r.End) + how
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
// populate, at most one per loadable segment, page-aligned and in header
// order: executable segments whole, for reading; written segments over
// their file-backed part only, for writing (never the zero-filled memory
// after it, which a process touches only where it uses it). Read-only data
// segments are left out (see the package comment), and so is any segment
// larger than 256 MiB. It returns nothing when the headers hold no
// PT_PHDR entry, since without it the load address is unknown, or when
// pageSize is not a power of two. Malformed headers give fewer ranges,
// never a panic.
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
		if le32(h) != ptLoad || flags&pfR == 0 || flags&(pfW|pfX) == 0 {
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
		out = append(out, Range{Start: start, End: end, Write: flags&pfW != 0})
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

// madvise advice values (Linux 5.14 and later).
const (
	madvPopulateRead  = 22
	madvPopulateWrite = 23
)

// Result is what the start-up populate did: the ranges it found in the
// running program, and the error number (0 for success) each madvise
// returned. It is for tests and diagnostics; nothing acts on it.
var Result struct {
	Ranges []Range
	Errnos []uintptr
}

//go:linkname runtimeAuxv runtime.getAuxv
func runtimeAuxv() []uintptr

func init() {
	populate(runtimeAuxv())
}

// populate finds the running program's segments from the aux vector
// auxv and asks the kernel to populate each, recording the outcome in
// Result.
func populate(auxv []uintptr) {
	var at, n, pageSize uintptr
	for i := 0; i+1 < len(auxv); i += 2 {
		switch auxv[i] {
		case atPhdr:
			at = auxv[i+1]
		case atPhnum:
			n = auxv[i+1]
		case atPagesz:
			pageSize = auxv[i+1]
		}
	}
	if at == 0 || n == 0 || n > 64 || !supported {
		return
	}
	// The headers are in the program's own mapping, outside Go's heap:
	// the address is the kernel's, not a Go pointer kept as an integer.
	phdrs := unsafe.Slice(*(**byte)(unsafe.Pointer(&at)), n*phdrSize)
	ranges := Segments(phdrs, at, pageSize)
	errnos := make([]uintptr, len(ranges))
	for i, r := range ranges {
		advice := uintptr(madvPopulateRead)
		if r.Write {
			advice = madvPopulateWrite
		}
		errnos[i] = madvise(r.Start, r.End-r.Start, advice)
	}
	Result.Ranges, Result.Errnos = ranges, errnos
}
