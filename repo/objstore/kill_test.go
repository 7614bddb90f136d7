package objstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"aim/repo/apttest"
	"aim/repo/objstore"
	"aim/repo/publish"
)

// TestSyncChild is the publisher TestKilledUpload runs in a process of
// its own and kills; it does nothing in a normal run.
func TestSyncChild(t *testing.T) {
	dir, endpoint := os.Getenv("AIM_SYNC_CHILD_DIR"), os.Getenv("AIM_SYNC_CHILD_ENDPOINT")
	if dir == "" {
		t.Skip("run by TestKilledUpload")
	}
	target, _ := objstore.ParseTarget(os.Getenv("AIM_SYNC_CHILD_TARGET"))
	store, err := objstore.NewS3(target, storeConfig(endpoint), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = objstore.Sync(context.Background(), dir, store, objstore.Options{Workers: 1,
		StateFile: filepath.Join(dir, publish.StateDir, "objstore", "test.json")})
	if err != nil {
		t.Fatal(err)
	}
}

// TestKilledUpload kills the publishing process (SIGKILL, from a proxy
// in front of the S3 server) in the middle of uploading a new release,
// once among the pool and by-hash uploads and once among the plain
// indexes: apt and a reader fetching as apt does still get the previous
// release whole, and the next run completes the upload with fewer PUTs.
func TestKilledUpload(t *testing.T) {
	for _, tc := range []struct {
		name   string
		killAt func(n int, path string) bool
	}{
		{"content", func(n int, _ string) bool { return n == 5 }},
		{"indexes", func(_ int, path string) bool { return strings.HasSuffix(path, "/binary-amd64/Packages.gz") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBucket(t)
			r := newRepo(t)
			kr := signer(t).PublicKey()
			addPackages(t, r, "alpha")
			publishAt(t, r, testNow)
			b.sync(t, r, objstore.Options{})
			oldDate, err := readAsApt(b.baseURL(), kr)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i := range 10 {
				names = append(names, fmt.Sprintf("new%d", i))
			}
			addPackages(t, r, names...)
			publishAt(t, r, testNow.Add(time.Minute))
			key := filepath.Join(t.TempDir(), "repo.asc")
			data, _ := os.ReadFile(filepath.Join(r.Dir, "key.asc"))
			os.WriteFile(key, data, 0o644)
			a := apttest.New(t, "deb [signed-by="+key+"] "+b.baseURL()+" stable main")

			cmd, puts := runKilledChild(t, b, r, tc.killAt)
			t.Logf("publisher killed at PUT %d: %v", puts, cmd.ProcessState)
			if cmd.ProcessState.Success() {
				t.Fatal("the publisher finished before it was killed")
			}
			if d, err := readAsApt(b.baseURL(), kr); err != nil || !d.Equal(oldDate) {
				t.Fatalf("reader after the kill: release of %s, %v; want the previous one (%s)", d, err, oldDate)
			}
			if out, ok := a.Update(); !ok {
				t.Fatalf("apt-get update after the kill:\n%s", out)
			}
			if out, err := a.Run(a.Dir, "-s", "install", "new0"); err == nil {
				t.Fatalf("apt saw a package of the killed upload:\n%s", out)
			}
			b.http.reset()
			res := b.sync(t, r, objstore.Options{})
			if d, err := readAsApt(b.baseURL(), kr); err != nil || d.Equal(oldDate) {
				t.Fatalf("reader after the next run: release of %s, %v", d, err)
			}
			if out, ok := a.Update(); !ok {
				t.Fatalf("apt-get update after the next run:\n%s", out)
			}
			if out, err := a.Run(a.Dir, "-s", "install", "new0", "new9"); err != nil || !strings.Contains(out, "Inst new9 (1.0 ") {
				t.Fatalf("apt-get -s install after the next run: %v\n%s", err, out)
			}
			// Ten new packages, three indexes, their six by-hash copies and
			// three Release files changed; those up before the kill are not
			// sent again.
			const changed = 10 + 3 + 6 + 3
			t.Logf("next run: %d PUTs (%d up before the kill, %d changed in all)", b.http.count("PUT"), puts-1, changed)
			if len(res.Uploaded) != changed-(puts-1) || b.http.count("PUT") != len(res.Uploaded) {
				t.Errorf("next run uploaded %d objects (%d PUTs); %d changed and %d were up before the kill", len(res.Uploaded), b.http.count("PUT"), changed, puts-1)
			}
		})
	}
}

// runKilledChild runs TestSyncChild through a proxy that kills it with
// SIGKILL when killAt says so of a PUT, before passing that PUT on. It
// returns the finished command and the number of the PUT it was killed
// at.
func runKilledChild(t *testing.T, b *bucketFixture, r *publish.Repo, killAt func(int, string) bool) (*exec.Cmd, int) {
	t.Helper()
	up, _ := url.Parse(b.srv.Endpoint)
	rp := httputil.NewSingleHostReverseProxy(up)
	var mu sync.Mutex
	var cmd *exec.Cmd
	puts, killedAt := 0, 0
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut {
			mu.Lock()
			puts++
			if killedAt == 0 && killAt(puts, req.URL.Path) {
				killedAt = puts
				cmd.Process.Kill()
			}
			dead := killedAt != 0
			mu.Unlock()
			if dead {
				http.Error(w, "publisher killed", http.StatusServiceUnavailable)
				return
			}
		}
		rp.ServeHTTP(w, req)
	}))
	defer proxy.Close()
	cmd = exec.Command(os.Args[0], "-test.run=^TestSyncChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "AIM_SYNC_CHILD_DIR="+r.Dir, "AIM_SYNC_CHILD_ENDPOINT="+proxy.URL,
		"AIM_SYNC_CHILD_TARGET="+b.target.String())
	mu.Lock()
	if err := cmd.Start(); err != nil {
		mu.Unlock()
		t.Fatal(err)
	}
	mu.Unlock()
	cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	if killedAt == 0 {
		t.Fatalf("the publisher was never killed (%d PUTs)", puts)
	}
	return cmd, killedAt
}
