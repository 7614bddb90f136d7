package publish

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"aim/deb"
	"aim/repo"
	"aim/repo/pgp"
)

// ReleaseSigner signs Release files; *pgp.Signer is one. Both methods
// must give the same bytes for the same input and time, for
// reproducible repositories.
type ReleaseSigner interface {
	// ClearSign returns text clear-signed, as InRelease.
	ClearSign(text []byte, now time.Time) ([]byte, error)
	// DetachSign returns an armored detached signature, as Release.gpg.
	DetachSign(data []byte, now time.Time) ([]byte, error)
	// PublicKey returns the key that checks the signatures.
	PublicKey() *pgp.Keyring
}

// Options say how Publish signs and dates a repository.
type Options struct {
	Signer ReleaseSigner
	// Now is the Release's Date and the signatures' time; callers honour
	// SOURCE_DATE_EPOCH by passing it here.
	Now time.Time
	// ValidFor, when not zero, sets Valid-Until to Now plus ValidFor. A
	// Release whose validity has less than half of ValidFor left is
	// re-signed by the next Publish even when nothing else changed.
	ValidFor time.Duration
	// Keep is how many earlier generations of by-hash indexes stay for
	// clients in the middle of an update (3 when 0).
	Keep int
}

// Outcomes of publishing a dist.
const (
	Unchanged = "unchanged" // nothing written
	Resigned  = "resigned"  // only Release, InRelease and Release.gpg
	Updated   = "updated"   // new indexes and a new Release
)

// Result says what Publish did for one dist. Paths are relative
// to the repository's top.
type Result struct {
	Dist     string `json:"dist"`
	Outcome  string `json:"outcome"`
	Packages int    `json:"packages"`
	// Written lists the files written, in order.
	Written []string `json:"written"`
	// Removed lists the by-hash files of generations no longer kept and,
	// in the first dist's result, the pool files no dist names any more.
	Removed []string `json:"removed,omitempty"`
}

// indexFile is one index file Publish serves: its path below the
// Release's directory, its contents when they must be written (nil when
// the file on disk is current), and its Release entry.
type indexFile struct {
	entry repo.ReleaseFile
	data  []byte
}

// Publish writes every dist's indexes and signed Release from the package
// databases, then the public key as key.asc, then deletes pool files no
// dist names. Its guarantees:
//
//   - Atomic switch: a dists/ tree is published as generations (see
//     generation.go): each publish writes a new directory dists/D.gen/N
//     whole and switches the link dists/D to it with one rename, so
//     readers of plain paths and of by-hash see one generation, and a
//     publish killed at any moment leaves the previous one whole. Each
//     generation also serves the by-hash files of the earlier ones kept
//     (see Options.Keep), so a client that read the previous InRelease
//     still finds every index it names; the Release says
//     Acquire-By-Hash: yes. A flat repository has no directory of its
//     own to switch: each file is renamed into place complete, indexes
//     first and InRelease last, so a reader may see new indexes with the
//     old InRelease (a hash mismatch; apt and aim then fail the update
//     and a retry succeeds), never a Release naming files not there.
//   - No change, no write: when the indexes and Release fields are those
//     already published and validly signed by this key, nothing is
//     written; when only Valid-Until is due, only Release, InRelease and
//     Release.gpg are.
//   - Reproducible: the output depends only on the databases, settings,
//     key and Options.
func (r *Repo) Publish(opts Options) ([]Result, error) {
	if opts.Signer == nil {
		return nil, errors.New("publish: no signing key")
	}
	if opts.Keep == 0 {
		opts.Keep = 3
	}
	var results []Result
	// The pool is listed while the indexes are compressed: walking
	// thousands of directories would otherwise follow them on one core.
	type listing struct {
		files []poolFile
		err   error
	}
	pool := make(chan listing, 1)
	go func() {
		files, err := r.listPool()
		pool <- listing{files, err}
	}()
	cc := newChunkCompressor(r)
	defer cc.prune()
	for _, d := range r.Settings.Dists {
		res, err := r.publishDist(d, opts, cc)
		if err != nil {
			return results, fmt.Errorf("publish %s: %w", d, err)
		}
		results = append(results, *res)
	}
	var key bytes.Buffer
	if err := opts.Signer.PublicKey().WriteArmored(&key); err != nil {
		return results, err
	}
	if err := r.writeIfChanged("key.asc", key.Bytes(), nil); err != nil {
		return results, err
	}
	if err := r.recordPublished(); err != nil {
		return results, fmt.Errorf("publish: %w", err)
	}
	listed := <-pool
	if listed.err != nil {
		return results, fmt.Errorf("publish: clean pool: %w", listed.err)
	}
	removed, err := r.collectPool(listed.files)
	if err != nil {
		return results, fmt.Errorf("publish: clean pool: %w", err)
	}
	if len(results) > 0 {
		results[0].Removed = append(results[0].Removed, removed...)
	}
	return results, nil
}

