package singleclick

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"aim/repo"
	"aim/repo/installfile"
	"aim/repo/pgp"
	"aim/repo/sources"
)

// updateSources updates the sources staging added or enabled, one by
// one; a source signed by a key not trusted yet gets the key when
// opts.Trust accepts it, and an unsigned one is re-added as trusted=yes
// with opts.AllowUnsigned.
func (s *Staged) updateSources() error {
	for i := range s.File.Repositories {
		r := &s.File.Repositories[i]
		if r.Action == Present {
			continue
		}
		err := s.updateOne(r.Source)
		if keys := pgp.UnknownSigners(err); len(keys) > 0 && r.Action == Add {
			if err = s.trustKey(r, keys); err == nil {
				err = s.updateOne(r.Source)
			}
		} else if errors.Is(err, pgp.ErrNoSignature) && r.Action == Add {
			if err = s.allowUnsigned(r); err == nil {
				err = s.updateOne(r.Source)
			}
		}
		if err != nil {
			return fmt.Errorf("repository %s (%s) could not be used: %w", r.Source, r.URI, err)
		}
	}
	return nil
}

// updateOne updates the source called name and no other; it returns that
// source's failure.
func (s *Staged) updateOne(name string) error {
	return s.withUpdater(func(u *repo.Updater, srcs []sources.Source) error {
		u.Only = name
		results, err := u.Update(s.ctx, srcs)
		for _, res := range results {
			if res.Source == name && res.Err != nil {
				return res.Err
			}
		}
		var ue *repo.UpdateError
		if errors.As(err, &ue) {
			return nil // another source's old failure
		}
		return err
	})
}

// trustKey fetches the repository's key (key_uri, else key.asc at its
// URI), checks that it is the key that signed the repository, asks
// opts.Trust, then re-adds the source with the key as its own keyring
// (signed-by).
func (s *Staged) trustKey(r *Repository, unknown []*pgp.UnknownSignerError) error {
	keyURI := r.KeyURI
	if keyURI == "" {
		keyURI = strings.TrimRight(r.URI, "/") + "/key.asc"
	}
	signer := unknown[0].ID()
	data, err := installfile.ReadURL(s.ctx, keyURI)
	if err != nil {
		return fmt.Errorf("signed by key %s, which is not trusted, and its key could not be read: %w", signer, err)
	}
	kr, err := pgp.ParseKeyring(data)
	if err != nil {
		return fmt.Errorf("key %s: %w", keyURI, err)
	}
	k, ok := signingKey(kr, unknown)
	if !ok {
		return fmt.Errorf("signed by key %s, but %s holds another key: refusing it", signer, keyURI)
	}
	yes := false
	if s.opts.Trust != nil {
		if yes, err = s.opts.Trust(r, k); err != nil {
			return err
		}
	}
	if !yes {
		return fmt.Errorf("key %s not trusted", k.Fingerprint)
	}
	var armored bytes.Buffer
	if err := kr.Select(func(o pgp.Key) bool { return o.Fingerprint == k.Fingerprint }).WriteArmored(&armored); err != nil {
		return err
	}
	r.Key = k.Fingerprint
	return s.readd(r, r.write, armored.Bytes())
}

// signingKey returns the key of kr that is, or holds the subkey that is,
// one of the unknown signers.
func signingKey(kr *pgp.Keyring, unknown []*pgp.UnknownSignerError) (pgp.Key, bool) {
	for _, k := range kr.Keys() {
		ids := []string{k.Fingerprint, k.KeyID}
		for _, sub := range k.Subkeys {
			ids = append(ids, sub.Fingerprint, sub.KeyID)
		}
		for _, u := range unknown {
			if slices.Contains(ids, u.Fingerprint) || slices.Contains(ids, u.KeyID) {
				return k, true
			}
		}
	}
	return pgp.Key{}, false
}

// allowUnsigned re-adds an unsigned repository as trusted=yes, only with
// opts.AllowUnsigned.
func (s *Staged) allowUnsigned(r *Repository) error {
	if !s.opts.AllowUnsigned {
		return errors.New("the repository is not signed: run again with --allow-unsigned only if you trust it unsigned")
	}
	return s.readd(r, strings.Replace(r.write, "deb ", "deb [trusted=yes] ", 1), nil)
}

// readd replaces the source staging added for r by line, with key.
func (s *Staged) readd(r *Repository, line string, key []byte) error {
	if _, err := sources.Remove(s.in.Root(), r.Source); err != nil {
		return err
	}
	s.added = slices.DeleteFunc(s.added, func(n string) bool { return n == r.Source })
	src, err := sources.AddLine(s.in.Root(), line, sources.AddOptions{Name: r.Source, Key: key})
	if err != nil {
		return err
	}
	s.added = append(s.added, src.Name)
	return nil
}
