package dbus

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestConcurrentClientsLatency has 50 clients list and query the model
// while packages are installed and removed, and requires the 99th
// percentile of call latency to stay at or under 100 ms. It reports the
// percentiles and the maximum.
func TestConcurrentClientsLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
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
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("%d calls by %d clients during %d tasks: p50 %v, p99 %v, max %v", len(lat), clients, tasks, pct(0.5), pct(0.99), lat[len(lat)-1])
	if p99 := pct(0.99); p99 > 100*time.Millisecond && !raceEnabled {
		t.Errorf("p99 latency %v, want at most 100ms", p99)
	}
}
