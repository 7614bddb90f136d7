package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func testFetcher() *Fetcher {
	f := NewFetcher()
	f.RetryDelay = time.Millisecond
	return f
}

func TestFetchHTTP(t *testing.T) {
	var fails atomic.Int32
	fails.Store(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flaky":
			if fails.Add(-1) >= 0 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
		case "/missing":
			http.NotFound(w, r)
			return
		case "/etag":
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
		}
		w.Write([]byte("hello index"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := testFetcher()
	var reports int
	f.Progress = func(p Progress) { reports++ }
	ctx := context.Background()

	dest := filepath.Join(dir, "ok")
	res, err := f.Fetch(ctx, Request{URL: srv.URL + "/flaky", Dest: dest, Size: 11, SHA256: sum("hello index")})
	if err != nil || res.Size != 11 || reports == 0 {
		t.Fatalf("flaky fetch: %+v %v (reports %d)", res, err, reports)
	}
	if b, _ := os.ReadFile(dest); string(b) != "hello index" {
		t.Errorf("dest holds %q", b)
	}

	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("old"), 0o644)
	_, err = f.Fetch(ctx, Request{URL: srv.URL + "/x", Dest: bad, Size: 11, SHA256: sum("other")})
	var mm *HashMismatchError
	if !errors.As(err, &mm) || mm.What != "SHA256" {
		t.Errorf("hash mismatch: %v", err)
	}
	if b, _ := os.ReadFile(bad); string(b) != "old" {
		t.Errorf("a failed fetch changed its destination: %q", b)
	}
	if _, err = f.Fetch(ctx, Request{URL: srv.URL + "/x", Dest: bad, Size: 5, SHA256: sum("hello")}); !errors.As(err, &mm) || mm.What != "size" {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err = f.Fetch(ctx, Request{URL: srv.URL + "/x", Dest: bad, Size: -1, MaxSize: 4}); err == nil || !strings.Contains(err.Error(), "larger than 4 bytes") {
		t.Errorf("oversize: %v", err)
	}
	if _, err = f.Fetch(ctx, Request{URL: srv.URL + "/missing", Dest: bad, Size: -1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("404: %v", err)
	}

	et := filepath.Join(dir, "etag")
	res, err = f.Fetch(ctx, Request{URL: srv.URL + "/etag", Dest: et, Size: -1})
	if err != nil || res.ETag != `"v1"` {
		t.Fatalf("etag fetch: %+v %v", res, err)
	}
	res, err = f.Fetch(ctx, Request{URL: srv.URL + "/etag", Dest: et, Size: -1, ETag: res.ETag})
	if err != nil || !res.NotModified {
		t.Errorf("conditional fetch: %+v %v", res, err)
	}
}

func TestFetchFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("data"), 0o644)
	f := testFetcher()
	res, err := f.Fetch(context.Background(), Request{URL: "file://" + src, Dest: filepath.Join(dir, "d"), Size: 4, SHA256: sum("data")})
	if err != nil || res.SHA256 != sum("data") {
		t.Errorf("file fetch: %+v %v", res, err)
	}
	if _, err := f.Fetch(context.Background(), Request{URL: "file://" + dir + "/none", Dest: filepath.Join(dir, "e"), Size: -1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := f.Fetch(context.Background(), Request{URL: "ftp://x/y", Dest: filepath.Join(dir, "e")}); err == nil || !strings.Contains(err.Error(), "unsupported scheme") {
		t.Errorf("ftp: %v", err)
	}
}
