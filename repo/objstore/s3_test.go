package objstore_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"aim/repo/objstore"
	"aim/repo/objstore/s3test"
)

func TestEscapePath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/apt/pool/main/h/hello/hello_2.10-3_amd64.deb", "/apt/pool/main/h/hello/hello_2.10-3_amd64.deb"},
		{"/b/a+b~c 1.deb", "/b/a%2Bb~c%201.deb"},
		{"/b/é?#%", "/b/%C3%A9%3F%23%25"},
		{"/b/x=y&z", "/b/x%3Dy%26z"},
	} {
		if got := objstore.EscapePath(c.in); got != c.want {
			t.Errorf("escapePath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// recorder is a transport that records each request's URL and fails it
// without sending it.
type recorder struct{ urls []string }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.String())
	return nil, errors.New("not sent")
}

func TestAddressing(t *testing.T) {
	for _, c := range []struct {
		name   string
		bucket string
		cfg    objstore.Config
		want   string
	}{
		{"aws default", "apt", objstore.Config{}, "https://apt.s3.amazonaws.com/k"},
		{"aws region", "apt", objstore.Config{Region: "eu-west-1"}, "https://apt.s3.eu-west-1.amazonaws.com/k"},
		{"aws dotted bucket", "apt.example", objstore.Config{}, "https://s3.amazonaws.com/apt.example/k"},
		{"aws path style", "apt", objstore.Config{PathStyle: true}, "https://s3.amazonaws.com/apt/k"},
		{"aws endpoint", "apt", objstore.Config{Endpoint: "https://s3.us-west-2.amazonaws.com"}, "https://apt.s3.us-west-2.amazonaws.com/k"},
		{"self-hosted", "apt", objstore.Config{Endpoint: "http://127.0.0.1:7070"}, "http://127.0.0.1:7070/apt/k"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			s, err := objstore.NewS3(objstore.Target{Bucket: c.bucket}, c.cfg, rec)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(t.Context(), "k"); err == nil {
				t.Fatal("Delete through a failing transport succeeded")
			}
			if len(rec.urls) != 1 || rec.urls[0] != c.want {
				t.Errorf("requests %v, want [%s]", rec.urls, c.want)
			}
		})
	}
}

// TestS3Calls runs each call against the real server, with keys that
// need escaping and a listing that spans pages.
func TestS3Calls(t *testing.T) {
	srv := s3test.Start(t)
	srv.PublicBucket(t, "apt")
	target := objstore.Target{Bucket: "apt", Prefix: "fleet/"}
	store, err := objstore.NewS3(target, storeConfig(srv.Endpoint), nil)
	if err != nil {
		t.Fatal(err)
	}
	objstore.SetPageSize(store, 2)
	ctx := t.Context()
	keys := []string{"pool/a+b~1.0 x.deb", "pool/é.deb", "pool/q?=&#%.deb", "empty", "dists/stable/InRelease"}
	for i, k := range keys {
		data := bytes.Repeat([]byte{byte('a' + i)}, i*1000)
		sum := sha256.Sum256(data)
		etag, err := store.Put(ctx, k, bytes.NewReader(data), int64(len(data)),
			objstore.PutOptions{ContentType: "application/x-test", CacheControl: "no-cache", SHA256: hex.EncodeToString(sum[:])})
		if err != nil {
			t.Fatal(err)
		}
		h, err := store.Head(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if h.Size != int64(len(data)) || h.ETag != etag || h.SHA256 != hex.EncodeToString(sum[:]) || h.LastModified.IsZero() {
			t.Errorf("head %q: %+v, want size %d, ETag %s and the SHA256", k, h, len(data), etag)
		}
		// Anonymous readers find it at its plain URL, with its headers.
		resp, err := http.Get(srv.URL("apt", "fleet/"+pathEscape(k)))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) || resp.Header.Get("Content-Type") != "application/x-test" ||
			resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %q: %s, %d bytes, Content-Type %q, Cache-Control %q", k, resp.Status, len(got),
				resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
	}
	// An object outside the prefix is not listed.
	other, _ := objstore.NewS3(objstore.Target{Bucket: "apt", Prefix: "other/"}, storeConfig(srv.Endpoint), nil)
	if _, err := other.Put(ctx, "x", strings.NewReader("x"), 1, objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	list, err := store.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range list {
		listed = append(listed, o.Key)
	}
	if want := slices.Sorted(slices.Values(keys)); !slices.Equal(slices.Sorted(slices.Values(listed)), want) {
		t.Errorf("listed %q, want %q", listed, want)
	}

	// A payload that does not match the SHA256 it is sent with is refused.
	_, err = store.Put(ctx, "pool/bad.deb", strings.NewReader("other bytes"), 11,
		objstore.PutOptions{SHA256: strings.Repeat("0", 64)})
	var s3err *objstore.Error
	if !errors.As(err, &s3err) || s3err.StatusCode != http.StatusBadRequest {
		t.Errorf("put with a wrong SHA256: %v, want a 400 *objstore.Error", err)
	}
	if _, err := store.Head(ctx, "pool/bad.deb"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("head of the refused object: %v, want ErrNotFound", err)
	}

	for _, k := range keys {
		if err := store.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Head(ctx, k); !errors.Is(err, objstore.ErrNotFound) {
			t.Errorf("head %q after delete: %v, want ErrNotFound", k, err)
		}
	}

	// Errors carry the service's code; bad credentials are refused.
	missing, _ := objstore.NewS3(objstore.Target{Bucket: "no-such-bucket"}, storeConfig(srv.Endpoint), nil)
	if _, err := missing.List(ctx); !errors.As(err, &s3err) || s3err.Code != "NoSuchBucket" {
		t.Errorf("list of a missing bucket: %v, want NoSuchBucket", err)
	}
	cfg := storeConfig(srv.Endpoint)
	cfg.SecretKey = "wrong"
	wrong, _ := objstore.NewS3(target, cfg, nil)
	if _, err := wrong.List(ctx); !errors.As(err, &s3err) || s3err.StatusCode != http.StatusForbidden {
		t.Errorf("list with a wrong secret: %v, want 403", err)
	}
}

// pathEscape escapes each segment of key for a URL.
func pathEscape(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