func (r *Repo) publishDist(dist string, opts Options, cc *chunkCompressor) (*Result, error) {
	st, err := r.loadState(dist)
	if err != nil {
		return nil, err
	}
	res := &Result{Dist: dist, Outcome: Unchanged, Packages: len(st.packages(r.Settings.Components))}
	dir := r.distDir(dist)
	old := r.readRelease(dir)
	files, err := r.buildIndexes(st, dir, old, cc)
	if err != nil {
		return nil, err
	}
	rel := r.newRelease(dist, files, opts)
	switch {
	case old == nil || !sameContent(old, rel):
		res.Outcome = Updated
	case !r.signedBy(dir, old, opts) || validityDue(old, opts):
		res.Outcome = Resigned
	default:
		if r.Settings.Flat {
			return res, nil
		}
		return res, r.cleanAfterUnchanged(dir)
	}
	if !r.Settings.Flat {
		return res, r.publishGeneration(dist, dir, old, rel, files, opts, res)
	}
	if res.Outcome == Updated {
		if err := r.writeIndexes(dir, files, res); err != nil {
			return nil, err
		}
	}
	if err := r.writeRelease(dir, rel, opts, res); err != nil {
		return nil, err
	}
	return res, nil
}

// readRelease returns the Release published in dir, or nil when there is
// none or it does not parse.
func (r *Repo) readRelease(dir string) *repo.Release {
	data, err := os.ReadFile(filepath.Join(r.Dir, dir, "Release"))
	if err != nil {
		return nil
	}
	rel, err := repo.ParseRelease(data)
	if err != nil {
		return nil
	}
	return rel
}

// indexPaths lists the uncompressed Packages indexes of the repository
// below the Release's directory, each with the components and
// architecture it holds.
func (r *Repo) indexPaths() []struct {
	path  string
	comps []string
	arch  string
} {
	type ix = struct {
		path  string
		comps []string
		arch  string
	}
	var out []ix
	if r.Settings.Flat {
		return append(out, ix{"Packages", r.Settings.Components, ""})
	}
	for _, c := range r.Settings.Components {
		for _, a := range r.Settings.Architectures {
			out = append(out, ix{c + "/binary-" + a + "/Packages", []string{c}, a})
		}
	}
	return out
}

// indexCompressions are the forms of every Packages index besides the
// uncompressed one.
var indexCompressions = []deb.Compression{deb.Gzip, deb.Xz}

// buildIndexes makes every index file. An index whose uncompressed text
// the old Release already lists, with its compressed forms intact on
// disk, is taken as it is, without compressing again.
func (r *Repo) buildIndexes(st *distState, dir string, old *repo.Release, cc *chunkCompressor) ([]indexFile, error) {
	var files []indexFile
	for _, ix := range r.indexPaths() {
		var paras []*deb.Paragraph
		for _, c := range ix.comps {
			for _, p := range st.comps[c] {
				if r.indexes(ix.arch, deb.IdentityOf(p).Architecture) {
					paras = append(paras, p)
				}
			}
		}
		if len(ix.comps) > 1 {
			sortParagraphs(paras)
		}
		chunks := chunkTexts(paras)
		text := bytes.Join(chunks, nil)
		plain := indexFile{entry: fileEntry(ix.path, text), data: text}
		if kept, ok := r.keptIndex(dir, plain.entry, old); ok {
			files = append(files, kept...)
			continue
		}
		files = append(files, plain)
		compressed, err := cc.compress(chunks)
		if err != nil {
			return nil, err
		}
		for _, c := range indexCompressions {
			name := ix.path + c.Extension()
			files = append(files, indexFile{entry: fileEntry(name, compressed[c]), data: compressed[c]})
		}
	}
	slices.SortFunc(files, func(a, b indexFile) int { return compareStrings(a.entry.Path, b.entry.Path) })
	return files, nil
}

