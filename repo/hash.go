package repo

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// hasher is a SHA256 writer that gives its sum in lower-case hex.
type hasher struct{ hash.Hash }

func newHasher() hasher { return hasher{sha256.New()} }

func (h hasher) hex() string { return hex.EncodeToString(h.Sum(nil)) }

func sum256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
