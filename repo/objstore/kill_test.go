package objstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"aim/repo/apttest"
	"aim/repo/objstore"
	"aim/repo/objstore/s3test"
	"aim/repo/publish"
	"aim/repo/publish/publishtest"
)

// TestKilledUpload runs the real aim binary, "aim repo publish DIR --to
// s3://...", and kills it with SIGKILL (from a proxy in front of the S3
// server) in the middle of uploading a new release, once among the pool
// and by-hash uploads and once among the plain indexes: apt and a reader
// fetching as apt does still get the previous release whole, and the next
// aim repo publish completes the upload with exactly the PUTs of the
// objects the bucket still lacks.
func TestKilledUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	exe := buildAim(t)
	for _, tc := range []struct {
		name   string
		killAt func(n int, path string) bool
	}{
		{"content", func(n int, _ string) bool { return n == 5 }},
		{"indexes", func(_ int, path string) bool { return strings.HasSuffix(path, "/binary-amd64/Packages.gz") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBucket(t)
			p := newKillProxy(t, b.srv.Endpoint)
			r := newRepo(t)
			r.Close()
			dir := r.Dir
			kr := signer(t).PublicKey()
			addClosed(t, dir, "alpha")
			publishWithAim(t, exe, p, dir, testNow)
			first := treeHashes(t, dir)
			oldDate, err := readAsApt(b.baseURL(), kr)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i := range 10 {
				names = append(names, fmt.Sprintf("new%d", i))
			}
			addClosed(t, dir, names...)
			key := filepath.Join(t.TempDir(), "repo.asc")
			data, _ := os.ReadFile(filepath.Join(dir, "key.asc"))
			os.WriteFile(key, data, 0o644)
			a := apttest.New(t, "deb [signed-by="+key+"] "+b.baseURL()+" stable main")

			p.reset(tc.killAt)
			cmd := aimPublish(exe, p, dir, testNow.Add(time.Minute))
			out, _ := cmd.CombinedOutput()
			killedAt, puts := p.result()
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if killedAt == 0 || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("the publisher was not killed mid-upload (%d PUTs, %v):\n%s", puts, cmd.ProcessState, out)
			}
			t.Logf("aim killed at PUT %d: %v", killedAt, cmd.ProcessState)
			if d, err := readAsApt(b.baseURL(), kr); err != nil || !d.Equal(oldDate) {
				t.Fatalf("reader after the kill: release of %s, %v; want the previous one (%s)", d, err, oldDate)
			}
			if out, ok := a.Update(); !ok {
				t.Fatalf("apt-get update after the kill:\n%s", out)
			}
			if out, err := a.Run(a.Dir, "-s", "install", "new0"); err == nil {
				t.Fatalf("apt saw a package of the killed upload:\n%s", out)
			}
			missing, changed := missingObjects(t, b, dir, first)
			if len(missing) == 0 || len(missing) >= changed {
				t.Fatalf("after the kill the bucket lacks %d of the %d new objects: the kill was not mid-upload", len(missing), changed)
			}

			p.reset(nil)
			res := publishWithAim(t, exe, p, dir, testNow.Add(time.Minute))
			_, next := p.result()
			if !slices.Equal(slices.Sorted(slices.Values(res.Uploaded)), missing) || next != len(missing) {
				t.Errorf("next run uploaded %v in %d PUTs; the bucket lacked %v", res.Uploaded, next, missing)
			}
			t.Logf("next run: %d PUTs (%d of %d new objects were up before the kill)", next, changed-len(missing), changed)
			if d, err := readAsApt(b.baseURL(), kr); err != nil || d.Equal(oldDate) {
				t.Fatalf("reader after the next run: release of %s, %v", d, err)
			}
			if out, ok := a.Update(); !ok {
				t.Fatalf("apt-get update after the next run:\n%s", out)
			}
			if out, err := a.Run(a.Dir, "-s", "install", "new0", "new9"); err != nil || !strings.Contains(out, "Inst new9 (1.0 ") {
				t.Fatalf("apt-get -s install after the next run: %v\n%s", err, out)
			}
		})
	}
}

// addClosed adds the named packages to the repository dir, opened for
// that and closed again, as aim must lock it itself.
func addClosed(t *testing.T, dir string, names ...string) {
	t.Helper()
	r, err := publish.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	addPackages(t, r, names...)
}

