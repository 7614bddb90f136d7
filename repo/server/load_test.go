package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aim/deb"
	"aim/repo/publish"
)

// envInt reads an integer environment variable, else def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestServeLoad is the load benchmark bench/serve.sh runs (skipped
// unless AIM_SERVE_LOAD is set): feed and static queries from
// AIM_SERVE_CLIENTS clients against an AIM_SERVE_PACKAGES-package
// repository on loopback, AIM_SERVE_REQUESTS requests in all (bounded to
// a minute), with one upload half-way that no reader may notice: every
// answer is a 200 and every app list is the one before or after it.
func TestServeLoad(t *testing.T) {
	if os.Getenv("AIM_SERVE_LOAD") == "" {
		t.Skip("set AIM_SERVE_LOAD=1 (bench/serve.sh)")
	}
	n, clients, total := envInt("AIM_SERVE_PACKAGES", 5000), envInt("AIM_SERVE_CLIENTS", 8), envInt("AIM_SERVE_REQUESTS", 20000)
	start := time.Now()
	dir := loadRepo(t, n)
	t.Logf("repository of %d packages built and published in %v", n, time.Since(start).Round(time.Millisecond))
	s, err := New(Config{Dir: dir, UploadToken: testToken, Signer: testSigner(t), Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	perCat := n / len(deb.PredefinedCategories) // all and amd64 builds alike
	paths := []string{
		"/api/v1/apps?architecture=amd64&category=games&tag=qt:5.12",
		"/api/v1/apps?architecture=arm64&category=tools",
		"/api/v1/apps?architecture=amd64&q=load-app-42",
		"/api/v1/apps/load-app-7?architecture=amd64",
		"/api/v1/hello?architecture=amd64&tag=qt:5.12,platform:desktop",
		"/api/v1/categories",
		"/dists/stable/InRelease",
	}
	var next, failures atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(time.Minute)
	upload := make(chan time.Duration, 1)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(total) || time.Now().After(deadline) {
					return
				}
				if i == int64(total/2) {
					go func() { upload <- loadUpload(t, ts.URL) }()
				}
				p := paths[int(i)%len(paths)]
				t0 := time.Now()
				resp, err := http.Get(ts.URL + p)
				if err != nil {
					failures.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode != 200 || !consistent(p, body, perCat) {
					failures.Add(1)
					t.Errorf("GET %s: %d %.200s", p, resp.StatusCode, body)
				}
			}
		}()
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	q := func(f float64) time.Duration {
		return all[min(len(all)-1, int(f*float64(len(all))))].Round(10 * time.Microsecond)
	}
	up := <-upload
	t.Logf("RESULT packages=%d clients=%d requests=%d failures=%d p50=%v p90=%v p99=%v max=%v upload=%v",
		n, clients, len(all), failures.Load(), q(0.5), q(0.9), q(0.99), all[len(all)-1], up.Round(time.Millisecond))
}

// consistent checks an app list: the games of the first query are the
// perCat the repository had, or those plus the uploaded one.
func consistent(p string, body []byte, perCat int) bool {
	if p != "/api/v1/apps?architecture=amd64&category=games&tag=qt:5.12" {
		return !strings.HasPrefix(p, "/api/") || json.Valid(body)
	}
	var v struct{ Apps []App }
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	return len(v.Apps) == perCat || len(v.Apps) == perCat+1
}

// loadUpload uploads one more game and returns how long it took.
func loadUpload(t *testing.T, url string) time.Duration {
	t0 := time.Now()
	status, v := post(t, url, testToken, debType, debBytes(t, pkgSpec{"zz-uploaded", "1.0", "all", "user/games", [][2]string{{"Aim-Tags", "qt:5.12.1"}}}))
	if status != 201 {
		t.Errorf("upload during load: %d %v", status, v)
	}
	return time.Since(t0)
}

// loadRepo publishes n packages: half all, half amd64, over maemo's
// categories, with tags.
func loadRepo(t *testing.T, n int) string {
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := publish.Init(dir, publish.Settings{Dists: []string{"stable"}, Components: []string{"main"},
		Architectures: []string{"amd64", "arm64"}, Label: "Load"}); err != nil {
		t.Fatal(err)
	}
	debs := t.TempDir()
	var files []string
	for i := range n {
		arch := "all"
		if i%2 == 1 {
			arch = "amd64"
		}
		cat := deb.PredefinedCategories[(i/2)%len(deb.PredefinedCategories)].ID
		files = append(files, buildDeb(t, debs, pkgSpec{fmt.Sprintf("load-app-%d", i), "1.0", arch, "user/" + cat,
			[][2]string{{"Aim-Tags", "qt:5.12.0"}}}))
	}
	r, err := publish.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Add(files, publish.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(publish.Options{Signer: testSigner(t), Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir
}