// indexes reports whether the index of arch lists a package of
// architecture pkgArch: its own and all, or, for the one index of a flat
// repository (arch ""), every architecture of the repository.
func (r *Repo) indexes(arch, pkgArch string) bool {
	if pkgArch == "all" || pkgArch == arch {
		return true
	}
	return arch == "" && slices.Contains(r.Settings.Architectures, pkgArch)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// keptIndex returns the published entries of an index whose text is
// plain when the old Release lists it and its compressed forms, and the
// files on disk still have the listed size and SHA256.
func (r *Repo) keptIndex(dir string, plain repo.ReleaseFile, old *repo.Release) ([]indexFile, bool) {
	if old == nil {
		return nil, false
	}
	if e, ok := old.File(plain.Path); !ok || e.SHA256 != plain.SHA256 || e.Size != plain.Size || e.SHA512 == "" || e.MD5 == "" {
		return nil, false
	}
	out := []indexFile{{entry: plain}}
	for _, c := range indexCompressions {
		e, ok := old.File(plain.Path + c.Extension())
		if !ok || e.SHA512 == "" || e.MD5 == "" {
			return nil, false
		}
		out = append(out, indexFile{entry: e})
	}
	for _, f := range out {
		sum, err := fileSHA256(filepath.Join(r.Dir, dir, filepath.FromSlash(f.entry.Path)))
		if err != nil || sum != f.entry.SHA256 {
			return nil, false
		}
	}
	return out, true
}

// compressIndex compresses an index's text with c.
func compressIndex(p string, c deb.Compression, text []byte) (indexFile, error) {
	var b bytes.Buffer
	w, err := deb.NewCompressor(c, &b, 0)
	if err != nil {
		return indexFile{}, err
	}
	if _, err := w.Write(text); err != nil {
		return indexFile{}, err
	}
	if err := w.Close(); err != nil {
		return indexFile{}, err
	}
	name := p + c.Extension()
	return indexFile{entry: fileEntry(name, b.Bytes()), data: b.Bytes()}, nil
}

// fileEntry is the Release entry of a file with contents data.
func fileEntry(p string, data []byte) repo.ReleaseFile {
	m, s2, s5 := md5.Sum(data), sha256.Sum256(data), sha512.Sum512(data)
	return repo.ReleaseFile{Path: p, Size: int64(len(data)), MD5: hex.EncodeToString(m[:]),
		SHA256: hex.EncodeToString(s2[:]), SHA512: hex.EncodeToString(s5[:])}
}

// newRelease is the Release of dist listing files.
func (r *Repo) newRelease(dist string, files []indexFile, opts Options) *repo.Release {
	s := r.Settings
	rel := &repo.Release{Origin: s.Origin, Label: s.Label, Suite: dist, Codename: dist, Description: s.Description,
		Date: opts.Now.UTC().Truncate(time.Second), Architectures: s.Architectures}
	if !s.Flat {
		rel.Components, rel.AcquireByHash = s.Components, true
	}
	if opts.ValidFor > 0 {
		rel.ValidUntil = rel.Date.Add(opts.ValidFor)
	}
	for _, f := range files {
		rel.Files = append(rel.Files, f.entry)
	}
	return rel
}

// sameContent reports whether two Releases say the same but for their
// dates.
func sameContent(a, b *repo.Release) bool {
	x, y := *a, *b
	x.Date, x.ValidUntil, y.Date, y.ValidUntil = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return bytes.Equal(x.Bytes(), y.Bytes())
}

// validityDue reports whether old's Valid-Until must be renewed: set
// when opts asks for none, missing when it asks for one, or with less
// than half of ValidFor left.
func validityDue(old *repo.Release, opts Options) bool {
	switch {
	case opts.ValidFor == 0:
		return !old.ValidUntil.IsZero()
	case old.ValidUntil.IsZero():
		return true
	}
	return old.ValidUntil.Sub(opts.Now) < opts.ValidFor/2
}

// signedBy reports whether dir's InRelease and Release.gpg are signatures
// over old by opts' key that hold now.
func (r *Repo) signedBy(dir string, old *repo.Release, opts Options) bool {
	base := filepath.Join(r.Dir, dir)
	text, err1 := os.ReadFile(filepath.Join(base, "Release"))
	in, err2 := os.ReadFile(filepath.Join(base, "InRelease"))
	sig, err3 := os.ReadFile(filepath.Join(base, "Release.gpg"))
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	kr := opts.Signer.PublicKey()
	v, err := pgp.VerifyClearSigned(in, kr, opts.Now)
	if err != nil || !bytes.Equal(v.Text, text) {
		return false
	}
	_, err = pgp.VerifyDetached(text, sig, kr, opts.Now)
	return err == nil
}

// relPath joins a Release directory and a path below it.
func relPath(dir, p string) string {
	if dir == "" {
		return p
	}
	return path.Join(dir, p)
}
