package deb

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// benchTree writes a package tree of about 50 MB in the mix of a typical
// application: many small text files, some incompressible binaries and a
// few large, partly compressible data files. It returns the tree and the
// number of content bytes.
func benchTree(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the quick brown fox jumps over a lazy dog while maemo users install " +
		"applications from repositories with single click install files and signed packages")
	var total int64
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(data))
	}
	write("DEBIAN/control", []byte("Package: bench\nVersion: 1\nArchitecture: all\nMaintainer: m\nDescription: d\n"))
	for i := 0; i < 2000; i++ { // ~10 MB of text
		var t bytes.Buffer
		for t.Len() < 2048+rng.IntN(6144) {
			t.WriteString(words[rng.IntN(len(words))])
			t.WriteByte(" \n"[rng.IntN(2)])
		}
		write(fmt.Sprintf("usr/share/bench/doc%02d/file%04d.txt", i%40, i), t.Bytes())
	}
	for i := 0; i < 20; i++ { // 10 MB of random binaries
		buf := make([]byte, 512<<10)
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		write(fmt.Sprintf("usr/lib/bench/blob%02d.bin", i), buf)
	}
	for i := 0; i < 10; i++ { // 30 MB of partly compressible data
		buf := make([]byte, 3<<20)
		for j := range buf {
			if rng.IntN(4) == 0 {
				buf[j] = byte(rng.Uint32())
			} else {
				buf[j] = byte(j / 64)
			}
		}
		write(fmt.Sprintf("usr/share/bench/data%02d.dat", i), buf)
	}
	return dir, total
}

func BenchmarkBuild(b *testing.B) {
	dir, total := benchTree(b)
	for _, c := range allCompressions {
		b.Run(string(c), func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "bench.deb"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(total)
			for b.Loop() {
				f.Truncate(0)
				f.Seek(0, io.SeekStart)
				if _, err := Build(os.DirFS(dir), f, BuildOptions{Compression: c}); err != nil {
					b.Fatal(err)
				}
			}
			if fi, err := f.Stat(); err == nil {
				b.ReportMetric(float64(fi.Size())/float64(total), "ratio")
			}
		})
	}
}

func BenchmarkRead(b *testing.B) {
	dir, total := benchTree(b)
	for _, c := range allCompressions {
		b.Run(string(c), func(b *testing.B) {
			var pkg bytes.Buffer
			if _, err := Build(os.DirFS(dir), &pkg, BuildOptions{Compression: c}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(total)
			for b.Loop() {
				if err := readWholeDeb(pkg.Bytes()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDpkgDeb times dpkg-deb --build and -x on the same tree, for
// comparison with BenchmarkBuild and BenchmarkRead (which reads without
// writing files, so dpkg-deb -x does more work).
func BenchmarkDpkgDeb(b *testing.B) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		b.Skip("dpkg-deb not installed")
	}
	dir, total := benchTree(b)
	for _, c := range allCompressions {
		file := filepath.Join(b.TempDir(), "bench.deb")
		b.Run("build-"+string(c), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-Z"+string(c), "-b", dir, file).CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
		b.Run("extract-"+string(c), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				out := filepath.Join(b.TempDir(), "x")
				if msg, err := exec.Command("dpkg-deb", "-x", file, out).CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, msg)
				}
			}
		})
	}
}
