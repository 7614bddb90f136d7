package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"aim/deb/rootfs"
)

// Progress reports the state of one download to a Fetcher's callback.
type Progress struct {
	URL   string
	Done  int64 // bytes received so far
	Total int64 // expected bytes, or -1 when unknown
	// Rate is the average speed so far, in bytes per second.
	Rate float64
}

// Fetcher downloads files over file://, http:// and https://. Every
// download goes to a temporary file beside its destination and is renamed
// into place only once its size and SHA256 match what was expected, so a
// destination file is always either absent, old, or complete and right.
type Fetcher struct {
	// Client is the HTTP client; nil means NewFetcher's. A client without
	// a CheckRedirect is used with RefuseDowngrade.
	Client *http.Client
	// Retries is how many times a transient failure (network error, 5xx,
	// 429) is retried, with exponential back-off from RetryDelay.
	Retries    int
	RetryDelay time.Duration
	// Progress, when set, is called as bytes arrive (at most every 100 ms
	// per download, and once at the end).
	Progress func(Progress)
	// UserAgent is sent with HTTP requests.
	UserAgent string
}

// Request is one file to fetch.
type Request struct {
	URL  string
	Dest string
	// Size and SHA256, when set (Size >= 0, SHA256 non-empty), must match
	// the received bytes or the download fails and Dest is untouched.
	Size   int64
	SHA256 string
	// Scratch says Dest is scratch space that need not survive a crash:
	// it is renamed into place without syncing it to disk.
	Scratch bool
	// MaxSize bounds the bytes accepted when Size is unknown (0: 1 GiB).
	MaxSize int64
	// ETag and LastModified, from an earlier download, make the request
	// conditional: an unchanged file is not downloaded again.
	ETag, LastModified string
}

// Result says what a fetch did.
type Result struct {
	// NotModified is true when the server said the file is unchanged;
	// Dest was left as it was.
	NotModified        bool
	Size               int64
	SHA256             string
	ETag, LastModified string
}

// ErrNotFound is returned (wrapped) when the file does not exist: HTTP 404
// or 410, or a missing local file. Callers fall back on it (InRelease to
// Release, Packages.xz to Packages); other errors are failures.
var ErrNotFound = errors.New("not found")

// HashMismatchError reports a download whose size or hash differs from
// what the Release promised.
type HashMismatchError struct {
	URL           string
	What          string // "size" or "SHA256"
	Expected, Got string
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s: %s mismatch: expected %s, got %s", e.URL, e.What, e.Expected, e.Got)
}

// ErrInsecureRedirect is returned (wrapped) for a redirect from https to
// http: following it would drop the transport's protection of the
// request and reply, so it is refused, as apt refuses it.
var ErrInsecureRedirect = errors.New("redirect from https to http refused")

// maxRedirects is how many redirects a request follows (Go's default).
const maxRedirects = 10

// RefuseDowngrade is the CheckRedirect of every HTTP client aim uses: it
// follows at most 10 redirects and none to http once https was used.
func RefuseDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	for _, v := range via {
		if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s to %s", ErrInsecureRedirect, via[len(via)-1].URL.Redacted(), req.URL.Redacted())
		}
	}
	return nil
}

// NewFetcher returns a Fetcher with apt-like defaults: proxies from the
// environment, 30 s to connect and get response headers, 3 retries, no
// redirect from https to http (RefuseDowngrade).
func NewFetcher() *Fetcher {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &Fetcher{
		Client:     &http.Client{Transport: tr, CheckRedirect: RefuseDowngrade},
		Retries:    3,
		RetryDelay: 500 * time.Millisecond,
		UserAgent:  "aim",
	}
}

// Fetch downloads req.URL to req.Dest.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (Result, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	switch u.Scheme {
	case "file":
		return f.fetchFile(req, u.Path)
	case "http", "https":
		return f.fetchHTTP(ctx, req)
	}
	return Result{}, fmt.Errorf("fetch %s: unsupported scheme %q (want file, http or https)", req.URL, u.Scheme)
}

func (f *Fetcher) fetchFile(req Request, path string) (Result, error) {
	src, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, ErrNotFound)
	}
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	defer src.Close()
	return f.store(req, src, -1)
}

