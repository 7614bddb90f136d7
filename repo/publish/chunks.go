package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/ulikunitz/xz"

	"aim/deb"
)

// Packages.gz and Packages.xz are written in pieces, one per chunk of
// paragraphs: concatenated gzip members (which zlib, gzip, apt and aim
// read as one file), and one xz stream of many blocks (apt reads only
// the first of concatenated xz streams; see joinXZ). Chunk
// boundaries depend only on the packages next to them, so adding one
// package changes one chunk and a re-publish compresses that chunk only;
// the others come from a cache below the state directory. Chunks also
// let a full publish compress on every core.

// chunkCacheDir holds compressed chunks by the SHA256 of their text.
const chunkCacheDir = "chunks"

// chunkMask sets the mean chunk length (64 paragraphs); maxChunk bounds it.
const (
	chunkMask = 63
	maxChunk  = 256
)

// chunkParagraphs splits an index's paragraphs where the hash of a
// package's name, version and architecture says so.
func chunkParagraphs(paras []*deb.Paragraph) [][]*deb.Paragraph {
	var out [][]*deb.Paragraph
	start := 0
	for i, p := range paras {
		id := deb.IdentityOf(p)
		h := fnv.New32a()
		h.Write([]byte(id.Package + "\x00" + id.Version + "\x00" + id.Architecture))
		if h.Sum32()&chunkMask == 0 || i+1-start >= maxChunk {
			out = append(out, paras[start:i+1])
			start = i + 1
		}
	}
	if start < len(paras) {
		out = append(out, paras[start:])
	}
	return out
}

// chunkTexts returns the text of each chunk of paras (see
// chunkParagraphs): its paragraphs, each followed by a blank line.
func chunkTexts(paras []*deb.Paragraph) [][]byte {
	var chunks [][]byte
	for _, ch := range chunkParagraphs(paras) {
		var b []byte
		for _, p := range ch {
			b = append(p.AppendText(b), '\n')
		}
		chunks = append(chunks, b)
	}
	return chunks
}

// chunkXzDict returns the xz dictionary size of a chunk of n bytes: the
// smallest power of two that holds it, at least minChunkDict and at most
// maxChunkDict (xz's preset 1). A dictionary larger than the text finds
// no more matches, and the encoder allocates a match-finder table in
// proportion to it and clears it for every chunk: at 1 MiB that was
// most of a full publish's compression time. The size depends on the
// text alone, so the bytes are the same on every machine.
func chunkXzDict(n int) int {
	d := minChunkDict
	for d < n && d < maxChunkDict {
		d <<= 1
	}
	return d
}

const (
	minChunkDict = 64 << 10
	maxChunkDict = 1 << 20
)

// chunkFormat tags the cache names of xz chunks compressed with
// chunkXzDict's dictionary, so that chunks an older aim compressed with
// other settings are not mixed with new ones (they are pruned instead).
const chunkFormat = ".d2"

// chunkCompressor compresses chunks with a cache of earlier results.
type chunkCompressor struct {
	dir  string
	mu   sync.Mutex
	used map[string]bool
}

func newChunkCompressor(r *Repo) *chunkCompressor {
	return &chunkCompressor{dir: filepath.Join(r.Dir, StateDir, chunkCacheDir), used: map[string]bool{}}
}

// compress returns the chunks' texts compressed with every one of
// indexCompressions, each as one concatenated file, by compression.
func (cc *chunkCompressor) compress(chunks [][]byte) (map[deb.Compression][]byte, error) {
	type job struct {
		i int
		c deb.Compression
	}
	parts := map[deb.Compression][][]byte{}
	for _, c := range indexCompressions {
		parts[c] = make([][]byte, len(chunks))
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var firstErr error
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				b, err := cc.one(chunks[j.i], j.c)
				if err != nil {
					errMu.Lock()
					firstErr = err
					errMu.Unlock()
					continue
				}
				parts[j.c][j.i] = b
			}
		}()
	}
	for i := range chunks {
		for _, c := range indexCompressions {
			jobs <- job{i, c}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := map[deb.Compression][]byte{}
	for c, p := range parts {
		if c == deb.Xz && len(p) > 1 {
			joined, err := joinXZ(p)
			if err != nil {
				return nil, err
			}
			out[c] = joined
			continue
		}
		out[c] = bytes.Join(p, nil)
	}
	return out, nil
}

// one compresses one chunk, or takes it from the cache.
func (cc *chunkCompressor) one(text []byte, c deb.Compression) ([]byte, error) {
	sum := sha256.Sum256(text)
	name := hex.EncodeToString(sum[:]) + c.Extension()
	if c == deb.Xz {
		name = hex.EncodeToString(sum[:]) + chunkFormat + c.Extension()
	}
	cc.mu.Lock()
	cc.used[name] = true
	cc.mu.Unlock()
	path := filepath.Join(cc.dir, name)
	if b, err := os.ReadFile(path); err == nil {
		if chunk, ok := checkedChunk(name, b); ok {
			return chunk, nil
		}
	}
	var b bytes.Buffer
	if err := compressChunk(&b, text, c); err != nil {
		return nil, err
	}
	// The cache only saves time: failing to fill it is no error.
	cc.store(name, b.Bytes())
	return b.Bytes(), nil
}

// gzipWriters holds gzip writers at level 9 (gzip's default for
// chunks) for reuse: Reset makes one equivalent to a new writer, so the
// bytes are those of a new one, without its compressor's tables being
// allocated again for every chunk.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return w
}}

