package repo

import (
	"bytes"
	"fmt"
	"hash/maphash"

	"aim/deb"
)

// arena holds many short byte strings back to back in chunks that never
// move, so that growing it copies nothing and the garbage collector sees
// a few large objects without pointers. A position is the chunk's index
// shifted left by arenaShift, plus the offset in the chunk.
type arena struct {
	chunks [][]byte
}

const (
	arenaShift = 18
	arenaChunk = 1 << arenaShift
	// arenaChunks bounds the chunk index that fits in a position.
	arenaChunks = 1 << (32 - arenaShift)
)

// grow makes room for at least n more bytes in the last chunk and returns
// the position where they start. An entry larger than a quarter of a
// chunk gets a chunk of its own.
func (a *arena) grow(n int) (uint32, error) {
	last := len(a.chunks) - 1
	if last < 0 || cap(a.chunks[last])-len(a.chunks[last]) < n {
		if len(a.chunks) >= arenaChunks {
			return 0, fmt.Errorf("more package data than a cache holds")
		}
		a.chunks = append(a.chunks, make([]byte, 0, max(n, arenaChunk)))
		last++
	}
	return uint32(last)<<arenaShift | uint32(len(a.chunks[last])), nil
}

// appendString appends s to the last chunk, where grow made room.
func (a *arena) appendString(s string) {
	last := len(a.chunks) - 1
	a.chunks[last] = append(a.chunks[last], s...)
}

// truncate drops everything from pos on, which must be in the last chunk.
func (a *arena) truncate(pos uint32) {
	last := len(a.chunks) - 1
	a.chunks[last] = a.chunks[last][:pos&(arenaChunk-1)]
}

// get returns the n bytes at pos.
func (a *arena) get(pos, n uint32) []byte {
	c := a.chunks[pos>>arenaShift]
	off := pos & (arenaChunk - 1)
	return c[off : off+n]
}

// dedupTable finds the records of an identity: an open addressing table
// of indexes into the builder's records (plus one; 0 is empty), at most
// two thirds full. It holds no keys of its own; they are the records'
// arena entries.
type dedupTable struct {
	slots []int32
	n     int
	seed  maphash.Seed
}

func newDedupTable() dedupTable {
	return dedupTable{seed: maphash.MakeSeed()}
}

// entry returns the arena bytes of the record p: its name, version and
// architecture back to back.
func (b *CacheBuilder) entry(p *buildPkg) []byte { return b.ids.get(p.id, p.idLen()) }

// lookup returns the index of the record already added with the same
// name, version and architecture as p (whose entry is in the arena) and
// the SHA256 sha. The SHA256 of a record is not kept in memory: it is
// read back from the record's paragraph, which happens only when two
// sources list the same package.
func (b *CacheBuilder) lookup(p *buildPkg, sha string) (int32, bool, error) {
	t := &b.dedup
	if len(t.slots) == 0 {
		return 0, false, nil
	}
	key := b.entry(p)
	mask := uint64(len(t.slots) - 1)
	for h := maphash.Bytes(t.seed, key) & mask; ; h = (h + 1) & mask {
		s := t.slots[h]
		if s == 0 {
			return 0, false, nil
		}
		q := &b.pkgs[s-1]
		if q.rec[rName+1] != p.rec[rName+1] || q.rec[rVersion+1] != p.rec[rVersion+1] ||
			q.rec[rArch+1] != p.rec[rArch+1] || !bytes.Equal(b.entry(q), key) {
			continue
		}
		text, err := b.blobBytes(q.rec[rPara], q.rec[rPara+1])
		if err != nil {
			return 0, false, err
		}
		para, err := deb.ParseParagraph(text)
		if err != nil {
			return 0, false, fmt.Errorf("read back %s: %w", key, err)
		}
		if para.Get("SHA256") == sha {
			return s - 1, true, nil
		}
	}
}

// blobBytes returns n bytes of the blob at off: from the buffer, or
// what has been written out, read back from the spool.
func (b *CacheBuilder) blobBytes(off, n uint32) ([]byte, error) {
	written := b.blobLen - len(b.blob)
	end := int(off) + int(n)
	if int(off) >= written {
		return b.blob[int(off)-written : end-written], nil
	}
	if b.err != nil {
		return nil, fmt.Errorf("write cache: %w", b.err)
	}
	buf := make([]byte, n)
	from := min(end, written) - int(off)
	if _, err := b.spool.ReadAt(buf[:from], int64(headerSize)+int64(off)); err != nil {
		return nil, fmt.Errorf("read back cache: %w", err)
	}
	copy(buf[from:], b.blob)
	return buf, nil
}

// insert enters pkgs[at], growing the table to stay at most two thirds full.
func (b *CacheBuilder) insert(at int32) {
	t := &b.dedup
	if 3*(t.n+1) > 2*len(t.slots) {
		b.rehash(t.n + 1)
	}
	b.place(at)
	t.n++
}

// place puts pkgs[at] in the first free slot of its probe sequence.
func (b *CacheBuilder) place(at int32) {
	t := &b.dedup
	mask := uint64(len(t.slots) - 1)
	h := maphash.Bytes(t.seed, b.entry(&b.pkgs[at])) & mask
	for t.slots[h] != 0 {
		h = (h + 1) & mask
	}
	t.slots[h] = at + 1
}

// rehash makes the table big enough for n records, at most two thirds
// full, and enters again the records it holds.
func (b *CacheBuilder) rehash(n int) {
	size := 1024
	for 2*size < 3*n {
		size *= 2
	}
	t := &b.dedup
	if size <= len(t.slots) {
		return
	}
	old := t.slots
	t.slots = make([]int32, size)
	for _, s := range old {
		if s != 0 {
			b.place(s - 1)
		}
	}
}
