//go:build linux && (amd64 || arm64)

package prefault

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// phdr is one ELF64 program header for building test input.
type phdr struct {
	typ, flags           uint32
	vaddr, filesz, memsz uint64
}

func headers(hs ...phdr) []byte {
	b := make([]byte, 0, len(hs)*phdrSize)
	for _, h := range hs {
		var e [phdrSize]byte
		binary.LittleEndian.PutUint32(e[0:], h.typ)
		binary.LittleEndian.PutUint32(e[4:], h.flags)
		binary.LittleEndian.PutUint64(e[16:], h.vaddr)
		binary.LittleEndian.PutUint64(e[24:], h.vaddr)
		binary.LittleEndian.PutUint64(e[32:], h.filesz)
		binary.LittleEndian.PutUint64(e[40:], h.memsz)
		b = append(b, e[:]...)
	}
	return b
}

// TestSegments covers the choice of ranges: the code whole, read-only and
// written data skipped, the load bias of a position-independent program,
// and the inputs that give nothing.
func TestSegments(t *testing.T) {
	self := phdr{typ: ptPhdr, flags: pfR, vaddr: 0x400040}
	text := phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x400000, filesz: 0x8d1291, memsz: 0x8d1291}
	rodata := phdr{typ: ptLoad, flags: pfR, vaddr: 0xcd2000, filesz: 0x7dbc90, memsz: 0x7dbc90}
	data := phdr{typ: ptLoad, flags: pfR | pfW, vaddr: 0x14ae000, filesz: 0x88e60, memsz: 0x20d9780}
	huge := phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x400000, filesz: maxRange + 1, memsz: maxRange + 1}
	note := phdr{typ: 4, flags: pfR, vaddr: 0x400f78, filesz: 0x64}
	for _, c := range []struct {
		name     string
		phdrs    []byte
		at, page uintptr
		want     []Range
	}{
		{"go executable", headers(self, note, text, rodata, data), 0x400040, 4096,
			[]Range{{0x400000, 0xcd2000}}},
		{"loaded elsewhere", headers(self, text, data), 0x7f0000400040, 4096,
			[]Range{{0x7f0000400000, 0x7f0000cd2000}}},
		{"unaligned start, bigger pages", headers(self, phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x401234, filesz: 0x10}), 0x400040, 0x10000,
			[]Range{{0x400000, 0x410000}}},
		{"no PT_PHDR", headers(note, text, data), 0x400040, 4096, nil},
		{"page size zero", headers(self, text), 0x400040, 0, nil},
		{"page size not a power of two", headers(self, text), 0x400040, 3000, nil},
		{"too large", headers(self, huge), 0x400040, 4096, nil},
		{"not readable", headers(self, phdr{typ: ptLoad, flags: pfX, vaddr: 0x400000, filesz: 0x1000}), 0x400040, 4096, nil},
		{"written code", headers(self, phdr{typ: ptLoad, flags: pfR | pfW | pfX, vaddr: 0x400000, filesz: 0x1000}), 0x400040, 4096, nil},
		{"empty file part", headers(self, phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x600000, memsz: 0x1000}), 0x400040, 4096, nil},
		{"truncated entry", headers(self, text)[:phdrSize*2-1], 0x400040, 4096, nil},
		{"nothing", nil, 0x400040, 4096, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Segments(c.phdrs, c.at, c.page)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("range %d: got %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// mapping is one line of /proc/self/maps.
type mapping struct {
	start, end uintptr
	perms      string
	path       string
}

// selfMappings reads /proc/self/maps.
func selfMappings(t *testing.T) []mapping {
	t.Helper()
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skipf("no maps: %v", err)
	}
	var ms []mapping
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fs := strings.Fields(line)
		lo, hi, ok := strings.Cut(fs[0], "-")
		s, err1 := strconv.ParseUint(lo, 16, 64)
		e, err2 := strconv.ParseUint(hi, 16, 64)
		if len(fs) < 5 || !ok || err1 != nil || err2 != nil {
			t.Fatalf("maps line %q", line)
		}
		m := mapping{start: uintptr(s), end: uintptr(e), perms: fs[1]}
		if len(fs) >= 6 {
			m.path = fs[5]
		}
		ms = append(ms, m)
	}
	return ms
}

