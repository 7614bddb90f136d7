package objstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// S3 is a Store on an S3-compatible service: the four REST calls Sync
// needs (ListObjectsV2, HeadObject, PutObject, DeleteObject) over
// net/http, signed with the AWS SDK's Signature Version 4 signer.
type S3 struct {
	http      *http.Client
	target    Target
	scheme    string
	host      string // the endpoint's host[:port]
	pathStyle bool
	region    string
	creds     aws.Credentials
	anonymous bool
	signer    *v4.Signer
	// pageSize, when not 0, is the max-keys of each listing request
	// (tests make the listing span pages with it).
	pageSize int
}

// emptySHA256 is the SHA256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// maxPut is the largest object S3 takes in one PUT (5 GiB).
const maxPut = 5 << 30

// NewS3 connects to the bucket of target with cfg. transport, when not
// nil, carries the requests (tests count them with it). Buckets are
// addressed as BUCKET.HOST on AWS (no endpoint, or one of AWS's hosts)
// unless cfg.PathStyle is set or the bucket name has a dot (which TLS
// certificates of AWS do not cover), and as HOST/BUCKET elsewhere.
func NewS3(target Target, cfg Config, transport http.RoundTripper) (*S3, error) {
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
		if region != "us-east-1" {
			endpoint = "https://s3." + region + ".amazonaws.com"
		}
	}
	host, secure, err := endpointHost(endpoint)
	if err != nil {
		return nil, err
	}
	if transport == nil {
		// Sync's workers each keep a connection (the default keeps 2).
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		transport = t
	}
	s := &S3{
		http:   &http.Client{Transport: transport, CheckRedirect: noRedirects},
		target: target, host: host, region: region, scheme: "http",
		pathStyle: cfg.PathStyle || !isAWSHost(host) || strings.Contains(target.Bucket, "."),
		creds:     aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey, SessionToken: cfg.SessionToken},
		anonymous: cfg.AccessKey == "",
		signer:    v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
	}
	if secure {
		s.scheme = "https"
	}
	return s, nil
}

// noRedirects hands a redirect back as the response: S3 redirects only
// to say the bucket is elsewhere, and a signed request cannot follow.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// isAWSHost reports whether host is one of AWS's S3 endpoints.
func isAWSHost(host string) bool {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return (strings.HasPrefix(h, "s3.") || strings.HasPrefix(h, "s3-")) &&
		(strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".amazonaws.com.cn"))
}

// Error is an S3 error response.
type Error struct {
	// Op is the request ("PUT pool/a.deb").
	Op string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code and Message are from the response's XML body when it has one
	// (Code "NoSuchBucket", "AccessDenied", ...).
	Code, Message string
	// Region is the bucket's region when the service says so
	// (x-amz-bucket-region), as it does for a request to the wrong one.
	Region string
}

// Error says what failed and the service's reason.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Region != "" {
		msg += " (the bucket is in region " + e.Region + ")"
	}
	return msg
}

// request is one call: method on key ("" for the bucket itself) with
// query, body (size bytes, SHA256 payloadHash or "UNSIGNED-PAYLOAD")
// and extra headers.
type request struct {
	method, key string
	query       url.Values
	body        io.Reader
	size        int64
	payloadHash string
	header      http.Header
}

// url returns the request's URL, the path escaped as S3 signs it.
func (s *S3) url(key string, query url.Values) *url.URL {
	u := &url.URL{Scheme: s.scheme, Host: s.host, Path: "/" + key}
	if s.pathStyle {
		u.Path = "/" + s.target.Bucket + "/" + key
	} else {
		u.Host = s.target.Bucket + "." + s.host
	}
	u.RawPath = escapePath(u.Path)
	u.RawQuery = query.Encode()
	return u
}

// escapePath percent-encodes every byte of p but the unreserved ones and
// "/", as Signature Version 4 wants for S3.
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// do sends r signed and returns the response when its status is 2xx,
// else an *Error (the body read and closed).
func (s *S3) do(ctx context.Context, r request) (*http.Response, error) {
	op := r.method + " " + r.key
	if r.key == "" {
		op = r.method + " " + s.target.Bucket
	}
	u := s.url(r.key, r.query)
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), r.body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.URL = u
	if r.body != nil {
		req.ContentLength = r.size
		if r.size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if !s.anonymous {
		hash := r.payloadHash
		if hash == "" {
			hash = emptySHA256
		}
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if err := s.signer.SignHTTP(ctx, s.creds, req, hash, "s3", s.region, time.Now()); err != nil {
			return nil, fmt.Errorf("%s: sign: %w", op, err)
		}
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	e := &Error{Op: op, StatusCode: resp.StatusCode, Region: resp.Header.Get("X-Amz-Bucket-Region")}
	var body struct{ Code, Message string }
	if data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10)); len(data) > 0 && xml.Unmarshal(data, &body) == nil {
		e.Code, e.Message = body.Code, body.Message
	}
	return nil, e
}

