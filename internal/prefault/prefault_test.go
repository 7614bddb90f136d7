//go:build linux && (amd64 || arm64)

package prefault

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"os"
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

// TestSegments covers the choice of ranges: code read whole, data written
// over its file part, read-only data skipped, the load bias of a
// position-independent program, and the inputs that give nothing.
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
			[]Range{{0x400000, 0xcd2000, false}, {0x14ae000, 0x1537000, true}}},
		{"loaded elsewhere", headers(self, text, data), 0x7f0000400040, 4096,
			[]Range{{0x7f0000400000, 0x7f0000cd2000, false}, {0x7f00014ae000, 0x7f0001537000, true}}},
		{"unaligned start, bigger pages", headers(self, phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x401234, filesz: 0x10}), 0x400040, 0x10000,
			[]Range{{0x400000, 0x410000, false}}},
		{"no PT_PHDR", headers(note, text, data), 0x400040, 4096, nil},
		{"page size zero", headers(self, text), 0x400040, 0, nil},
		{"page size not a power of two", headers(self, text), 0x400040, 3000, nil},
		{"too large", headers(self, huge), 0x400040, 4096, nil},
		{"not readable", headers(self, phdr{typ: ptLoad, flags: pfX, vaddr: 0x400000, filesz: 0x1000}), 0x400040, 4096, nil},
		{"empty file part", headers(self, phdr{typ: ptLoad, flags: pfR | pfW, vaddr: 0x600000, memsz: 0x1000}), 0x400040, 4096, nil},
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
	rss, anon  uint64 // KiB, from smaps
}

// selfMappings reads /proc/self/smaps: the process's mappings with their
// resident and anonymous sizes.
func selfMappings(t *testing.T) []mapping {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	var ms []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 5 && strings.Contains(fs[0], "-") && !strings.HasSuffix(fs[0], ":") {
			lo, hi, _ := strings.Cut(fs[0], "-")
			s, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("smaps line %q", sc.Text())
			}
			m := mapping{start: uintptr(s), end: uintptr(e), perms: fs[1]}
			if len(fs) >= 6 {
				m.path = fs[5]
			}
			ms = append(ms, m)
			continue
		}
		if len(ms) > 0 && len(fs) >= 2 && (fs[0] == "Rss:" || fs[0] == "Anonymous:") {
			n, _ := strconv.ParseUint(fs[1], 10, 64)
			if fs[0] == "Rss:" {
				ms[len(ms)-1].rss = n
			} else {
				ms[len(ms)-1].anon = n
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestStartupPopulate checks what the package's initialisation did in this
// test binary: it found the binary's code and data segments (the kernel's
// own mappings of the executable agree), and, where the kernel has the
// call, the code is resident and the data's file part privately copied.
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
	var wantRead, wantWrite int
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			wantRead++
		}
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_W != 0 && p.Filesz > 0 {
			wantWrite++
		}
	}
	if len(Result.Ranges) != wantRead+wantWrite || len(Result.Errnos) != len(Result.Ranges) {
		t.Fatalf("ranges %v, errnos %v; want %d code and %d data segments", Result.Ranges, Result.Errnos, wantRead, wantWrite)
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
		perms := "r-xp"
		if r.Write {
			perms = "rw-p"
		}
		if m.perms != perms || m.start != r.Start || r.End > m.end {
			t.Fatalf("range %v against mapping %x-%x %s %s", r, m.start, m.end, m.perms, m.path)
		}
		switch e := syscall.Errno(Result.Errnos[i]); e {
		case 0:
		case syscall.EINVAL:
			t.Skipf("kernel refused MADV_POPULATE (before Linux 5.14?): %v", e)
		default:
			t.Fatalf("madvise of %v: %v", r, e)
		}
		// The code segment is one mapping and all resident; of the data
		// segment, the file part is copied (the bss in the same mapping
		// is counted too, so only a lower bound holds).
		size := uint64(r.End-r.Start) >> 10
		if !r.Write && m.rss < size {
			t.Errorf("code segment %v: %d KiB resident of %d", r, m.rss, size)
		}
		if r.Write && m.anon < size {
			t.Errorf("data segment %v: %d KiB copied of %d", r, m.anon, size)
		}
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
	buf := headers(phdr{typ: ptPhdr, flags: pfR, vaddr: 0x1000},
		phdr{typ: ptLoad, flags: pfR | pfX, vaddr: 0x2000, filesz: 1 << 16},
		phdr{typ: ptLoad, flags: pfR | pfW, vaddr: 0x2000, filesz: 1 << 16})
	at := uintptr(unsafe.Pointer(&buf[0]))
	// Make the loads land on the unmapped range: vaddr 0x2000 + bias == addr.
	binary.LittleEndian.PutUint64(buf[phdrSize:][16:], 0x2000)
	bias := addr - 0x2000
	binary.LittleEndian.PutUint64(buf[16:], uint64(at-bias))
	populate([]uintptr{atPhdr, at, atPhnum, 3, atPagesz, uintptr(os.Getpagesize()), 0, 0})
	runtime.KeepAlive(buf)
	if len(Result.Ranges) != 2 || Result.Ranges[0].Start != addr || len(Result.Errnos) != 2 {
		t.Fatalf("ranges %v, want two at %x", Result.Ranges, addr)
	}
	for i, e := range Result.Errnos {
		if e != uintptr(syscall.ENOMEM) && e != uintptr(syscall.EINVAL) {
			t.Errorf("range %d: errno %v, want ENOMEM (or EINVAL before Linux 5.14)", i, syscall.Errno(e))
		}
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