// TestStartupPopulate checks what the package's initialisation did in this
// test binary: it found the binary's code segment, which the kernel's
// own mapping of the executable agrees with, and the kernel took the call.
func TestStartupPopulate(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	want := 0
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			want++
		}
	}
	if len(Result.Ranges) != want || len(Result.Errnos) != want {
		t.Fatalf("ranges %v, errnos %v; want %d code segments", Result.Ranges, Result.Errnos, want)
	}
	maps := selfMappings(t)
	for i, r := range Result.Ranges {
		var m *mapping
		for j := range maps {
			if maps[j].start <= r.Start && r.Start < maps[j].end {
				m = &maps[j]
				break
			}
		}
		if m == nil {
			t.Fatalf("range %v is in no mapping", r)
		}
		if m.perms != "r-xp" || m.start != r.Start || r.End > m.end {
			t.Fatalf("range %v against mapping %x-%x %s %s", r, m.start, m.end, m.perms, m.path)
		}
		switch e := syscall.Errno(Result.Errnos[i]); e {
		case 0:
		case syscall.EINVAL:
			t.Skipf("kernel refused MADV_POPULATE_READ (before Linux 5.14?): %v", e)
		default:
			t.Fatalf("madvise of %v: %v", r, e)
		}
	}
}

// present counts the pages of [addr, addr+n) that are mapped in this
// process, from /proc/self/pagemap (bit 63 of each page's entry).
func present(t *testing.T, addr, n uintptr) int {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Skipf("no pagemap: %v", err)
	}
	defer f.Close()
	page := uintptr(os.Getpagesize())
	buf := make([]byte, n/page*8)
	if _, err := f.ReadAt(buf, int64(addr/page*8)); err != nil {
		t.Fatal(err)
	}
	k := 0
	for i := 0; i < len(buf); i += 8 {
		if binary.LittleEndian.Uint64(buf[i:])>>63 == 1 {
			k++
		}
	}
	return k
}

// codeHeaders returns program headers, and the address at which they
// lie, that put a code segment of n bytes at addr.
func codeHeaders(addr, n uintptr) ([]byte, uintptr) {
	buf := headers(phdr{typ: ptPhdr, flags: pfR, vaddr: 0x1000},
		phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x2000, filesz: uint64(n)})
	at := uintptr(unsafe.Pointer(&buf[0]))
	// Load bias at - vaddr(PT_PHDR) must take vaddr 0x2000 to addr.
	binary.LittleEndian.PutUint64(buf[16:], uint64(at-(addr-0x2000)))
	return buf, at
}

// TestPopulateMapsPages runs populate on program headers that describe a
// fresh mapping of a file in the page cache: none of its pages is mapped
// before, all of them after.
func TestPopulateMapsPages(t *testing.T) {
	saved := Result
	defer func() { Result = saved }()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe) // into the page cache
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := os.Getpagesize()
	n := min(len(data), 1<<20) &^ (page - 1)
	m, err := syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	addr := uintptr(unsafe.Pointer(&m[0]))
	if k := present(t, addr, uintptr(n)); k != 0 {
		t.Fatalf("%d pages of a fresh mapping present before populate", k)
	}
	buf, at := codeHeaders(addr, uintptr(n))
	heapBefore := HeapResult
	populate([]uintptr{atPhdr, at, atPhnum, 2, atPagesz, uintptr(page), 0, 0})
	runtime.KeepAlive(buf)
	if !reflect.DeepEqual(HeapResult, heapBefore) {
		t.Errorf("populate changed the heap's result: %+v, was %+v (the heap is init's business)", HeapResult, heapBefore)
	}
	if len(Result.Ranges) != 1 || Result.Ranges[0] != (Range{addr, addr + uintptr(n)}) {
		t.Fatalf("ranges %v, want %v", Result.Ranges, Range{addr, addr + uintptr(n)})
	}
	if e := syscall.Errno(Result.Errnos[0]); e == syscall.EINVAL {
		t.Skipf("kernel refused MADV_POPULATE_READ (before Linux 5.14?): %v", e)
	} else if e != 0 {
		t.Fatalf("madvise: %v", e)
	}
	if k := present(t, addr, uintptr(n)); k != n/page {
		t.Fatalf("%d of %d pages present after populate", k, n/page)
	}
}