// compressChunk writes text compressed with c to w: gzip at level 9,
// xz with chunkXzDict's dictionary.
func compressChunk(w io.Writer, text []byte, c deb.Compression) error {
	var z io.WriteCloser
	switch c {
	case deb.Gzip:
		g := gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(g)
		g.Reset(w)
		z = g
	case deb.Xz:
		x, err := xz.WriterConfig{DictCap: chunkXzDict(len(text))}.NewWriter(w)
		if err != nil {
			return err
		}
		z = x
	default:
		return fmt.Errorf("cannot compress index chunks with %q", c)
	}
	if _, err := z.Write(text); err != nil {
		return err
	}
	return z.Close()
}

// A cached chunk is its compressed bytes followed by the SHA256 of its
// name and them (chunkSum), so that a file a crash left short or holding
// other bytes, even another chunk's, is found out (and compressed
// again) when read. Cache files are therefore renamed into place without
// a sync: a full publish writes dozens, and their two fsyncs each were
// most of its fsyncs.

// chunkSum is the checksum that follows chunk in the cache file name.
func chunkSum(name string, chunk []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(name + "\x00"))
	h.Write(chunk)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// checkedChunk returns the compressed bytes of the cache file name
// holding b, and whether its checksum is right.
func checkedChunk(name string, b []byte) ([]byte, bool) {
	if len(b) < sha256.Size {
		return nil, false
	}
	chunk, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	want := chunkSum(name, chunk)
	return chunk, bytes.Equal(want[:], sum)
}

// store writes chunk and its checksum as the cache file name, not
// synced, through a temporary file renamed into place.
func (cc *chunkCompressor) store(name string, chunk []byte) {
	if os.MkdirAll(cc.dir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(cc.dir, ".aim-tmp-*")
	if err != nil {
		return
	}
	sum := chunkSum(name, chunk)
	_, err = f.Write(chunk)
	if err == nil {
		_, err = f.Write(sum[:])
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(cc.dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// prune deletes cached chunks this publish did not use, when it used
// any (a publish that compressed nothing keeps the cache as it is).
func (cc *chunkCompressor) prune() {
	if len(cc.used) == 0 {
		return
	}
	entries, _ := os.ReadDir(cc.dir)
	for _, e := range entries {
		if !cc.used[e.Name()] && !strings.HasPrefix(e.Name(), ".") {
			os.Remove(filepath.Join(cc.dir, e.Name()))
		}
	}
}

// joinXZ joins xz streams of one block each (as the chunk cache holds
// them) into one stream of many blocks: apt's xz reader stops after the
// first stream of a file, so concatenated streams will not do. It takes
// the stream header of the first, every block as it is, and writes a
// new index and footer (xz file format 1.1.0, sections 2.1.2 and 4).
func joinXZ(streams [][]byte) ([]byte, error) {
	var blocks bytes.Buffer
	var records []byte
	for _, s := range streams {
		block, unpadded, size, err := xzSingleBlock(s)
		if err != nil {
			return nil, err
		}
		blocks.Write(block)
		records = binary.AppendUvarint(records, unpadded)
		records = binary.AppendUvarint(records, size)
	}
	if len(streams) == 0 {
		return nil, errors.New("xz: no streams to join")
	}
	header := streams[0][:12]
	index := append([]byte{0}, binary.AppendUvarint(nil, uint64(len(streams)))...)
	index = append(index, records...)
	for len(index)%4 != 0 {
		index = append(index, 0)
	}
	index = binary.LittleEndian.AppendUint32(index, crc32.ChecksumIEEE(index))
	tail := binary.LittleEndian.AppendUint32(nil, uint32(len(index)/4-1))
	tail = append(tail, header[6:8]...) // stream flags
	footer := binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(tail))
	footer = append(append(footer, tail...), 'Y', 'Z')
	out := append(append([]byte{}, header...), blocks.Bytes()...)
	return append(append(out, index...), footer...), nil
}

// xzSingleBlock returns the one block of an xz stream with the unpadded
// and uncompressed sizes its index records.
func xzSingleBlock(s []byte) (block []byte, unpadded, size uint64, err error) {
	bad := errors.New("xz: not a stream of one block")
	if len(s) < 24 || string(s[len(s)-2:]) != "YZ" {
		return nil, 0, 0, bad
	}
	indexSize := (int(binary.LittleEndian.Uint32(s[len(s)-8:])) + 1) * 4
	start := len(s) - 12 - indexSize
	if start < 12 {
		return nil, 0, 0, bad
	}
	index := s[start : len(s)-12]
	if index[0] != 0 {
		return nil, 0, 0, bad
	}
	rest := index[1:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n != 1 {
		return nil, 0, 0, bad
	}
	rest = rest[k:]
	unpadded, k = binary.Uvarint(rest)
	if k <= 0 {
		return nil, 0, 0, bad
	}
	size, k = binary.Uvarint(rest[k:])
	if k <= 0 {
		return nil, 0, 0, bad
	}
	return s[12:start], unpadded, size, nil
}
