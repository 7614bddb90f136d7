package deb

import (
	"encoding/binary"
	"hash/crc32"
)

// The Go xz decoder allocates the dictionary a block's header asks for,
// 8 MiB for dpkg-deb's default preset, and Go zeroes it: for the small
// members of a package (control.tar.xz, a data.tar.xz of a few KiB),
// clearing that memory was most of the decoding time (46% of the CPU of
// decoding the 40 small members of 29 real packages). A block never
// refers further back than its own uncompressed size, so a dictionary
// of that size decodes it the same. shrinkXzDict rewrites the
// dictionary size of each block's LZMA2 filter to that bound, taken
// from the stream's index.
//
// A stream whose index lies about a block's size is not made to decode
// differently: a match reaching past the smaller dictionary is an error
// of the decoder, and the decoder also checks every block against the
// index and its check value.

// xzMagic starts an xz stream; xzFooterMagic ends its footer.
var (
	xzMagic       = []byte{0xFD, '7', 'z', 'X', 'Z', 0x00}
	xzFooterMagic = []byte{'Y', 'Z'}
)

const (
	xzHeaderSize = 12   // stream header and stream footer
	xzLZMA2      = 0x21 // the LZMA2 filter's ID
	xzMinDict    = 4096 // the smallest dictionary LZMA2 encodes
)

// shrinkXzDict rewrites, in b, the LZMA2 dictionary size of every block
// of the single xz stream b holds to the smallest one covering the
// block's uncompressed size, when that is smaller, fixing each header's
// CRC32. It reports whether it changed b. It changes nothing when b is
// not exactly one well-formed stream (no stream padding, an index that
// accounts for every byte): the decoder then sees b as it was.
func shrinkXzDict(b []byte) bool {
	blocks, ok := xzBlocks(b)
	if !ok {
		return false
	}
	changed := false
	for _, blk := range blocks {
		if shrinkBlock(b[blk.start:], blk.size) {
			changed = true
		}
	}
	return changed
}

// xzBlock is a block's offset in its stream and uncompressed size.
type xzBlock struct {
	start int
	size  uint64
}

// xzBlocks reads the stream's index and returns where each block starts
// and how much it decodes to.
func xzBlocks(b []byte) ([]xzBlock, bool) {
	if len(b) < 2*xzHeaderSize || string(b[:6]) != string(xzMagic) {
		return nil, false
	}
	foot := b[len(b)-xzHeaderSize:]
	if string(foot[10:]) != string(xzFooterMagic) ||
		crc32.ChecksumIEEE(foot[4:10]) != binary.LittleEndian.Uint32(foot[:4]) {
		return nil, false
	}
	indexSize := (int(binary.LittleEndian.Uint32(foot[4:8])) + 1) * 4
	indexStart := len(b) - xzHeaderSize - indexSize
	if indexSize <= 0 || indexStart < xzHeaderSize {
		return nil, false
	}
	idx := b[indexStart : len(b)-xzHeaderSize]
	if idx[0] != 0 {
		return nil, false
	}
	p := 1
	n, ok := readVLI(idx, &p)
	if !ok || n > uint64(len(idx)) {
		return nil, false
	}
	blocks := make([]xzBlock, 0, n)
	at := xzHeaderSize
	for range n {
		unpadded, ok1 := readVLI(idx, &p)
		size, ok2 := readVLI(idx, &p)
		if !ok1 || !ok2 || unpadded == 0 || unpadded > uint64(indexStart) {
			return nil, false
		}
		blocks = append(blocks, xzBlock{start: at, size: size})
		at += int((unpadded + 3) &^ 3)
		if at > indexStart {
			return nil, false
		}
	}
	return blocks, at == indexStart
}

// readVLI reads one of xz's variable-length integers at b[*p].
func readVLI(b []byte, p *int) (uint64, bool) {
	var v uint64
	for i := 0; i < 9; i++ {
		if *p >= len(b) {
			return 0, false
		}
		c := b[*p]
		*p++
		v |= uint64(c&0x7F) << (7 * i)
		if c&0x80 == 0 {
			return v, i == 0 || c != 0
		}
	}
	return 0, false
}

// shrinkBlock rewrites the LZMA2 dictionary size in the block header at
// the start of b for a block decoding to size bytes.
func shrinkBlock(b []byte, size uint64) bool {
	if len(b) == 0 || b[0] == 0 {
		return false
	}
	hsize := (int(b[0]) + 1) * 4
	if hsize > len(b) || hsize < 8 {
		return false
	}
	h := b[:hsize]
	if crc32.ChecksumIEEE(h[:hsize-4]) != binary.LittleEndian.Uint32(h[hsize-4:]) {
		return false
	}
	flags := h[1]
	if flags&0x3C != 0 {
		return false
	}
	p := 2
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} {
		if present {
			if _, ok := readVLI(h[:hsize-4], &p); !ok {
				return false
			}
		}
	}
	for f := 0; f <= int(flags&3); f++ {
		id, ok1 := readVLI(h[:hsize-4], &p)
		n, ok2 := readVLI(h[:hsize-4], &p)
		if !ok1 || !ok2 || n > uint64(hsize-4-p) {
			return false
		}
		if id == xzLZMA2 && n == 1 && f == int(flags&3) {
			return setDictCode(h, p, size)
		}
		p += int(n)
	}
	return false
}

// setDictCode lowers the dictionary code at h[p] to the smallest that
// holds size bytes, and rewrites the header's CRC32.
func setDictCode(h []byte, p int, size uint64) bool {
	old := h[p]
	if old > 40 {
		return false
	}
	code := byte(0)
	for code < old && lzma2DictSize(code) < max(size, xzMinDict) {
		code++
	}
	if code >= old {
		return false
	}
	h[p] = code
	binary.LittleEndian.PutUint32(h[len(h)-4:], crc32.ChecksumIEEE(h[:len(h)-4]))
	return true
}

// lzma2DictSize is the dictionary size LZMA2's property byte code
// (0 to 39) stands for.
func lzma2DictSize(code byte) uint64 {
	return uint64(2|code&1) << (code/2 + 11)
}
