package objstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"aim/repo"
	"aim/repo/objstore"
	"aim/repo/objstore/s3test"
	"aim/repo/pgp"
	"aim/repo/publish"
	"aim/repo/publish/publishtest"
)

// testNow is the first publishing time (the test key is recent).
var testNow = time.Now().UTC().Truncate(time.Second)

var signer = publishtest.Signer

// newRepo makes a repository for amd64 with the dist stable.
func newRepo(t testing.TB) *publish.Repo { return publishtest.NewRepo(t, "repo", "amd64") }

// buildDeb builds a small package of architecture all into dir.
func buildDeb(t testing.TB, dir, name, version string) string {
	return publishtest.BuildDeb(t, dir, name, version, "all")
}

// addPackages adds the named packages, version 1.0.
func addPackages(t testing.TB, r *publish.Repo, names ...string) {
	t.Helper()
	src := t.TempDir()
	var files []string
	for _, n := range names {
		files = append(files, buildDeb(t, src, n, "1.0"))
	}
	if _, err := r.Add(files, publish.AddOptions{}); err != nil {
		t.Fatal(err)
	}
}

var publishAt = publishtest.Publish

// counter is a transport that counts requests by method and can fail
// every request after a number of PUTs.
type counter struct {
	mu     sync.Mutex
	counts map[string]int
	puts   []string
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[req.Method]++
	if req.Method == http.MethodPut {
		c.puts = append(c.puts, req.URL.Path)
	}
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (c *counter) count(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[method]
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts, c.puts = nil, nil
}

// bucketFixture is a running server with a public bucket and a store
// writing below PREFIX.
type bucketFixture struct {
	srv    *s3test.Server
	bucket string
	target objstore.Target
	store  *objstore.S3
	http   *counter
}

func newBucket(t testing.TB) *bucketFixture {
	t.Helper()
	srv := s3test.Start(t)
	srv.PublicBucket(t, "apt")
	target, err := objstore.ParseTarget("s3://apt/fleet/debian")
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{}
	store, err := objstore.NewS3(target, storeConfig(srv.Endpoint), c)
	if err != nil {
		t.Fatal(err)
	}
	return &bucketFixture{srv: srv, bucket: "apt", target: target, store: store, http: c}
}

func storeConfig(endpoint string) objstore.Config {
	return objstore.Config{Endpoint: endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, PathStyle: true}
}

// baseURL is where anonymous readers find the repository.
func (b *bucketFixture) baseURL() string {
	return b.srv.URL(b.bucket, strings.TrimSuffix(b.target.Prefix, "/"))
}

func (b *bucketFixture) sync(t testing.TB, r *publish.Repo, opts objstore.Options) *objstore.Result {
	t.Helper()
	if opts.StateFile == "" {
		opts.StateFile = filepath.Join(r.Dir, publish.StateDir, "objstore", "test.json")
	}
	res, err := objstore.Sync(context.Background(), r.Dir, b.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// get fetches url anonymously.
func get(url string) ([]byte, *http.Response, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return data, resp, err
}

// readAsApt fetches base/dists/stable/InRelease, checks its signature,
// then fetches every Packages index it lists by hash and checks size and
// SHA256, as apt does with Acquire-By-Hash. It returns the Release's
// Date.
func readAsApt(base string, kr *pgp.Keyring) (time.Time, error) {
	in, _, err := get(base + "/dists/stable/InRelease")
	if err != nil {
		return time.Time{}, err
	}
	v, err := pgp.VerifyClearSigned(in, kr, time.Now().Add(48*time.Hour))
	if err != nil {
		return time.Time{}, fmt.Errorf("InRelease: %w", err)
	}
	rel, err := repo.ParseRelease(v.Text)
	if err != nil {
		return time.Time{}, fmt.Errorf("InRelease: %w", err)
	}
	if !rel.AcquireByHash {
		return rel.Date, fmt.Errorf("InRelease of %s does not say Acquire-By-Hash: yes", rel.Date)
	}
	for _, f := range rel.Files {
		url := base + "/dists/stable/" + filepath.Dir(f.Path) + "/by-hash/SHA256/" + f.SHA256
		data, _, err := get(url)
		if err != nil {
			return rel.Date, fmt.Errorf("Release of %s: %s: %w", rel.Date, f.Path, err)
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			return rel.Date, fmt.Errorf("Release of %s: %s by hash: %d bytes, SHA256 %x", rel.Date, f.Path, len(data), sum)
		}
	}
	return rel.Date, nil
}
