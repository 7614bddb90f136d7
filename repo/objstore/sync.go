package objstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
)

// Options tune Sync.
type Options struct {
	// Keep is how many releases a stale object other than a by-hash copy
	// outlives (3 when 0), as the publisher keeps three generations of
	// by-hash indexes.
	Keep int
	// MinAge is how long an object stays after it went stale (an hour
	// when 0; negative for none).
	MinAge time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Workers is how many requests run at once within a phase (4 when 0).
	Workers int
	// StateFile is where Sync remembers hashes and stale objects between
	// runs; none when empty.
	StateFile string
	// Progress, when set, is called for each upload and deletion, from
	// several goroutines.
	Progress func(op, key string)
}

// Result says what Sync did.
type Result struct {
	// Uploaded are the keys put, in the order their phases ran.
	Uploaded []string `json:"uploaded"`
	// Unchanged counts the local files the bucket held already.
	Unchanged int `json:"unchanged"`
	// Checked counts the objects whose hash was asked of the bucket.
	Checked int `json:"checked"`
	// Deleted are the stale objects removed.
	Deleted []string `json:"deleted"`
	// Waiting are stale objects kept until they age out.
	Waiting []string `json:"waiting"`
}

// Sync makes the bucket serve the repository directory dir: it uploads
// what changed in the safe order (see Phase) and deletes objects that
// aged out. Its guarantees:
//
//   - Each phase is complete before the next starts, so an InRelease is
//     never up before the indexes and pool files it names; a Sync stopped
//     anywhere leaves the previous InRelease with all it names, and the
//     next Sync completes the upload.
//   - An object is uploaded only when the bucket has no object of that
//     key with the local file's size and SHA256 (from the object's
//     metadata; a by-hash copy is named by its hash, so its size is
//     enough).
//   - Objects no longer in the tree are deleted only after the InRelease
//     phase, when stale for Options.MinAge and, but for by-hash copies,
//     for Options.Keep releases.
func Sync(ctx context.Context, dir string, store Store, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	st := &state{Local: map[string]LocalFile{}, Remote: map[string]remoteRecord{}, Stale: map[string]staleRecord{}}
	if opts.StateFile != "" {
		var err error
		if st, err = loadState(opts.StateFile); err != nil {
			return nil, fmt.Errorf("sync state: %w", err)
		}
	}
	files, err := Tree(dir, st.Local)
	if err != nil {
		return nil, err
	}
	st.Local = map[string]LocalFile{}
	for _, f := range files {
		st.Local[f.Key] = f
	}
	remote, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	s := &syncer{store: store, opts: opts, st: st, remote: map[string]Object{}, types: typesByHash(files), res: &Result{Uploaded: []string{}, Deleted: []string{}, Waiting: []string{}}}
	for _, o := range remote {
		s.remote[o.Key] = o
	}
	for ph := PhaseContent; ph <= PhaseInRelease; ph++ {
		var batch []LocalFile
		for _, f := range files {
			if f.Phase() == ph {
				batch = append(batch, f)
			}
		}
		before := len(s.res.Uploaded)
		err := s.run(ctx, batch)
		if serr := s.save(); err == nil {
			err = serr
		}
		if err != nil {
			return s.res, err
		}
		if ph == PhaseInRelease && len(s.res.Uploaded) > before {
			st.Releases++
		}
	}
	if err := s.collect(ctx, remote); err != nil {
		return s.res, err
	}
	return s.res, s.save()
}

func (o Options) withDefaults() Options {
	if o.Keep == 0 {
		o.Keep = 3
	}
	if o.MinAge == 0 {
		o.MinAge = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	return o
}

// typesByHash maps the SHA256 of every file with a name to its content
// type, for the by-hash copies of the same bytes.
func typesByHash(files []LocalFile) map[string]string {
	m := map[string]string{}
	for _, f := range files {
		if !isByHash(f.Key) {
			m[f.SHA256] = ContentType(f.Key)
		}
	}
	return m
}

// syncer is one Sync's working state.
type syncer struct {
	store  Store
	opts   Options
	mu     sync.Mutex
	st     *state
	remote map[string]Object
	types  map[string]string
	res    *Result
}

func (s *syncer) save() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.save(s.opts.StateFile)
}

