package deb

import (
	"archive/tar"
	"fmt"
	"io"
	"strconv"
)

// Build writes tar headers itself rather than with archive/tar, whose GNU
// headers differ from GNU tar's in small ways (device number fields filled
// for every entry, @LongLink headers without mode or owner). With this
// writer an uncompressed data.tar is byte for byte what dpkg-deb (through
// GNU tar) writes for the same tree.

const (
	tarBlock     = 512
	tarNameField = 100
	longLinkName = "././@LongLink"
)

// gnuTarWriter writes a tar stream in GNU format.
type gnuTarWriter struct {
	w      io.Writer
	n      int64 // bytes written
	remain int64 // bytes of the current entry still to write
	pad    int64
}

// writeHeader writes h, preceded by @LongLink entries for a name or link
// target longer than 100 bytes. Only Name, Linkname, Typeflag, Mode, Uid,
// Gid, Uname, Gname, Size, ModTime, Devmajor and Devminor are used.
func (g *gnuTarWriter) writeHeader(h *tar.Header) error {
	if g.remain != 0 {
		return fmt.Errorf("tar: previous entry %d bytes short", g.remain)
	}
	if len(h.Linkname) > tarNameField {
		if err := g.writeLong('K', h.Linkname); err != nil {
			return err
		}
	}
	if len(h.Name) > tarNameField {
		if err := g.writeLong('L', h.Name); err != nil {
			return err
		}
	}
	blk, err := gnuHeaderBlock(h)
	if err != nil {
		return err
	}
	if err := g.write(blk); err != nil {
		return err
	}
	g.remain, g.pad = h.Size, (tarBlock-h.Size%tarBlock)%tarBlock
	return nil
}

// writeLong writes a GNU long name ('L') or long link ('K') entry.
func (g *gnuTarWriter) writeLong(flag byte, name string) error {
	h := &tar.Header{Name: longLinkName, Typeflag: flag, Mode: 0644, Uname: "root", Gname: "root", Size: int64(len(name)) + 1}
	blk, err := gnuHeaderBlock(h)
	if err != nil {
		return err
	}
	data := make([]byte, (h.Size+tarBlock-1)/tarBlock*tarBlock)
	copy(data, name)
	if err := g.write(blk); err != nil {
		return err
	}
	return g.write(data)
}

// Write writes contents of the current entry.
func (g *gnuTarWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > g.remain {
		return 0, fmt.Errorf("tar: entry data longer than its size")
	}
	n, err := g.w.Write(p)
	g.n += int64(n)
	g.remain -= int64(n)
	if err == nil && g.remain == 0 && g.pad > 0 {
		err = g.write(make([]byte, g.pad))
		g.pad = 0
	}
	return n, err
}

func (g *gnuTarWriter) write(b []byte) error {
	n, err := g.w.Write(b)
	g.n += int64(n)
	return err
}

// close writes the two zero blocks that end the archive and pads it to
// a whole record, as GNU tar does.
func (g *gnuTarWriter) close() error {
	if g.remain != 0 {
		return fmt.Errorf("tar: last entry %d bytes short", g.remain)
	}
	end := 2 * tarBlock
	end += int((tarRecordSize - (g.n+int64(end))%tarRecordSize) % tarRecordSize)
	return g.write(make([]byte, end))
}

// gnuHeaderBlock encodes the 512-byte header block of h.
func gnuHeaderBlock(h *tar.Header) ([]byte, error) {
	b := make([]byte, tarBlock)
	copy(b[0:100], h.Name)
	fields := []struct {
		off, size int
		v         int64
	}{{100, 8, h.Mode}, {108, 8, int64(h.Uid)}, {116, 8, int64(h.Gid)}, {124, 12, h.Size}, {136, 12, max(h.ModTime.Unix(), 0)}}
	if h.ModTime.IsZero() {
		fields[4].v = 0
	}
	for _, f := range fields {
		if err := putNumeric(b[f.off:f.off+f.size], f.v); err != nil {
			return nil, fmt.Errorf("tar header %s: %w", h.Name, err)
		}
	}
	b[156] = h.Typeflag
	copy(b[157:257], h.Linkname)
	copy(b[257:265], "ustar  \x00")
	copy(b[265:297], h.Uname)
	copy(b[297:329], h.Gname)
	if h.Typeflag == tar.TypeChar || h.Typeflag == tar.TypeBlock {
		putNumeric(b[329:337], h.Devmajor)
		putNumeric(b[337:345], h.Devminor)
	}
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b {
		sum += int64(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b, nil
}

// putNumeric writes v as zero-padded octal ending in NUL, or in GNU's
// base-256 form when it does not fit.
func putNumeric(field []byte, v int64) error {
	if v < 0 {
		return fmt.Errorf("negative number %d", v)
	}
	s := strconv.FormatInt(v, 8)
	if len(s) < len(field) {
		for i := range field[:len(field)-1-len(s)] {
			field[i] = '0'
		}
		copy(field[len(field)-1-len(s):], s)
		field[len(field)-1] = 0
		return nil
	}
	for i := len(field) - 1; i > 0; i-- {
		field[i] = byte(v)
		v >>= 8
	}
	if v != 0 {
		return fmt.Errorf("number too large for a %d-byte field", len(field))
	}
	field[0] = 0x80
	return nil
}
