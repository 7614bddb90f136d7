package deb

import (
	stdgzip "compress/gzip"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// A small xz tar member (control.tar nearly always, data.tar of a small
// package) is compressed in this process even with SystemCompressors:
// starting xz in multi-threaded mode cost about 20 ms of CPU a process
// for a few hundred bytes, half of a tiny package's build. Its
// dictionary is no larger than the member (at least 4 KiB), so the Go
// encoder sets up small tables instead of 8 MiB ones; a smaller
// dictionary finds the same matches in input no longer than itself.
// Both choices depend only on the tree, so builds stay reproducible.
// A small gzip member is compressed in this process as well, with the
// standard library's encoder (see smallGzipWriter). Starting the gzip
// program for each of control.tar and data.tar made the tiny bench
// package's build 28.0 ms against dpkg-deb's 26.5 ms; klauspost's
// encoder at level 9 in this process was no cheaper (32.2 against 28.5
// ms; not profiled further). With the standard library's: 25.1 against
// 28.2 ms (perf stat -r 30, idle), though it still takes about 240 page
// faults more than an uncompressed build (735 against 498).

// A small zstd member at the default level (3) or below is compressed at
// the fastest setting, whose hash table is 256 KiB instead of the 1.1 MiB
// of the default one: a tiny input touches each page of the tables once,
// a page fault each. On the tiny bench package that saved 12% of the
// build's CPU and gave 682 bytes instead of 700. A higher level asked
// for is kept.

// smallZstdWindow is the window of a small zstd member: twice
// smallTarSize, so the whole member is always in reach.
const smallZstdWindow = 2 * smallTarSize

// smallTarSize bounds the tar members compressed as small.
const smallTarSize = 64 << 10

// tarSizeBound returns an upper bound of the bytes writeTar writes for
// entries: each entry's header and contents in whole blocks, a long-name
// entry where its name ("./path/") or link target ("./path" for a hard
// link) passes 100 bytes, and the end of the archive padded to a record.
func tarSizeBound(entries []*buildEntry) int64 {
	n := int64(tarRecordSize + 2*tarBlock)
	for _, e := range entries {
		n += tarBlock
		if name := int64(len(e.path) + 3); name > tarNameField {
			n += tarBlock + blocksOf(name+1)
		}
		if link := int64(max(len(e.link), len(e.hardlink)+2)); link > tarNameField {
			n += tarBlock + blocksOf(link+1)
		}
		if e.mode.IsRegular() && e.hardlink == "" {
			n += blocksOf(e.size)
		}
	}
	return n
}

// blocksOf returns n rounded up to whole tar blocks.
func blocksOf(n int64) int64 { return (n + tarBlock - 1) / tarBlock * tarBlock }

// smallXzWriter returns the Go xz encoder at level for a member of at
// most bound bytes: the level's dictionary, but no larger than the
// smallest power of two holding bound, and at least 4 KiB.
func smallXzWriter(w io.Writer, level int, bound int64) (io.WriteCloser, error) {
	dict := 4 << 10
	for int64(dict) < bound && dict < xzDictCap(level) {
		dict *= 2
	}
	return xz.WriterConfig{DictCap: min(dict, xzDictCap(level))}.NewWriter(w)
}

// smallZstdWriter returns the zstd encoder for a member of at most
// smallTarSize bytes at level (0 means 3): the fastest setting up to
// level 3, else the level's, with a smallZstdWindow window, in the
// caller's goroutine.
func smallZstdWriter(w io.Writer, level int) (io.WriteCloser, error) {
	speed := zstd.SpeedFastest
	if level > 3 {
		speed = zstdLevel(level)
	}
	return zstd.NewWriter(w, zstd.WithEncoderLevel(speed), zstd.WithWindowSize(smallZstdWindow), zstd.WithEncoderConcurrency(1))
}

// smallGzipWriter compresses a member of at most smallTarSize bytes at
// level (0 means 9) with the standard library's encoder, in this
// process, instead of a gzip process for each of control.tar and
// data.tar (measured above). The bytes depend only on the member.
func smallGzipWriter(w io.Writer, level int) (io.WriteCloser, error) {
	if level <= 0 {
		level = 9
	}
	return stdgzip.NewWriterLevel(w, min(level, 9))
}