// run ensures every file of a batch is in the bucket, with up to
// Workers requests at once; the first error stops it.
func (s *syncer) run(ctx context.Context, batch []LocalFile) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan LocalFile)
	errs := make(chan error, s.opts.Workers)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				if err := s.ensure(ctx, f); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for _, f := range batch {
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// ensure uploads f unless the bucket holds its bytes already.
func (s *syncer) ensure(ctx context.Context, f LocalFile) error {
	same, err := s.holds(ctx, f)
	if err != nil {
		return err
	}
	if same {
		s.mu.Lock()
		s.res.Unchanged++
		s.mu.Unlock()
		return nil
	}
	in, err := os.Open(f.Path)
	if err != nil {
		return err
	}
	defer in.Close()
	ctype := ContentType(f.Key)
	if isByHash(f.Key) {
		if t, ok := s.types[f.SHA256]; ok {
			ctype = t
		}
	}
	if s.opts.Progress != nil {
		s.opts.Progress("put", f.Key)
	}
	etag, err := s.store.Put(ctx, f.Key, in, f.Size, PutOptions{ContentType: ctype, CacheControl: CacheControl(f.Key), SHA256: f.SHA256})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Remote[f.Key] = remoteRecord{ETag: etag, Size: f.Size, SHA256: f.SHA256}
	s.res.Uploaded = append(s.res.Uploaded, f.Key)
	return nil
}

// holds reports whether the bucket's object f.Key has f's size and
// SHA256.
func (s *syncer) holds(ctx context.Context, f LocalFile) (bool, error) {
	s.mu.Lock()
	o, ok := s.remote[f.Key]
	rec, known := s.st.Remote[f.Key]
	s.mu.Unlock()
	switch {
	case !ok || o.Size != f.Size:
		return false, nil
	case isByHash(f.Key):
		return true, nil
	case known && rec.ETag != "" && rec.ETag == o.ETag && rec.Size == o.Size:
		return rec.SHA256 == f.SHA256, nil
	}
	h, err := s.store.Head(ctx, f.Key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Checked++
	if h.SHA256 == "" {
		return false, nil
	}
	s.st.Remote[f.Key] = remoteRecord{ETag: h.ETag, Size: h.Size, SHA256: h.SHA256}
	return h.SHA256 == f.SHA256 && h.Size == f.Size, nil
}

// collect deletes the stale objects that aged out and dates the others.
func (s *syncer) collect(ctx context.Context, remote []Object) error {
	now := s.opts.Now()
	seen := map[string]bool{}
	for _, o := range remote {
		if _, ok := s.st.Local[o.Key]; ok {
			continue
		}
		seen[o.Key] = true
		rec, ok := s.st.Stale[o.Key]
		if !ok {
			rec = staleRecord{Since: now, Releases: s.st.Releases}
			s.st.Stale[o.Key] = rec
		}
		aged := s.opts.MinAge < 0 || now.Sub(rec.Since) >= s.opts.MinAge
		if !isByHash(o.Key) && s.st.Releases-rec.Releases < s.opts.Keep {
			aged = false
		}
		if !aged {
			s.res.Waiting = append(s.res.Waiting, o.Key)
			continue
		}
		if s.opts.Progress != nil {
			s.opts.Progress("delete", o.Key)
		}
		if err := s.store.Delete(ctx, o.Key); err != nil {
			return err
		}
		delete(s.st.Stale, o.Key)
		delete(s.st.Remote, o.Key)
		s.res.Deleted = append(s.res.Deleted, o.Key)
	}
	for k := range s.st.Stale {
		if !seen[k] {
			delete(s.st.Stale, k)
		}
	}
	// Records of objects the tree no longer holds are dropped.
	for k := range s.st.Remote {
		if _, ok := s.st.Local[k]; !ok {
			delete(s.st.Remote, k)
		}
	}
	slices.Sort(s.res.Waiting)
	return nil
}