// listResult is the part of a ListObjectsV2 response List reads.
type listResult struct {
	IsTruncated           bool
	NextContinuationToken string
	Contents              []struct {
		Key          string
		Size         int64
		ETag         string
		LastModified time.Time
	}
}

// List returns every object below the prefix.
func (s *S3) List(ctx context.Context) ([]Object, error) {
	var out []Object
	q := url.Values{"list-type": {"2"}, "prefix": {s.target.Prefix}}
	if s.pageSize > 0 {
		q.Set("max-keys", strconv.Itoa(s.pageSize))
	}
	for {
		resp, err := s.do(ctx, request{method: http.MethodGet, query: q})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.target, err)
		}
		var page listResult
		err = xml.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.target, err)
		}
		for _, o := range page.Contents {
			key, ok := strings.CutPrefix(o.Key, s.target.Prefix)
			if !ok {
				return nil, fmt.Errorf("list %s: object %q is outside the prefix", s.target, o.Key)
			}
			out = append(out, Object{Key: key, Size: o.Size, ETag: strings.Trim(o.ETag, `"`), LastModified: o.LastModified})
		}
		if !page.IsTruncated {
			return out, nil
		}
		if page.NextContinuationToken == "" {
			return nil, fmt.Errorf("list %s: truncated listing without a continuation token", s.target)
		}
		q.Set("continuation-token", page.NextContinuationToken)
	}
}

// Head returns an object's size, ETag and kept SHA256, or ErrNotFound.
func (s *S3) Head(ctx context.Context, key string) (Object, error) {
	resp, err := s.do(ctx, request{method: http.MethodHead, key: s.target.Prefix + key})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.StatusCode == http.StatusNotFound {
			return Object{}, fmt.Errorf("head %s: %w", key, ErrNotFound)
		}
		return Object{}, fmt.Errorf("head %s: %w", key, err)
	}
	resp.Body.Close()
	size, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		return Object{}, fmt.Errorf("head %s: Content-Length: %w", key, err)
	}
	mod, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	return Object{Key: key, Size: size, ETag: strings.Trim(resp.Header.Get("ETag"), `"`), LastModified: mod,
		SHA256: resp.Header.Get("X-Amz-Meta-" + metaSHA256)}, nil
}

// Put uploads r (size bytes, at most 5 GiB) as key with opts' headers
// and hash in one PUT. The payload is signed with opts.SHA256 when that
// is a SHA256 (so the service refuses bytes that do not match it), else
// sent unsigned.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (string, error) {
	if size < 0 || size > maxPut {
		return "", fmt.Errorf("put %s: %d bytes: want 0 to 5 GiB", key, size)
	}
	h := http.Header{}
	if opts.ContentType != "" {
		h.Set("Content-Type", opts.ContentType)
	}
	if opts.CacheControl != "" {
		h.Set("Cache-Control", opts.CacheControl)
	}
	payload := "UNSIGNED-PAYLOAD"
	if opts.SHA256 != "" {
		h.Set("X-Amz-Meta-"+metaSHA256, opts.SHA256)
		if isSHA256(opts.SHA256) {
			payload = strings.ToLower(opts.SHA256)
		}
	}
	if size == 0 {
		r, payload = bytes.NewReader(nil), emptySHA256
	}
	resp, err := s.do(ctx, request{method: http.MethodPut, key: s.target.Prefix + key, body: r, size: size, payloadHash: payload, header: h})
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	resp.Body.Close()
	return strings.Trim(resp.Header.Get("ETag"), `"`), nil
}

// isSHA256 reports whether s is 64 hexadecimal digits.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Delete removes key.
func (s *S3) Delete(ctx context.Context, key string) error {
	resp, err := s.do(ctx, request{method: http.MethodDelete, key: s.target.Prefix + key})
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	resp.Body.Close()
	return nil
}

// CreateBucket creates the target's bucket (in the store's region when
// that is not us-east-1), for setting up buckets in tests and tools.
func (s *S3) CreateBucket(ctx context.Context) error {
	var body []byte
	if s.region != "us-east-1" {
		body = []byte("<CreateBucketConfiguration><LocationConstraint>" + s.region + "</LocationConstraint></CreateBucketConfiguration>")
	}
	return s.putBucket(ctx, nil, body)
}

// SetBucketPolicy sets the target bucket's policy (a JSON document),
// for setting up buckets in tests and tools.
func (s *S3) SetBucketPolicy(ctx context.Context, policy string) error {
	return s.putBucket(ctx, url.Values{"policy": {""}}, []byte(policy))
}

// putBucket sends body to the bucket itself with query.
func (s *S3) putBucket(ctx context.Context, query url.Values, body []byte) error {
	sum := sha256.Sum256(body)
	resp, err := s.do(ctx, request{method: http.MethodPut, query: query, body: bytes.NewReader(body), size: int64(len(body)),
		payloadHash: hex.EncodeToString(sum[:])})
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
