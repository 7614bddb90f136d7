// Package s3test runs a real S3-compatible server on localhost for tests:
// versitygw, built once from its Go module into the user's cache
// directory and run with its posix backend. Tests skip, saying why, when
// it cannot be built or started.
package s3test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"aim/repo/objstore"
)

// Module is the server's module and version.
const Module = "github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Credentials of the test server's root account.
const (
	AccessKey = "aimtestaccess"
	SecretKey = "aimtestsecret0123456789"
)

// Server is a running versitygw.
type Server struct {
	// Endpoint is http://127.0.0.1:PORT.
	Endpoint string
	// Root is the directory the posix backend keeps buckets in.
	Root string
	cmd  *exec.Cmd
}

// Binary returns the versitygw binary: $AIM_VERSITYGW, or the cached
// build, building it with "go install" on first use (minutes). It skips
// the test when that fails.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("AIM_VERSITYGW"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no cache directory to build versitygw into: %v", err)
	}
	dir := filepath.Join(cache, "aim-test", "versitygw-v1.8.0")
	bin := filepath.Join(dir, "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Skipf("cannot build versitygw: %v", err)
	}
	// One build at a time, for test binaries of several packages.
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Skipf("cannot build versitygw: %v", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Skipf("cannot build versitygw: %v", err)
	}
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("versitygw is not built and there is no go command to build it")
	}
	t.Logf("building %s into %s (once; takes minutes)", Module, dir)
	cmd := exec.Command(goBin, "install", Module)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build versitygw (%s): %v\n%s", Module, err, out)
	}
	return bin
}

// Start runs a versitygw on a free localhost port with a fresh root and
// stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	root := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--quiet", "--access", AccessKey, "--secret", SecretKey, "--port", addr, "posix", root)
	logf, err := os.Create(filepath.Join(t.TempDir(), "versitygw.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start versitygw: %v", err)
	}
	s := &Server{Endpoint: "http://" + addr, Root: root, cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			data, _ := os.ReadFile(logf.Name())
			t.Fatalf("versitygw did not listen on %s: %v\n%s", addr, err, data)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
}

// Bucket returns a store on bucket (path-style, no prefix) with the root
// credentials.
func (s *Server) Bucket(t testing.TB, bucket string) *objstore.S3 {
	t.Helper()
	c, err := objstore.NewS3(objstore.Target{Bucket: bucket}, objstore.Config{
		Endpoint: s.Endpoint, AccessKey: AccessKey, SecretKey: SecretKey, PathStyle: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// PublicBucket creates bucket with a policy that lets anyone read its
// objects, as a repository served to apt needs.
func (s *Server) PublicBucket(t testing.TB, bucket string) {
	t.Helper()
	c := s.Bucket(t, bucket)
	ctx := context.Background()
	if err := c.CreateBucket(ctx); err != nil {
		t.Fatalf("make bucket %s: %v", bucket, err)
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}`, bucket)
	if err := c.SetBucketPolicy(ctx, policy); err != nil {
		t.Fatalf("public-read policy on %s: %v", bucket, err)
	}
	resp, err := http.Get(s.Endpoint + "/" + bucket + "/no-such-object")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("anonymous read of bucket %s: %s, want 404 Not Found for a missing object", bucket, resp.Status)
	}
}

// URL is the anonymous HTTP URL of a key in bucket.
func (s *Server) URL(bucket, key string) string {
	return s.Endpoint + "/" + bucket + "/" + key
}
