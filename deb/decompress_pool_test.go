package deb

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// compressedBytes compresses b with c at level (compressor's levels,
// 0 for the default).
func compressedBytes(t testing.TB, c Compression, b []byte, level int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := compressor(c, &out, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestSmallDecompressorReuse reads zstd and gzip streams one after
// another through reused decoders and read buffers, with broken streams
// (cut short, a byte changed, not the format at all, read only in part)
// in between: each good stream still reads whole and right, and each
// broken one fails, so no state of a stream leaks into the next.
func TestSmallDecompressorReuse(t *testing.T) {
	a := bytes.Repeat([]byte("Package: a\nVersion: 1\n\n"), 500)
	b := []byte(fmt.Sprint(bytes.Repeat([]byte{1, 2, 3, 250}, 3000)))
	za, zb := compressedBytes(t, Zstd, a, 3), compressedBytes(t, Zstd, b, 19)
	flipped := bytes.Clone(za)
	flipped[len(flipped)/2] ^= 0x55
	ga, gb := compressedBytes(t, Gzip, a, 0), compressedBytes(t, Gzip, b, 0)
	steps := []struct {
		name string
		c    Compression
		in   []byte
		want []byte // nil: must fail
		part int    // read only this many bytes, then release
	}{
		{"zstd a", Zstd, za, a, 0},
		{"zstd cut", Zstd, za[:len(za)/2], nil, 0},
		{"zstd b", Zstd, zb, b, 0},
		{"zstd a in part", Zstd, za, a, 100},
		{"zstd b after part", Zstd, zb, b, 0},
		{"zstd flipped", Zstd, flipped, nil, 0},
		{"zstd a after flipped", Zstd, za, a, 0},
		{"not zstd", Zstd, []byte("not a zstd stream at all"), nil, 0},
		{"zstd b after garbage", Zstd, zb, b, 0},
		{"gzip a", Gzip, ga, a, 0},
		{"gzip cut", Gzip, ga[:len(ga)/2], nil, 0},
		{"gzip b", Gzip, gb, b, 0},
		{"zstd a last", Zstd, za, a, 0},
	}
	for round := range 3 {
		for _, s := range steps {
			z, release, err := smallDecompressor(s.c, io.MultiReader(bytes.NewReader(s.in)))
			if err != nil {
				if s.want != nil {
					t.Fatalf("round %d, %s: %v", round, s.name, err)
				}
				continue
			}
			var got []byte
			if s.part > 0 {
				got = make([]byte, s.part)
				_, err = io.ReadFull(z, got)
				if err == nil && !bytes.Equal(got, s.want[:s.part]) {
					t.Errorf("round %d, %s: first %d bytes differ", round, s.name, s.part)
				}
			} else {
				got, err = io.ReadAll(z)
				switch {
				case s.want == nil && err == nil:
					t.Errorf("round %d, %s: read %d bytes without an error", round, s.name, len(got))
				case s.want != nil && err != nil:
					t.Errorf("round %d, %s: %v", round, s.name, err)
				case s.want != nil && !bytes.Equal(got, s.want):
					t.Errorf("round %d, %s: read %d bytes, not the %d written", round, s.name, len(got), len(s.want))
				}
			}
			release()
		}
	}
}

// TestSmallDecompressorReusesDecoders reads small zstd streams one after
// another: their zstd decoders are reused instead of allocated for each
// (the bound leaves room for the race detector, which drops some of a
// sync.Pool's puts).
func TestSmallDecompressorReusesDecoders(t *testing.T) {
	small := bytes.Repeat([]byte("control data\n"), 100)
	z := compressedBytes(t, Zstd, small, 3)
	run := func(decompress func(Compression, io.Reader) (io.Reader, func(), error)) {
		r, release, err := decompress(Zstd, io.MultiReader(bytes.NewReader(z)))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, small) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		release()
	}
	const runs = 100
	alloc := func(decompress func(Compression, io.Reader) (io.Reader, func(), error)) uint64 {
		run(decompress)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			run(decompress)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	fresh, reused := alloc(decompressor), alloc(smallDecompressor)
	t.Logf("%d streams: %d bytes allocated with new decoders, %d reusing them", runs, fresh, reused)
	if reused*2 > fresh {
		t.Errorf("reusing decoders allocated %d bytes for %d streams, new ones %d: want under half", reused, runs, fresh)
	}
}
