package deb

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os/exec"
	"testing"

	"github.com/ulikunitz/xz"
)

// xzOf compresses data with the system's xz (args added), or with the
// Go encoder when args is nil.
func xzOf(t testing.TB, data []byte, args ...string) []byte {
	t.Helper()
	if args == nil {
		return compressedBytes(t, Xz, data, 0)
	}
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("no xz program")
	}
	cmd := exec.Command("xz", append([]string{"-c"}, args...)...)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unxz decodes b with the Go decoder.
func unxz(b []byte) ([]byte, error) {
	r, err := xz.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// sample is compressible data with long-distance repeats.
func sample(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		if i > 5000 && rng.IntN(4) == 0 {
			b[i] = b[i-5000]
		} else {
			b[i] = byte('a' + rng.IntN(8))
		}
	}
	return b
}

// TestShrinkXzDict checks that streams of every shape decode to the same
// bytes after shrinkXzDict, which lowers the dictionary of the blocks it
// can, and that it leaves alone what is not exactly one stream.
func TestShrinkXzDict(t *testing.T) {
	data := sample(300 << 10)
	tests := []struct {
		name    string
		stream  []byte
		changed bool
	}{
		{"go encoder", xzOf(t, data, nil...), true},
		{"xz -6", xzOf(t, data, "-6"), true},
		{"xz, blocks with sizes in the headers", xzOf(t, data, "-6", "-T2", "--block-size=65536"), true},
		{"xz, x86 filter before lzma2", xzOf(t, data, "--x86", "--lzma2=preset=6"), true},
		{"xz, dictionary already small", xzOf(t, data[:1000], "--lzma2=dict=4KiB"), false},
		{"empty input", xzOf(t, nil, "-6"), false},
		{"two streams", append(xzOf(t, data[:100], "-6"), xzOf(t, data[:100], "-6")...), false},
		{"stream padding", append(xzOf(t, data[:100], "-6"), 0, 0, 0, 0), false},
		{"truncated", xzOf(t, data, "-6")[:1000], false},
		{"not xz", data[:1000], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, werr := unxz(tt.stream)
			b := bytes.Clone(tt.stream)
			if got := shrinkXzDict(b); got != tt.changed {
				t.Errorf("shrinkXzDict = %v, want %v", got, tt.changed)
			}
			if !tt.changed && !bytes.Equal(b, tt.stream) {
				t.Fatal("changed bytes while reporting no change")
			}
			got, err := unxz(b)
			if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
				t.Errorf("decodes to %d bytes (%v), want %d (%v)", len(got), err, len(want), werr)
			}
		})
	}
}

// TestSmallXzDecodes checks the small-stream decoder against the plain
// one, and that a corrupt small stream still fails.
func TestSmallXzDecodes(t *testing.T) {
	data := sample(40 << 10)
	stream := xzOf(t, data, nil...)
	for _, tt := range []struct {
		name   string
		stream []byte
		ok     bool
	}{
		{"whole", stream, true},
		{"corrupt", append(bytes.Clone(stream[:len(stream)/2]), bytes.Repeat([]byte{7}, len(stream)/2)...), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z, release, err := smallXz(bytes.NewReader(tt.stream))
			var got []byte
			if err == nil {
				got, err = io.ReadAll(z)
				release()
			}
			if tt.ok && (err != nil || !bytes.Equal(got, data)) {
				t.Errorf("got %d bytes, %v", len(got), err)
			}
			if !tt.ok && err == nil {
				t.Error("a corrupt stream decoded")
			}
		})
	}
}

// FuzzShrinkXzDict checks that shrinkXzDict never panics and never
// changes what a stream that decodes decodes to.
func FuzzShrinkXzDict(f *testing.F) {
	f.Add(xzOf(f, sample(20<<10), nil...))
	f.Add(xzOf(f, []byte("hello\n"), nil...))
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := unxz(b)
		c := bytes.Clone(b)
		shrinkXzDict(c)
		if werr != nil {
			return
		}
		got, err := unxz(c)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("decodes to %d bytes (%v) after shrinking, %d before", len(got), err, len(want))
		}
	})
}

// BenchmarkSmallXz decodes a small member (40 KiB, compressed with
// the default 8 MiB dictionary) with the plain decoder, which allocates
// and clears the whole dictionary, and with smallXz, which shrinks it
// to the block.
func BenchmarkSmallXz(b *testing.B) {
	stream := xzOf(b, sample(40<<10), nil...)
	for _, bc := range []struct {
		name   string
		decode func() (io.Reader, func(), error)
	}{
		{"plain", func() (io.Reader, func(), error) {
			z, err := xz.NewReader(bytes.NewReader(stream))
			return z, func() {}, err
		}},
		{"shrunk", func() (io.Reader, func(), error) { return smallXz(bytes.NewReader(stream)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				z, release, err := bc.decode()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, z); err != nil {
					b.Fatal(err)
				}
				release()
			}
		})
	}
}
