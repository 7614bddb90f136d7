package hooks

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stdInterp is what debug/elf says of an ELF image: the first PT_INTERP of
// at most 4 KiB, as the reader it replaced did; ok is false when debug/elf
// rejects the image.
func stdInterp(data []byte) (interp string, ok bool) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return "", false
	}
	for _, prog := range f.Progs {
		if prog.Type != elf.PT_INTERP || prog.Filesz > maxInterpSize {
			continue
		}
		b := make([]byte, prog.Filesz)
		if _, err := prog.ReadAt(b, 0); err != nil {
			return "", false
		}
		return string(bytes.TrimRight(b, "\x00")), true
	}
	return "", true
}

// TestReadELFInterpMatchesDebugELF reads the host's own programs and
// libraries and compares the interpreter found with debug/elf's.
func TestReadELFInterpMatchesDebugELF(t *testing.T) {
	var files []string
	for _, dir := range []string{"/bin", "/usr/bin", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*"))
		files = append(files, m...)
	}
	seen, withInterp := 0, 0
	for _, p := range files {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > 64<<20 {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(data, []byte(elfMagic)) {
			continue
		}
		want, ok := stdInterp(data)
		if !ok {
			continue
		}
		got, err := readELFInterp(bytes.NewReader(data))
		if err != nil || got != want {
			t.Errorf("%s: readELFInterp = %q, %v; debug/elf says %q", p, got, err, want)
		}
		if got != "" {
			withInterp++
		}
		if seen++; seen == 400 {
			break
		}
	}
	if seen == 0 || withInterp == 0 {
		t.Skipf("no ELF programs with an interpreter on this host (%d ELF files)", seen)
	}
}

// elfImage builds a minimal ELF image of class class (1: 32-bit, 2:
// 64-bit) in byte order bo with one PT_LOAD and, unless interp is "",
// one PT_INTERP holding interp and a NUL.
func elfImage(class byte, bo binary.ByteOrder, interp string) []byte {
	hdr, ent := 52, 32
	if class == elfClass64 {
		hdr, ent = 64, 56
	}
	progs := []uint32{1}
	if interp != "" {
		progs = append(progs, elfPTInterp)
	}
	data := make([]byte, hdr+ent*len(progs))
	copy(data, elfMagic)
	data[4], data[6] = class, 1
	data[5] = elfData2LSB
	if bo == binary.BigEndian {
		data[5] = elfData2MSB
	}
	bo.PutUint16(data[16:], 2)  // ET_EXEC
	bo.PutUint16(data[18:], 62) // EM_X86_64
	bo.PutUint32(data[20:], 1)  // EV_CURRENT
	strOff := uint64(len(data))
	if class == elfClass64 {
		bo.PutUint64(data[32:], uint64(hdr))
		bo.PutUint16(data[52:], uint16(hdr))
		bo.PutUint16(data[54:], uint16(ent))
		bo.PutUint16(data[56:], uint16(len(progs)))
	} else {
		bo.PutUint32(data[28:], uint32(hdr))
		bo.PutUint16(data[40:], uint16(hdr))
		bo.PutUint16(data[42:], uint16(ent))
		bo.PutUint16(data[44:], uint16(len(progs)))
	}
	for i, typ := range progs {
		ph := data[hdr+i*ent:]
		bo.PutUint32(ph, typ)
		if typ != elfPTInterp {
			continue
		}
		size := uint64(len(interp) + 1)
		if class == elfClass64 {
			bo.PutUint64(ph[8:], strOff)
			bo.PutUint64(ph[32:], size)
		} else {
			bo.PutUint32(ph[4:], uint32(strOff))
			bo.PutUint32(ph[16:], uint32(size))
		}
	}
	return append(append(data, interp...), 0)
}

func TestReadELFInterp(t *testing.T) {
	const ld = "/lib/ld-linux.so.2"
	for _, c := range []struct {
		name   string
		data   []byte
		want   string
		errHas string
	}{
		{"64-bit little-endian", elfImage(elfClass64, binary.LittleEndian, ld), ld, ""},
		{"64-bit big-endian", elfImage(elfClass64, binary.BigEndian, ld), ld, ""},
		{"32-bit little-endian", elfImage(elfClass32, binary.LittleEndian, ld), ld, ""},
		{"32-bit big-endian", elfImage(elfClass32, binary.BigEndian, ld), ld, ""},
		{"static", elfImage(elfClass64, binary.LittleEndian, ""), "", ""},
		{"interpreter over 4 KiB", elfImage(elfClass64, binary.LittleEndian, strings.Repeat("x", 5000)), "", ""},
		{"not ELF", []byte("#!/bin/sh\necho hi\n"), "", "bad magic"},
		{"cut in the header", elfImage(elfClass64, binary.LittleEndian, ld)[:40], "", "elf header"},
		{"cut in the program headers", elfImage(elfClass64, binary.LittleEndian, ld)[:64+60], "", "program header 1"},
		{"interpreter beyond the end", elfImage(elfClass32, binary.LittleEndian, ld)[:52+64], "", "elf interpreter"},
		{"unknown class", append([]byte(elfMagic+"\x03\x01"), make([]byte, 60)...), "", "unknown class"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readELFInterp(bytes.NewReader(c.data))
			if got != c.want || (err == nil) != (c.errHas == "") || err != nil && !strings.Contains(err.Error(), c.errHas) {
				t.Fatalf("readELFInterp = %q, %v; want %q and an error with %q", got, err, c.want, c.errHas)
			}
			if want, ok := stdInterp(c.data); ok && c.errHas == "" && want != got {
				t.Errorf("debug/elf says %q", want)
			}
		})
	}
}

// FuzzReadELFInterp checks that the reader never panics and, wherever
// debug/elf reads the image and the reader does too, that both find the
// same interpreter.
func FuzzReadELFInterp(f *testing.F) {
	f.Add(elfImage(elfClass64, binary.LittleEndian, "/lib64/ld-linux-x86-64.so.2"))
	f.Add(elfImage(elfClass32, binary.BigEndian, "/lib/ld.so.1"))
	f.Add(elfImage(elfClass64, binary.LittleEndian, ""))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readELFInterp(bytes.NewReader(data))
		if err != nil {
			return
		}
		if want, ok := stdInterp(data); ok && want != got {
			t.Errorf("readELFInterp = %q, debug/elf says %q", got, want)
		}
	})
}
