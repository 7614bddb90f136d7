package dbus

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestConcurrentClients has 50 clients list and query the model while
// packages are installed and removed: every call must succeed and the
// tasks must go on. It logs the latency percentiles; the latency target
// (p99 at most 100 ms) is checked by BenchmarkConcurrentClients, not
// here, since a timed test fails on a busy machine.
func TestConcurrentClients(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	lat, tasks := concurrentClients(t)
	if tasks == 0 {
		t.Error("no task finished while the clients called")
	}
	t.Logf("%d calls during %d tasks: p50 %v, p99 %v, max %v", len(lat), tasks, percentile(lat, 0.5), percentile(lat, 0.99), lat[len(lat)-1])
}

// BenchmarkConcurrentClients reports the p50 and p99 latency (ms) of
// the model's calls by 50 clients while packages are installed and
// removed; the target is p99 at most 100 ms.
func BenchmarkConcurrentClients(b *testing.B) {
	for range b.N {
		lat, _ := concurrentClients(b)
		b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
	}
}

// percentile returns the p-th percentile of sorted durations.
func percentile(lat []time.Duration, p float64) time.Duration {
	return lat[min(len(lat)-1, int(p*float64(len(lat))))]
}

// concurrentClients runs 50 clients for 3 s against a service that
// installs and removes a package meanwhile; it returns the sorted call
// latencies and the number of finished tasks.
func concurrentClients(t testing.TB) ([]time.Duration, int) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	installer := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true, fields: iconField(t)})
	stop := make(chan struct{})
	var tasks int
	installsDone := make(chan struct{})
	go func() {
		defer close(installsDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			id := installer.str("startPackageInstallation", fileURL(path))
			installer.call("acknowledgePackageInstallation", nil, id)
			installer.until(id, "taskFinished")
			id = installer.str("removePackage", "hello", false, false)
			installer.until(id, "taskFinished")
			tasks += 2
		}
	}()

	const clients = 50
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	deadline := time.Now().Add(3 * time.Second)
	for range clients {
		conn, err := dbus.Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.Auth(nil); err != nil {
			t.Fatal(err)
		}
		if err := conn.Hello(); err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		obj := conn.Object(QtName, QtPath)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				for _, c := range []struct {
					method string
					args   []any
				}{{"packageIds", nil}, {"get", []any{"hello"}}, {"activeTaskIds", nil}, {"taskState", []any{"none"}}} {
					start := time.Now()
					if err := obj.Call(QtInterface+"."+c.method, 0, c.args...).Err; err != nil {
						t.Errorf("%s: %v", c.method, err)
						return
					}
					mine = append(mine, time.Since(start))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	<-installsDone
	if len(lat) == 0 {
		t.Fatal("no calls made")
	}
	slices.Sort(lat)
	return lat, tasks
}
