package publish

import (
	"fmt"
	"syscall"
	"testing"
	"time"
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