func (f *Fetcher) fetchHTTP(ctx context.Context, req Request) (Result, error) {
	delay := f.RetryDelay
	for attempt := 0; ; attempt++ {
		res, retry, err := f.tryHTTP(ctx, req)
		if err == nil || !retry || attempt >= f.Retries {
			return res, err
		}
		select {
		case <-ctx.Done():
			return Result{}, fmt.Errorf("fetch %s: %w", req.URL, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// tryHTTP makes one attempt and says whether a failure is worth a retry.
func (f *Fetcher) tryHTTP(ctx context.Context, req Request) (Result, bool, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return Result{}, false, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	if f.UserAgent != "" {
		hr.Header.Set("User-Agent", f.UserAgent)
	}
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	client := f.Client
	if client == nil {
		client = NewFetcher().Client
	} else if client.CheckRedirect == nil {
		c := *client
		c.CheckRedirect = RefuseDowngrade
		client = &c
	}
	resp, err := client.Do(hr)
	if err != nil {
		retry := ctx.Err() == nil && !errors.Is(err, ErrInsecureRedirect)
		return Result{}, retry, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && (req.ETag != "" || req.LastModified != ""):
		return Result{NotModified: true, ETag: req.ETag, LastModified: req.LastModified}, false, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return Result{}, false, fmt.Errorf("fetch %s: %w (HTTP %d)", req.URL, ErrNotFound, resp.StatusCode)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return Result{}, true, fmt.Errorf("fetch %s: HTTP %s", req.URL, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return Result{}, false, fmt.Errorf("fetch %s: HTTP %s", req.URL, resp.Status)
	}
	res, err := f.store(req, resp.Body, resp.ContentLength)
	res.ETag, res.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	var mismatch *HashMismatchError
	return res, err != nil && !errors.As(err, &mismatch) && ctx.Err() == nil, err
}

// store copies r to a temporary file beside req.Dest, checks it, and
// commits it as req.Dest (mode 0600), so a failed or refused download
// leaves req.Dest as it was.
func (f *Fetcher) store(req Request, r io.Reader, length int64) (Result, error) {
	limit := req.MaxSize
	if limit <= 0 {
		limit = 1 << 30
	}
	if req.Size >= 0 && req.SHA256 != "" {
		limit = req.Size
	}
	if err := os.MkdirAll(filepath.Dir(req.Dest), 0o755); err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	tmp, err := rootfs.CreateAtomic(filepath.Dir(req.Dest))
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	defer tmp.Abort()
	total := length
	if req.Size >= 0 && req.SHA256 != "" {
		total = req.Size
	}
	h := sha256.New()
	pw := &progressWriter{f: f, url: req.URL, total: total, start: time.Now(), h: h}
	n, err := io.Copy(io.MultiWriter(tmp, pw), io.LimitReader(r, limit+1))
	pw.report(true)
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	res := Result{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	if err := checkDownload(req, res, limit); err != nil {
		return Result{}, err
	}
	commit := tmp.Commit
	if req.Scratch {
		commit = tmp.CommitScratch
	}
	if err := commit(req.Dest, 0o600); err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	return res, nil
}

func checkDownload(req Request, res Result, limit int64) error {
	if req.Size >= 0 && req.SHA256 != "" && res.Size != req.Size {
		return &HashMismatchError{URL: req.URL, What: "size", Expected: fmt.Sprint(req.Size), Got: fmt.Sprint(res.Size)}
	}
	if res.Size > limit {
		return fmt.Errorf("fetch %s: larger than %d bytes", req.URL, limit)
	}
	if req.SHA256 != "" && res.SHA256 != req.SHA256 {
		return &HashMismatchError{URL: req.URL, What: "SHA256", Expected: req.SHA256, Got: res.SHA256}
	}
	return nil
}

// progressWriter hashes what passes through and reports progress.
type progressWriter struct {
	f     *Fetcher
	url   string
	total int64
	done  int64
	start time.Time
	last  time.Time
	h     hash.Hash
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.h.Write(b)
	p.done += int64(len(b))
	p.report(false)
	return len(b), nil
}

func (p *progressWriter) report(final bool) {
	if p.f.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	rate := 0.0
	if el := now.Sub(p.start).Seconds(); el > 0 {
		rate = float64(p.done) / el
	}
	p.f.Progress(Progress{URL: p.url, Done: p.done, Total: p.total, Rate: rate})
}
