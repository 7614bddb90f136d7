package publish

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"aim/deb"
	"aim/deb/rootfs"
)

// BenchmarkRepublishAfterAdd measures publishing a 2,000-package
// repository again after one package was added.
func BenchmarkRepublishAfterAdd(b *testing.B) {
	r := newTestRepo(b, false)
	src := b.TempDir()
	var files []string
	for i := range 2000 {
		files = append(files, buildTestDeb(b, src, fmt.Sprintf("bench-pkg%d", i), "1.0", "all", "utils", nil))
	}
	start := time.Now()
	if _, err := r.Add(files, AddOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Logf("add of 2000: %v", time.Since(start))
	start = time.Now()
	publish(b, r, testNow, 0)
	b.Logf("full publish: %v", time.Since(start))
	b.ResetTimer()
	for i := range b.N {
		if _, err := r.Add([]string{buildTestDeb(b, src, "extra", fmt.Sprint(i), "all", "", nil)}, AddOptions{}); err != nil {
			b.Fatal(err)
		}
		publish(b, r, testNow.Add(time.Duration(i+1)*time.Second), 0)
	}
}

// BenchmarkAdd measures adding 2,000 small packages to an empty
// repository, the add half of bench/publish.sh.
func BenchmarkAdd(b *testing.B) {
	src := b.TempDir()
	var files []string
	for i := range 2000 {
		files = append(files, buildTestDeb(b, src, fmt.Sprintf("bench-pkg%d", i), "1.0", "all", "utils", nil))
	}
	b.ResetTimer()
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		r := newTestRepo(b, false)
		b.StartTimer()
		start := cpuTime()
		if _, err := r.Add(files, AddOptions{}); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the user and system CPU time of the process so far: on a
// machine shared with other work it says more than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPoolFloor does only the filesystem work an add of 2,000
// new packages of 4 KiB must do with the pool's layout and crash
// safety (see stage.go), with no package read, hashed or recorded:
// create and write 2,000 staging files, syncfs, make 2,000 source
// directories, rename the files into them, syncfs. Beside BenchmarkAdd
// it shows how much of an add is this floor.
func BenchmarkPoolFloor(b *testing.B) {
	data := make([]byte, 4<<10)
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		top := filepath.Join(b.TempDir(), "pool")
		if err := os.MkdirAll(filepath.Join(top, "main/b"), 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		for i := range 2000 {
			fd, err := unix.Open(filepath.Join(top, fmt.Sprintf(".aim-tmp-%d", i)), unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := unix.Write(fd, data); err != nil {
				b.Fatal(err)
			}
			unix.Close(fd)
		}
		if err := rootfs.SyncFS(top); err != nil {
			b.Fatal(err)
		}
		for i := range 2000 {
			dir := filepath.Join(top, "main/b", fmt.Sprintf("bench-pkg%d", i))
			if err := unix.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			if err := renameNew(filepath.Join(top, fmt.Sprintf(".aim-tmp-%d", i)), filepath.Join(dir, "p.deb")); err != nil {
				b.Fatal(err)
			}
		}
		if err := rootfs.SyncFS(top); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkCompressChunks compresses the chunks of a 2,000-package index
// like bench/publish.sh's with gzip and xz on one core, without the
// chunk cache: the compression CPU of a full publish.
func BenchmarkCompressChunks(b *testing.B) {
	var text []byte
	for i := range 2000 {
		text = fmt.Appendf(text, "Package: bench-pkg%d\nVersion: 1.%d-1\nArchitecture: all\nMaintainer: Bench <bench@example.org>\n"+
			"Installed-Size: 9\nDepends: libc6 (>= 2.36)\nSection: utils\nPriority: optional\nDescription: benchmark package %d\n generated for aim's benchmarks.\n"+
			"Filename: pool/main/b/bench-pkg%d/bench-pkg%d_1.%d-1_all.deb\nSize: %d\nMD5sum: %032x\nSHA256: %064x\n\n", i, i, i, i, i, i, 1000+i, i*7919, i*104729)
	}
	paras, err := deb.ParseParagraphs(text)
	if err != nil {
		b.Fatal(err)
	}
	chunks := chunkTexts(paras)
	b.ResetTimer()
	for range b.N {
		for _, c := range indexCompressions {
			for _, t := range chunks {
				var out bytes.Buffer
				if err := compressChunk(&out, t, c); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(len(chunks)), "chunks")
}
