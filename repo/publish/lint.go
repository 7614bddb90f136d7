package publish

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"aim/deb"
)

// LintSeverity says how much a lint finding matters.
type LintSeverity string

// Severities of lint findings. Warnings are refused by a strict add;
// notes never are.
const (
	LintWarning LintSeverity = "warning"
	LintNote    LintSeverity = "note"
)

// LintFinding is one thing the package linter noticed.
type LintFinding struct {
	Severity LintSeverity `json:"severity"`
	// Path is the file of the package concerned, if any.
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func (f LintFinding) String() string {
	if f.Path != "" {
		return fmt.Sprintf("%s: %s: %s", f.Severity, f.Path, f.Message)
	}
	return fmt.Sprintf("%s: %s", f.Severity, f.Message)
}

// elfHeaderSize is how much of a file ELFArchitectures needs.
const elfHeaderSize = 40

// ELF e_machine values (elf.h) and the Debian architectures they map to,
// by class (32 or 64 bits) and byte order.
type elfKey struct {
	machine uint16
	class   byte // 1: 32-bit, 2: 64-bit
	little  bool
}

var elfArches = map[elfKey][]string{
	{62, 2, true}: {"amd64"}, {62, 1, true}: {"x32"},
	{3, 1, true}:      {"i386", "hurd-i386", "kfreebsd-i386"},
	{183, 2, true}:    {"arm64"},
	{183, 2, false}:   {"arm64be"},
	{40, 1, true}:     {"armhf", "armel", "arm"},
	{21, 2, true}:     {"ppc64el"},
	{21, 2, false}:    {"ppc64"},
	{20, 1, false}:    {"powerpc"},
	{22, 2, false}:    {"s390x"},
	{22, 1, false}:    {"s390"},
	{243, 2, true}:    {"riscv64"},
	{8, 1, true}:      {"mipsel"},
	{8, 1, false}:     {"mips"},
	{8, 2, true}:      {"mips64el"},
	{8, 2, false}:     {"mips64"},
	{258, 2, true}:    {"loong64"},
	{43, 2, false}:    {"sparc64"},
	{0x9026, 2, true}: {"alpha"},
	{50, 2, true}:     {"ia64"},
	{4, 1, false}:     {"m68k"},
	{42, 1, true}:     {"sh4"},
	{15, 1, false}:    {"hppa"},
}

// ELFArchitectures reads the start of a file (at least 40 bytes for
// 32-bit ARM, 20 otherwise) and, when it is an ELF object, returns the
// Debian architectures it can belong to and a description such as
// "ELF 64-bit LSB machine 62". ok is false for anything that is not ELF;
// an ELF of a machine Debian has no architecture for gives no
// architectures. It never panics on short or odd input.
func ELFArchitectures(h []byte) (arches []string, desc string, ok bool) {
	if len(h) < 20 || string(h[:4]) != "\x7fELF" {
		return nil, "", false
	}
	class, data := h[4], h[5]
	if class != 1 && class != 2 || data != 1 && data != 2 {
		return nil, "", false
	}
	var order binary.ByteOrder = binary.LittleEndian
	if data == 2 {
		order = binary.BigEndian
	}
	machine := order.Uint16(h[18:20])
	bits, endian := map[byte]string{1: "32", 2: "64"}[class], map[byte]string{1: "LSB", 2: "MSB"}[data]
	desc = fmt.Sprintf("ELF %s-bit %s machine %d", bits, endian, machine)
	arches = elfArches[elfKey{machine, class, data == 1}]
	if machine == 40 && len(h) >= 40 {
		switch flags := order.Uint32(h[36:40]); {
		case flags&0x400 != 0: // EF_ARM_ABI_FLOAT_HARD
			arches = []string{"armhf"}
		case flags&0x200 != 0: // EF_ARM_ABI_FLOAT_SOFT
			arches = []string{"armel", "arm"}
		}
	}
	return arches, desc, true
}

// archLinter collects what the files of a package say about its
// architecture.
type archLinter struct {
	arch string
	// elfs maps each ELF description to the first path found with it.
	elfs   map[string]string
	arches map[string][]string
}

// lintSkipped are trees whose ELF files need not match the package's
// architecture (firmware runs on other processors).
var lintSkipped = []string{"lib/firmware/", "usr/lib/firmware/"}

func (l *archLinter) file(path string, header []byte) {
	for _, s := range lintSkipped {
		if strings.HasPrefix(path, s) {
			return
		}
	}
	arches, desc, ok := ELFArchitectures(header)
	if !ok {
		return
	}
	if _, seen := l.elfs[desc]; !seen {
		l.elfs[desc], l.arches[desc] = path, arches
	}
}

func (l *archLinter) findings() []LintFinding {
	var out []LintFinding
	descs := make([]string, 0, len(l.elfs))
	for d := range l.elfs {
		descs = append(descs, d)
	}
	sort.Strings(descs)
	switch {
	case l.arch == "all" && len(descs) > 0:
		for _, d := range descs {
			out = append(out, LintFinding{LintWarning, l.elfs[d],
				fmt.Sprintf("architecture all, but this is an %s (%s)", d, archWords(l.arches[d]))})
		}
	case l.arch != "all" && len(descs) == 0:
		out = append(out, LintFinding{Severity: LintNote,
			Message: fmt.Sprintf("architecture %s, but no ELF files inside: could it be all?", l.arch)})
	default:
		for _, d := range descs {
			if !slices.Contains(l.arches[d], l.arch) {
				out = append(out, LintFinding{LintWarning, l.elfs[d],
					fmt.Sprintf("architecture %s, but this is an %s (%s)", l.arch, d, archWords(l.arches[d]))})
			}
		}
	}
	return out
}

func archWords(arches []string) string {
	if len(arches) == 0 {
		return "no Debian architecture"
	}
	return strings.Join(arches, " or ")
}

// Lint reads the data archive of a package whose control part ar
// has read and checks that its architecture agrees with the ELF files
// inside: an architecture-specific package whose ELF files are all of
// that architecture, or an architecture all package without ELF files. A
// package of a concrete architecture without any ELF file gets a note
// (it could be all). It returns an error only for a broken archive or
// control data without an Architecture.
func Lint(ar *deb.ArchiveReader) ([]LintFinding, error) {
	arch := deb.IdentityOf(ar.Control().Control).Architecture
	if arch == "" {
		return nil, errors.New("control data has no Architecture")
	}
	var out []LintFinding
	if err := deb.CheckArchName(arch); err != nil || arch == "any" {
		out = append(out, LintFinding{Severity: LintWarning, Message: fmt.Sprintf("architecture %q is not a concrete architecture", arch)})
	}
	l := &archLinter{arch: arch, elfs: map[string]string{}, arches: map[string][]string{}}
	dr, err := ar.Data()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, elfHeaderSize)
	for {
		h, err := dr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !h.FileInfo().Mode().IsRegular() || h.Size < 20 {
			continue
		}
		n, err := io.ReadFull(dr, buf)
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, err
		}
		l.file(dr.Name(), buf[:n])
	}
	return append(out, l.findings()...), nil
}
