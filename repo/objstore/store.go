package objstore

import (
	"context"
	"errors"
	"io"
	"time"
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