// buildAim builds the aim command into a temporary directory with the go
// tool that runs the test, and skips the test when it cannot.
func buildAim(t *testing.T) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build aim with: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "aim")
	if out, err := exec.Command(gotool, "build", "-o", exe, "aim/cmd/aim").CombinedOutput(); err != nil {
		t.Fatalf("go build aim: %v\n%s", err, out)
	}
	return exe
}

// aimPublish is "aim --json repo publish dir --to s3://apt/fleet/debian"
// through the proxy, with the credentials of the environment and the
// release dated now.
func aimPublish(exe string, p *killProxy, dir string, now time.Time) *exec.Cmd {
	cmd := exec.Command(exe, "--json", "repo", "publish", dir, "--key", publishtest.KeyFile(),
		"--to", "s3://apt/fleet/debian", "--path-style")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "AWS_ACCESS_KEY_ID="+s3test.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3test.SecretKey,
		"AWS_ENDPOINT_URL="+p.srv.URL, "SOURCE_DATE_EPOCH="+strconv.FormatInt(now.Unix(), 10))
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	return cmd
}

// publishWithAim runs aimPublish to completion and returns what it says
// it uploaded.
func publishWithAim(t *testing.T, exe string, p *killProxy, dir string, now time.Time) *objstore.Result {
	t.Helper()
	cmd := aimPublish(exe, p, dir, now)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aim repo publish --to: %v\n%s", err, stderr.String())
	}
	var res struct{ Upload *objstore.Result }
	if err := json.Unmarshal(out, &res); err != nil || res.Upload == nil {
		t.Fatalf("aim repo publish --json: %v\n%s", err, out)
	}
	return res.Upload
}

// treeHashes maps each key of the repository's tree to its SHA256.
func treeHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := objstore.Tree(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range files {
		m[f.Key] = f.SHA256
	}
	return m
}

// missingObjects compares the repository's tree with the one published
// before (before, by treeHashes): it returns the keys that changed which
// the bucket does not hold with their new size and SHA256, sorted, and
// how many keys changed.
func missingObjects(t *testing.T, b *bucketFixture, dir string, before map[string]string) ([]string, int) {
	t.Helper()
	files, err := objstore.Tree(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	changed := 0
	for _, f := range files {
		if before[f.Key] == f.SHA256 {
			continue
		}
		changed++
		o, err := b.store.Head(context.Background(), f.Key)
		if err != nil && !errors.Is(err, objstore.ErrNotFound) {
			t.Fatal(err)
		}
		if err != nil || o.Size != f.Size || o.SHA256 != f.SHA256 {
			missing = append(missing, f.Key)
		}
	}
	slices.Sort(missing)
	return missing, changed
}

// killProxy passes requests on to an S3 server, counting PUTs, and kills
// the command last given to aimPublish with SIGKILL when killAt says so of
// a PUT, before passing that PUT on; it answers every later PUT with an
// error.
type killProxy struct {
	srv      *httptest.Server
	mu       sync.Mutex
	cmd      *exec.Cmd
	killAt   func(n int, path string) bool
	puts     int
	killedAt int
}

func newKillProxy(t *testing.T, endpoint string) *killProxy {
	t.Helper()
	up, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(up)
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
		// The killed publisher's requests end here, as canceled.
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
	p := &killProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut && p.put(req.URL.Path) {
			http.Error(w, "publisher killed", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// put counts a PUT, kills the publisher when it is the one, and reports
// whether the publisher is dead.
func (p *killProxy) put(path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.puts++
	if p.killedAt == 0 && p.killAt != nil && p.killAt(p.puts, path) {
		p.killedAt = p.puts
		if p.cmd != nil && p.cmd.Process != nil {
			p.cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	return p.killedAt != 0
}

// reset zeroes the counts and arms killAt (nil: never kill).
func (p *killProxy) reset(killAt func(n int, path string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.killAt, p.puts, p.killedAt = killAt, 0, 0
}

// result returns the PUT the publisher was killed at (0: none) and the
// number of PUTs.
func (p *killProxy) result() (killedAt, puts int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.killedAt, p.puts
}