// TestRefusedPopulateIsHarmless runs populate on program headers that
// name memory which is not mapped: the kernel refuses, populate records
// the refusal and returns.
func TestRefusedPopulateIsHarmless(t *testing.T) {
	saved := Result
	defer func() { Result = saved }()
	gone, err := syscall.Mmap(-1, 0, 1<<16, syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	addr := uintptr(unsafe.Pointer(&gone[0]))
	if err := syscall.Munmap(gone); err != nil {
		t.Fatal(err)
	}
	buf, at := codeHeaders(addr, 1<<16)
	populate([]uintptr{atPhdr, at, atPhnum, 2, atPagesz, uintptr(os.Getpagesize()), 0, 0})
	runtime.KeepAlive(buf)
	if len(Result.Ranges) != 1 || Result.Ranges[0].Start != addr || len(Result.Errnos) != 1 {
		t.Fatalf("ranges %v, errnos %v, want one at %x", Result.Ranges, Result.Errnos, addr)
	}
	if e := Result.Errnos[0]; e != uintptr(syscall.ENOMEM) && e != uintptr(syscall.EINVAL) {
		t.Errorf("errno %v, want ENOMEM (or EINVAL before Linux 5.14)", syscall.Errno(e))
	}
	// An aux vector without program headers does nothing.
	Result.Ranges, Result.Errnos = nil, nil
	populate([]uintptr{atPagesz, 4096, 0, 0})
	populate(nil)
	if Result.Ranges != nil || Result.Errnos != nil {
		t.Fatalf("populated %v without program headers", Result.Ranges)
	}
}

// FuzzSegments checks that any program headers give page-aligned,
// non-empty ranges within the size bound, and never a panic.
func FuzzSegments(f *testing.F) {
	f.Add(headers(phdr{typ: ptPhdr, flags: pfR, vaddr: 0x400040},
		phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x400000, filesz: 0x8d1291},
		phdr{typ: ptLoad, flags: pfR | pfW, vaddr: 0x14ae000, filesz: 0x88e60}), uint64(0x400040), uint64(4096))
	f.Add([]byte{6, 0, 0, 0}, uint64(0), uint64(1))
	f.Fuzz(func(t *testing.T, phdrs []byte, at, page uint64) {
		for _, r := range Segments(phdrs, uintptr(at), uintptr(page)) {
			p := uintptr(page)
			if r.Start >= r.End || r.Start%p != 0 || r.End%p != 0 || r.End-r.Start > maxRange+2*p {
				t.Fatalf("bad range %v for page size %d", r, page)
			}
		}
	})
}

// TestColdRangeIsLeftAlone runs populate on a mapping of a file whose
// pages were dropped from the page cache: the range is found, judged
// cold, and not populated, so a first run after boot reads from disk
// only what it uses.
func TestColdRangeIsLeftAlone(t *testing.T) {
	saved := Result
	defer func() { Result = saved }()
	page := os.Getpagesize()
	n := 256 * page
	f, err := os.CreateTemp(t.TempDir(), "cold")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, n)); err != nil || f.Sync() != nil {
		t.Fatal(err)
	}
	const fadvDontneed = 4
	if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontneed, 0, 0); e != 0 {
		t.Skipf("fadvise: %v", e)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	addr := uintptr(unsafe.Pointer(&m[0]))
	r := Range{addr, addr + uintptr(n)}
	if warm(r, uintptr(page)) {
		t.Skip("the file's pages stayed in the page cache (tmpfs?)")
	}
	buf, at := codeHeaders(addr, uintptr(n))
	heapBefore := HeapResult
	populate([]uintptr{atPhdr, at, atPhnum, 2, atPagesz, uintptr(page), 0, 0})
	runtime.KeepAlive(buf)
	if !reflect.DeepEqual(HeapResult, heapBefore) {
		t.Errorf("populate changed the heap's result: %+v, was %+v (the heap is init's business)", HeapResult, heapBefore)
	}
	if len(Result.Ranges) != 1 || Result.Ranges[0] != r || !Result.Cold[0] {
		t.Fatalf("ranges %v cold %v, want %v found cold", Result.Ranges, Result.Cold, r)
	}
	if k := present(t, addr, uintptr(n)); k != 0 {
		t.Errorf("%d pages of the cold range mapped", k)
	}
}

// TestWarmLooksAcrossTheRange maps a file of 1,024 pages: with every
// page cached the range is warm; with its second half, or every other
// 64 KiB of it, dropped from the page cache it is cold, so a range that
// is only partly cached is left to fault in, wherever the missing pages
// lie.
func TestWarmLooksAcrossTheRange(t *testing.T) {
	page := os.Getpagesize()
	n := 1024 * page
	f, err := os.CreateTemp(t.TempDir(), "warm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, n)); err != nil || f.Sync() != nil {
		t.Fatal(err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	r := Range{uintptr(unsafe.Pointer(&m[0])), uintptr(unsafe.Pointer(&m[0])) + uintptr(n)}
	const fadvDontneed = 4
	drop := func(off, size int) {
		if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), uintptr(off), uintptr(size), fadvDontneed, 0, 0); e != 0 {
			t.Skipf("fadvise: %v", e)
		}
	}
	cache := func() {
		if _, err := f.ReadAt(make([]byte, n), 0); err != nil {
			t.Fatal(err)
		}
	}
	cache()
	if !warm(r, uintptr(page)) {
		t.Fatal("a range whose every page is cached is called cold")
	}
	drop(n/2, n/2)
	if present(t, r.Start, uintptr(n)) != 0 {
		t.Fatal("pages mapped before the test touched them")
	}
	if warm(r, uintptr(page)) {
		t.Skip("the file's pages stayed in the page cache (tmpfs?)")
	}
	cache()
	for off := 0; off < n; off += 32 * page {
		drop(off, 16*page)
	}
	if warm(r, uintptr(page)) {
		t.Error("a range with every other 64 KiB dropped is called warm")
	}
}
