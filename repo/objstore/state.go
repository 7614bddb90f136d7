package objstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// state is what Sync remembers of a target between runs, in a JSON file
// beside the repository's state: it saves hashing unchanged local files
// and asking the bucket for the hash of unchanged objects, and it dates
// stale objects. Losing it costs time and delays deletions, never
// correctness.
type state struct {
	// Releases counts the syncs that uploaded an InRelease.
	Releases int `json:"releases"`
	// Local are the hashes of local files by key.
	Local map[string]LocalFile `json:"local"`
	// Remote are the objects Sync uploaded or checked, by key.
	Remote map[string]remoteRecord `json:"remote"`
	// Stale are the objects the local tree no longer holds, by key.
	Stale map[string]staleRecord `json:"stale"`
}

// remoteRecord ties an object's ETag to the content hash it holds.
type remoteRecord struct {
	ETag   string `json:"etag"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// staleRecord says when an object was first found stale, and how many
// releases had been uploaded then.
type staleRecord struct {
	Since    time.Time `json:"since"`
	Releases int       `json:"releases"`
}

func loadState(p string) (*state, error) {
	st := &state{}
	data, err := os.ReadFile(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(data, st); err != nil {
			// A damaged cache is dropped: every object is checked again.
			st = &state{}
		}
	}
	if st.Local == nil {
		st.Local = map[string]LocalFile{}
	}
	if st.Remote == nil {
		st.Remote = map[string]remoteRecord{}
	}
	if st.Stale == nil {
		st.Stale = map[string]staleRecord{}
	}
	return st, nil
}

// save writes the state to p atomically.
func (st *state) save(p string) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, p)
}
