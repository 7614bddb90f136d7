package hooks

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The ELF constants elfInterpreter needs. debug/elf has them, but linking
// it costs every aim command its package initialisation (with debug/dwarf
// and a zstd decoder) for this one lookup (issue 18).
const (
	elfMagic      = "\x7fELF"
	elfClass32    = 1
	elfClass64    = 2
	elfData2LSB   = 1
	elfData2MSB   = 2
	elfPTInterp   = 3
	maxInterpSize = 4096
	// maxProgs bounds the program headers read, as a sanity limit on
	// e_phnum (real binaries have about a dozen).
	maxProgs = 1024
)

// elfInterpreter returns the PT_INTERP path of the ELF file p, or "" when
// p cannot be read, is not an ELF file, or has no interpreter.
func elfInterpreter(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	interp, _ := readELFInterp(f)
	return interp
}

// readELFInterp returns the path in the first PT_INTERP program header of
// the ELF image r (32- or 64-bit, either byte order), without its
// trailing NULs; "" and no error when it has none. Malformed input gives
// an error, never a panic; an interpreter larger than 4 KiB counts as
// none.
func readELFInterp(r io.ReaderAt) (string, error) {
	var ident [16]byte
	if _, err := r.ReadAt(ident[:], 0); err != nil {
		return "", fmt.Errorf("elf header: %w", err)
	}
	if string(ident[:4]) != elfMagic {
		return "", errors.New("elf header: bad magic")
	}
	var bo binary.ByteOrder
	switch ident[5] {
	case elfData2LSB:
		bo = binary.LittleEndian
	case elfData2MSB:
		bo = binary.BigEndian
	default:
		return "", fmt.Errorf("elf header: unknown data encoding %d", ident[5])
	}
	var phoff uint64
	var phentsize, phnum, minEnt int
	switch ident[4] {
	case elfClass64:
		var h [64]byte
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return "", fmt.Errorf("elf header: %w", err)
		}
		phoff, phentsize, phnum, minEnt = bo.Uint64(h[32:]), int(bo.Uint16(h[54:])), int(bo.Uint16(h[56:])), 56
	case elfClass32:
		var h [52]byte
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return "", fmt.Errorf("elf header: %w", err)
		}
		phoff, phentsize, phnum, minEnt = uint64(bo.Uint32(h[28:])), int(bo.Uint16(h[42:])), int(bo.Uint16(h[44:])), 32
	default:
		return "", fmt.Errorf("elf header: unknown class %d", ident[4])
	}
	if phnum == 0 {
		return "", nil
	}
	if phentsize < minEnt || phnum > maxProgs || phoff > 1<<62 {
		return "", fmt.Errorf("elf header: bad program headers (%d of %d bytes at %d)", phnum, phentsize, phoff)
	}
	ph := make([]byte, phentsize)
	for i := 0; i < phnum; i++ {
		if _, err := r.ReadAt(ph, int64(phoff)+int64(i*phentsize)); err != nil {
			return "", fmt.Errorf("elf program header %d: %w", i, err)
		}
		if bo.Uint32(ph) != elfPTInterp {
			continue
		}
		var off, size uint64
		if ident[4] == elfClass64 {
			off, size = bo.Uint64(ph[8:]), bo.Uint64(ph[32:])
		} else {
			off, size = uint64(bo.Uint32(ph[4:])), uint64(bo.Uint32(ph[16:]))
		}
		if size > maxInterpSize || off > 1<<62 {
			continue
		}
		b := make([]byte, size)
		if _, err := r.ReadAt(b, int64(off)); err != nil {
			return "", fmt.Errorf("elf interpreter: %w", err)
		}
		return string(bytes.TrimRight(b, "\x00")), nil
	}
	return "", nil
}
