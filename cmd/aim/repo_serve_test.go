package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestRepoServe(t *testing.T) {
	dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	aimOK(t, "repo", "publish", dir, "--key", repoTestKey)
	tok := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tok, []byte("a-token-of-sufficient-length\n"), 0o600)

	fs := newFlagSetForTest()
	f := newRepoFlags(fs)
	cfg, err := serveConfig(dir, f, tok, repoTestKey)
	if err != nil || cfg.UploadToken != "a-token-of-sufficient-length" || cfg.Signer == nil {
		t.Fatalf("serveConfig: %+v %v", cfg, err)
	}
	var log bytes.Buffer
	cfg.Log = &syncWriter{w: &log}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveRepo(ctx, cfg, ln) }()
	url := "http://" + ln.Addr().String()
	for _, p := range []string{"/dists/stable/InRelease", "/api/v1/apps", "/"} {
		resp, err := http.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || (p == "/api/v1/apps" && !strings.Contains(string(body), `"id": "hello"`)) {
			t.Errorf("GET %s: %d\n%s", p, resp.StatusCode, body)
		}
	}
	if resp, err := http.Get(url + "/aim-repo.conf"); err != nil || resp.StatusCode != 404 {
		t.Errorf("settings served: %v %v", resp, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown")
	}
	if !strings.Contains(log.String(), `"GET /api/v1/apps HTTP/1.1" 200`) {
		t.Errorf("access log:\n%s", log.String())
	}
}

func TestRepoServeUsage(t *testing.T) {
	dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	for _, args := range [][]string{
		{"repo", "serve", dir},
		{"repo", "serve", "--listen", "127.0.0.1:0"},
		{"repo", "serve", dir, "--listen", "127.0.0.1:0", "--upload-token-file", "x"},
	} {
		if _, errs, code := aim(t, args...); code != 2 {
			t.Errorf("aim %v: status %d %s", args, code, errs)
		}
	}
	short := filepath.Join(t.TempDir(), "token")
	os.WriteFile(short, []byte("short\n"), 0o600)
	if _, errs, code := aim(t, "repo", "serve", dir, "--listen", "127.0.0.1:0", "--upload-token-file", short, "--sign-key", repoTestKey); code == 0 || !strings.Contains(errs, "16 characters") {
		t.Errorf("short token: %d %s", code, errs)
	}
	if _, errs, code := aim(t, "repo", "serve", filepath.Join(t.TempDir(), "none"), "--listen", "127.0.0.1:0"); code == 0 || !strings.Contains(errs, "not an aim repository") && !strings.Contains(errs, "no such file") {
		t.Errorf("not a repository: %d %s", code, errs)
	}
}

func newFlagSetForTest() *pflag.FlagSet { return pflag.NewFlagSet("test", pflag.ContinueOnError) }

// syncWriter serialises writes for a buffer read after the server stops.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
