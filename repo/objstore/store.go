package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Object is what a bucket says of one object. Key is relative to the
// store's prefix.
type Object struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
	// SHA256 is the content hash kept in the object's metadata; List
	// leaves it empty, Head fills it when the object has one.
	SHA256 string
}

// PutOptions are the headers an object is stored with.
type PutOptions struct {
	ContentType, CacheControl string
	// SHA256 is kept in the object's metadata (x-amz-meta-sha256).
	SHA256 string
}

// Store is a bucket below a prefix. Keys are relative to the prefix.
// Put must replace an object atomically: a reader sees the old object or
// the new one whole, as S3 guarantees.
type Store interface {
	List(ctx context.Context) ([]Object, error)
	Head(ctx context.Context, key string) (Object, error)
	// Put stores r (size bytes) as key and returns the new object's ETag.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (string, error)
	Delete(ctx context.Context, key string) error
}

// ErrNotFound is returned by Head for a missing object.
var ErrNotFound = errors.New("object not found")

// metaSHA256 is the user metadata key the content hash is stored under.
const metaSHA256 = "Sha256"

// S3 is a Store on an S3-compatible service, through minio-go.
type S3 struct {
	client *minio.Client
	target Target
}

// NewS3 connects to the bucket of target with cfg. transport, when not
// nil, carries the requests (tests count them with it).
func NewS3(target Target, cfg Config, transport http.RoundTripper) (*S3, error) {
	host, secure, err := endpointHost(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	if cfg.AccessKey == "" {
		creds = credentials.New(&credentials.Static{Value: credentials.Value{SignerType: credentials.SignatureAnonymous}})
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	c, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: region, BucketLookup: lookup, Transport: transport})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", host, err)
	}
	return &S3{client: c, target: target}, nil
}

// Client returns the minio client, for setting up buckets in tests and
// tools.
func (s *S3) Client() *minio.Client { return s.client }

// List returns every object below the prefix.
func (s *S3) List(ctx context.Context) ([]Object, error) {
	var out []Object
	for o := range s.client.ListObjects(ctx, s.target.Bucket, minio.ListObjectsOptions{Prefix: s.target.Prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("list %s: %w", s.target, o.Err)
		}
		out = append(out, Object{Key: strings.TrimPrefix(o.Key, s.target.Prefix), Size: o.Size,
			ETag: strings.Trim(o.ETag, `"`), LastModified: o.LastModified})
	}
	return out, nil
}

// Head returns an object's size, ETag and kept SHA256, or ErrNotFound.
func (s *S3) Head(ctx context.Context, key string) (Object, error) {
	o, err := s.client.StatObject(ctx, s.target.Bucket, s.target.Prefix+key, minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return Object{}, fmt.Errorf("head %s: %w", key, ErrNotFound)
		}
		return Object{}, fmt.Errorf("head %s: %w", key, err)
	}
	sum := o.UserMetadata[metaSHA256]
	if sum == "" {
		sum = o.Metadata.Get("X-Amz-Meta-" + metaSHA256)
	}
	return Object{Key: key, Size: o.Size, ETag: strings.Trim(o.ETag, `"`), LastModified: o.LastModified, SHA256: sum}, nil
}

// Put uploads r (size bytes) as key with opts' headers and hash.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (string, error) {
	info, err := s.client.PutObject(ctx, s.target.Bucket, s.target.Prefix+key, r, size, minio.PutObjectOptions{
		ContentType: opts.ContentType, CacheControl: opts.CacheControl,
		UserMetadata: map[string]string{metaSHA256: opts.SHA256},
		// One PUT per object up to 64 MiB; larger ones are multipart
		// (their ETag is then no MD5, hence the kept SHA256).
		PartSize: 64 << 20,
	})
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	return strings.Trim(info.ETag, `"`), nil
}

// Delete removes key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := s.client.RemoveObject(ctx, s.target.Bucket, s.target.Prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
