package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/repo/pgp"
	"aim/repo/sources"
)

// sourceUpdate is the work of updating one source.
type sourceUpdate struct {
	u     *Updater
	src   *sources.Source
	prev  *db.SourceState
	lists string // the lists directory, where files are staged
	stage string // scratch directory for downloads
	kr    *pgp.Keyring
	tmps  []*rootfs.AtomicFile // every file staged, for abort
}

// staged is a file fetched and checked, written to a temporary file in
// the lists directory that commit gives its name.
type staged struct {
	file db.IndexFile
	tmp  *rootfs.AtomicFile // nil when kept as it was
}

// create starts a staged file.
func (su *sourceUpdate) create() (*rootfs.AtomicFile, error) {
	f, err := rootfs.CreateAtomic(su.lists)
	if err != nil {
		return nil, err
	}
	su.tmps = append(su.tmps, f)
	return f, nil
}

// stageBytes stages data.
func (su *sourceUpdate) stageBytes(data []byte) (*rootfs.AtomicFile, error) {
	f, err := su.create()
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return nil, err
	}
	return f, nil
}

// abort removes the staged files that commit did not name.
func (su *sourceUpdate) abort() {
	for _, f := range su.tmps {
		f.Abort()
	}
}

// run fetches the Release and indexes of every suite of the source. It
// reports unchanged when every Release was the one already recorded.
func (su *sourceUpdate) run(ctx context.Context) ([]staged, bool, error) {
	targets := su.src.Targets(append([]string{su.u.Arch}, su.u.Foreign...))
	var groups []string
	byRelease := map[string][]sources.Target{}
	for _, t := range targets {
		if t.Type != sources.TypeDeb {
			continue
		}
		k := t.ReleaseURL()
		if byRelease[k] == nil {
			groups = append(groups, k)
		}
		byRelease[k] = append(byRelease[k], t)
	}
	if len(groups) == 0 {
		return nil, false, fmt.Errorf("%s: %w (only deb-src entries?)", su.src.Name, errNoIndexes)
	}
	var out []staged
	unchanged := true
	for _, base := range groups {
		files, same, err := su.release(ctx, base, byRelease[base])
		if err != nil {
			return nil, false, err
		}
		out = append(out, files...)
		unchanged = unchanged && same
	}
	return out, unchanged, nil
}

// release updates the targets below one Release file.
func (su *sourceUpdate) release(ctx context.Context, base string, targets []sources.Target) ([]staged, bool, error) {
	text, out, err := su.fetchRelease(ctx, base)
	if err != nil {
		return nil, false, err
	}
	relFile := out[len(out)-1].file
	rel, err := ParseRelease(text)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", relFile.URL, err)
	}
	if err := su.checkRelease(rel, targets[0]); err != nil {
		return nil, false, fmt.Errorf("%s: %w", relFile.URL, err)
	}
	if err := su.checkRollback(base, rel); err != nil {
		return nil, false, fmt.Errorf("%s: %w", relFile.URL, err)
	}
	old, had := su.prev.Index(relFile.Path)
	same := had && old.SHA256 == relFile.SHA256
	for _, t := range su.withArchAll(rel, su.listedForeign(rel, targets)) {
		f, err := su.index(ctx, base, rel, t)
		if err != nil {
			return nil, false, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, same, nil
}

// optionalArch reports whether a target's architecture is one the source
// fetches only because it is a configured foreign architecture: the
// source has no arch= option of its own naming it.
func (su *sourceUpdate) optionalArch(t sources.Target) bool {
	return t.Arch != su.u.Arch && slices.Contains(su.u.Foreign, t.Arch) &&
		!slices.Contains(su.src.Architectures, t.Arch) && !slices.Contains(su.src.ArchitecturesAdd, t.Arch)
}

// listedForeign drops the targets of foreign architectures the Release
// does not list (a Release that lists no architectures keeps them, and a
// missing index is then no failure), as apt does for APT::Architectures.
func (su *sourceUpdate) listedForeign(rel *Release, targets []sources.Target) []sources.Target {
	if len(rel.Architectures) == 0 {
		return targets
	}
	return slices.DeleteFunc(slices.Clone(targets), func(t sources.Target) bool {
		return su.optionalArch(t) && !slices.Contains(rel.Architectures, t.Arch)
	})
}

// withArchAll adds the binary-all index of each component where the
// Release has one and does not say that all packages are in the native
// indexes (No-Support-for-Architecture-all: Packages), as apt does.
func (su *sourceUpdate) withArchAll(rel *Release, targets []sources.Target) []sources.Target {
	if rel.NoSupportForArchitectureAll == "Packages" || !slices.Contains(rel.Architectures, "all") {
		return targets
	}
	out := append([]sources.Target(nil), targets...)
	seen := map[string]bool{}
	for _, t := range targets {
		if t.Flat || t.Arch == "all" || seen[t.Component] {
			continue
		}
		seen[t.Component] = true
		a := t
		a.Arch = "all"
		if _, listed := rel.File(a.IndexPath()); listed || hasVariant(rel, a.IndexPath()) {
			out = append(out, a)
		}
	}
	return out
}

func hasVariant(rel *Release, p string) bool {
	for _, ext := range indexExtensions {
		if _, ok := rel.File(p + ext); ok {
			return true
		}
	}
	return false
}

// checkRelease applies the rules a Release must meet before its indexes
// are used: not expired, not from the future, and for the suite the
// source names.
func (su *sourceUpdate) checkRelease(rel *Release, t sources.Target) error {
	now := su.u.now()
	if !rel.ValidUntil.IsZero() && now.After(rel.ValidUntil) {
		return fmt.Errorf("release expired on %s (Valid-Until)", FormatReleaseDate(rel.ValidUntil))
	}
	skew := su.u.MaxFutureSkew
	if skew == 0 {
		skew = 10 * time.Minute
	}
	if !rel.Date.IsZero() && rel.Date.After(now.Add(skew)) {
		return fmt.Errorf("release date %s is in the future", FormatReleaseDate(rel.Date))
	}
	if t.Flat || strings.Contains(t.Suite, "/") {
		return nil
	}
	if t.Suite != rel.Suite && t.Suite != rel.Codename {
		return fmt.Errorf("release is for suite %q (codename %q), not %q", rel.Suite, rel.Codename, t.Suite)
	}
	return nil
}

// checkRollback refuses a Release dated before the one recorded for
// base, as apt does: an attacker who can serve files may replay an
// older, validly signed Release to hide updates. Updater's
// AllowReleaseDateRollback accepts it.
func (su *sourceUpdate) checkRollback(base string, rel *Release) error {
	old, ok := su.prev.Index(base + "Release")
	if !ok || su.u.AllowReleaseDateRollback || rel.Date.IsZero() {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(su.u.Root, old.CachePath))
	if err != nil {
		return nil // nothing kept to compare with: as on a first update
	}
	prev, err := ParseRelease(data)
	if err != nil || !rel.Date.Before(prev.Date) {
		return nil
	}
	return &ReleaseRollbackError{Date: rel.Date, Recorded: prev.Date}
}

// ReleaseRollbackError reports a Release whose Date is older than that
// of the Release recorded for its source by the last update: an older
// snapshot, or a replay of one. The source keeps its current lists.
type ReleaseRollbackError struct {
	Date, Recorded time.Time
}

func (e *ReleaseRollbackError) Error() string {
	return fmt.Sprintf("release dated %s is older than the one in use, dated %s (a replayed or rolled-back release)",
		FormatReleaseDate(e.Date), FormatReleaseDate(e.Recorded))
}

// fetchRelease gets and verifies InRelease, or Release and Release.gpg
// when (and only when) InRelease does not exist. It returns the signed
// text and the files to record: the text as the source's "Release" file
// and, for InRelease, the raw signed file. An InRelease that the server
// says is unchanged is not downloaded again, but its kept copy is
// verified again with today's keys.
func (su *sourceUpdate) fetchRelease(ctx context.Context, base string) ([]byte, []staged, error) {
	raw := filepath.Join(su.stage, "InRelease.raw")
	req := Request{URL: base + "InRelease", Dest: raw, Size: -1, MaxSize: 64 << 20}
	prevRaw, hadRaw := su.prev.Index(base + "InRelease")
	if hadRaw && fileExists(filepath.Join(su.u.Root, prevRaw.CachePath)) {
		req.ETag, req.LastModified = prevRaw.ETag, prevRaw.LastModified
	}
	su.u.event(su.src.Name, req.URL, "get")
	res, err := su.u.Fetcher.Fetch(ctx, req)
	var text []byte
	var files []staged
	switch {
	case err == nil && res.NotModified:
		su.u.event(su.src.Name, req.URL, "unchanged")
		raw = filepath.Join(su.u.Root, prevRaw.CachePath)
		files = append(files, staged{file: prevRaw})
		fallthrough
	case err == nil:
		data, rerr := os.ReadFile(raw)
		if rerr != nil {
			return nil, nil, rerr
		}
		text, err = su.verifyClearSigned(data)
		if err == nil && !res.NotModified {
			tmp, serr := su.stageBytes(data)
			if serr != nil {
				return nil, nil, serr
			}
			f := db.IndexFile{Path: req.URL, URL: req.URL, Size: res.Size, SHA256: res.SHA256, ETag: res.ETag, LastModified: res.LastModified}
			files = append(files, staged{file: f, tmp: tmp})
		}
	case errors.Is(err, ErrNotFound):
		su.u.event(su.src.Name, base+"Release", "fallback")
		req.URL = base + "Release"
		text, err = su.fetchDetached(ctx, base)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", base, err)
	}
	tmp, err := su.stageBytes(text)
	if err != nil {
		return nil, nil, err
	}
	f := db.IndexFile{Path: base + "Release", URL: req.URL, Size: int64(len(text)), SHA256: sum256(text)}
	return text, append(files, staged{file: f, tmp: tmp}), nil
}

func (su *sourceUpdate) fetchDetached(ctx context.Context, base string) ([]byte, error) {
	rel, sig := filepath.Join(su.stage, "Release.raw"), filepath.Join(su.stage, "Release.gpg")
	if _, err := su.u.Fetcher.Fetch(ctx, Request{URL: base + "Release", Dest: rel, Size: -1, MaxSize: 64 << 20}); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(rel)
	if err != nil {
		return nil, err
	}
	_, err = su.u.Fetcher.Fetch(ctx, Request{URL: base + "Release.gpg", Dest: sig, Size: -1, MaxSize: 1 << 20})
	if errors.Is(err, ErrNotFound) {
		if su.src.Trusted {
			return data, nil
		}
		return nil, fmt.Errorf("release is not signed (no InRelease or Release.gpg; add trusted=yes only if you trust it unsigned): %w", pgp.ErrNoSignature)
	}
	if err != nil {
		return nil, err
	}
	sigData, err := os.ReadFile(sig)
	if err != nil {
		return nil, err
	}
	kr, err := su.keyring()
	if err != nil {
		return nil, err
	}
	if _, err := pgp.VerifyDetached(data, sigData, kr, su.u.now()); err != nil && !su.src.Trusted {
		return nil, err
	}
	return data, nil
}

func (su *sourceUpdate) verifyClearSigned(data []byte) ([]byte, error) {
	kr, err := su.keyring()
	if err != nil {
		return nil, err
	}
	v, err := pgp.VerifyClearSigned(data, kr, su.u.now())
	if err == nil {
		return v.Text, nil
	}
	if su.src.Trusted {
		if text, terr := pgp.ClearSignedText(data); terr == nil {
			return text, nil
		}
	}
	return nil, err
}

// keyring returns the keys the source's Release must be signed by: its
// Signed-By keys (inline, or files, narrowed to the fingerprints it
// names), else every key in etc/aim/trusted.gpg.d.
func (su *sourceUpdate) keyring() (*pgp.Keyring, error) {
	if su.kr != nil {
		return su.kr, nil
	}
	sb := su.src.SignedBy
	var kr *pgp.Keyring
	var err error
	switch {
	case sb.Key != "":
		kr, err = pgp.ParseKeyring([]byte(sb.Key))
	case len(sb.Keyrings) > 0:
		var paths []string
		for _, k := range sb.Keyrings {
			paths = append(paths, filepath.Join(su.u.Root, k))
		}
		kr, err = pgp.LoadKeyring(paths...)
	default:
		kr, err = pgp.LoadKeyring(filepath.Join(su.u.Root, TrustedKeysDir))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, pgp.ErrNoKeys) {
			kr, err = nil, nil // no trusted keys: every signer is unknown
		}
	}
	if err != nil {
		return nil, fmt.Errorf("keys for %s: %w", su.src.Name, err)
	}
	if len(sb.Fingerprints) > 0 && kr != nil {
		kr = kr.Select(func(k pgp.Key) bool { return matchesFingerprint(k, sb.Fingerprints) })
	}
	su.kr = kr
	return kr, nil
}

func matchesFingerprint(k pgp.Key, fprs []string) bool {
	for _, f := range fprs {
		f = strings.ToUpper(strings.TrimSuffix(f, "!"))
		if strings.HasSuffix(k.Fingerprint, f) {
			return true
		}
		for _, sk := range k.Subkeys {
			if strings.HasSuffix(sk.Fingerprint, f) {
				return true
			}
		}
	}
	return false
}

// commit gives the staged files their names in the lists directory and
// records them as the source's indexes, in one step as far as readers
// can tell: files are committed first (old names stay until the record
// changes), then the database switches to the new set and stale files
// are removed.
func (su *sourceUpdate) commit(files []staged) error {
	var records []db.IndexFile
	for _, f := range files {
		rec := f.file
		rec.CachePath = path.Join(ListsDir, listName(rec.Path))
		if f.tmp != nil {
			if err := f.tmp.Commit(filepath.Join(su.u.Root, rec.CachePath), 0o644); err != nil {
				return fmt.Errorf("update %s: %w", su.src.Name, err)
			}
		}
		records = append(records, rec)
	}
	err := su.u.DB.Update(func(tx *db.Tx) error { return tx.ReplaceSourceIndexes(su.src.Name, records, su.u.now()) })
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, r := range records {
		keep[r.CachePath] = true
	}
	for _, old := range su.prev.Indexes {
		if old.CachePath != "" && !keep[old.CachePath] {
			os.Remove(filepath.Join(su.u.Root, old.CachePath))
		}
	}
	return nil
}

// indexExtensions are the compressions tried for an index, best first.
var indexExtensions = []string{".xz", ".gz", ".zst", ""}

var extCompression = map[string]deb.Compression{".xz": deb.Xz, ".gz": deb.Gzip, ".zst": deb.Zstd, "": deb.None}

// index fetches one Packages index, unless the recorded copy already has
// the hash the Release gives.
func (su *sourceUpdate) index(ctx context.Context, base string, rel *Release, t sources.Target) (*staged, error) {
	p := t.IndexPath()
	key := base + p
	want, listed := rel.File(p)
	if old, ok := su.prev.Index(key); ok && listed && old.SHA256 == want.SHA256 && fileExists(filepath.Join(su.u.Root, old.CachePath)) {
		su.u.event(su.src.Name, key, "unchanged")
		return &staged{file: old}, nil
	}
	var lastErr error = fmt.Errorf("%s is not listed in the Release file (wrong sources entry or malformed Release)", key)
	for _, ext := range indexExtensions {
		f, ok := rel.File(p + ext)
		if !ok {
			continue
		}
		st, err := su.fetchIndex(ctx, base, rel, f, ext, key, want, listed)
		if err == nil {
			return st, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		lastErr = err
	}
	if t.Arch == "all" || su.optionalArch(t) {
		return nil, nil // implied by the Release or the configuration; not having it is no failure
	}
	return nil, lastErr
}

// fetchIndex downloads one compressed variant (by hash first when the
// Release offers it), checks it, and decompresses it into the stage,
// checking the result against the uncompressed entry when listed.
func (su *sourceUpdate) fetchIndex(ctx context.Context, base string, rel *Release, f ReleaseFile, ext, key string, want ReleaseFile, listed bool) (*staged, error) {
	dl := filepath.Join(su.stage, listName(key)+ext+".dl")
	urls := []string{base + f.Path}
	if rel.AcquireByHash {
		urls = append([]string{base + path.Dir(f.Path) + "/by-hash/SHA256/" + f.SHA256}, urls...)
	}
	var err error
	var used string
	for _, url := range urls {
		su.u.event(su.src.Name, url, "get")
		used = url
		if _, err = su.u.Fetcher.Fetch(ctx, Request{URL: url, Dest: dl, Size: f.Size, SHA256: f.SHA256}); !errors.Is(err, ErrNotFound) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	out, err := su.create()
	if err != nil {
		return nil, err
	}
	if extCompression[ext] == deb.None && (!listed || (want.Size == f.Size && want.SHA256 == f.SHA256)) {
		// An uncompressed index was hashed as it arrived and checked
		// against the Release: it is staged as it is, not read again.
		if err := adoptFile(out, dl); err != nil {
			out.Abort()
			return nil, fmt.Errorf("%s: %w", used, err)
		}
		return &staged{file: db.IndexFile{Path: key, URL: used, Size: f.Size, SHA256: f.SHA256}, tmp: out}, nil
	}
	limit := inflateLimit(f.Size, want, listed)
	size, sha, err := decompressFile(dl, out, extCompression[ext], limit)
	os.Remove(dl)
	if errors.Is(err, errInflateLimit) {
		out.Abort()
		return nil, &IndexTooLargeError{URL: used, Limit: limit, Listed: listed}
	}
	if err != nil {
		out.Abort()
		return nil, fmt.Errorf("%s: %w", used, err)
	}
	if listed && (size != want.Size || sha != want.SHA256) {
		out.Abort()
		return nil, &HashMismatchError{URL: used, What: "uncompressed SHA256", Expected: want.SHA256, Got: sha}
	}
	return &staged{file: db.IndexFile{Path: key, URL: used, Size: size, SHA256: sha}, tmp: out}, nil
}

// adoptFile makes the staged file out hold the file at src, which it
// renames over out's temporary name (both are in the same directory tree).
func adoptFile(out *rootfs.AtomicFile, src string) error {
	if err := os.Rename(src, out.Name()); err != nil {
		return err
	}
	f, err := os.OpenFile(out.Name(), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	out.File.Close()
	out.File = f
	return nil
}

// maxIndexSize bounds any decompressed index.
const maxIndexSize = 4 << 30

// maxInflateRatio and minInflateLimit bound an index whose uncompressed
// size the Release does not list: real Packages indexes shrink 4 to 8
// times with gzip or xz, so a hundredfold (plus a floor for small and
// very repetitive ones) is far past any of them yet keeps a bomb of a
// few hundred bytes to a few MiB.
const (
	maxInflateRatio = 100
	minInflateLimit = 16 << 20
)

// inflateLimit is how many bytes an index compressed to size may
// decompress to: exactly the uncompressed size the Release lists, else
// the bound above.
func inflateLimit(size int64, want ReleaseFile, listed bool) int64 {
	limit := minInflateLimit + maxInflateRatio*size
	if listed {
		limit = want.Size
	}
	return min(limit, maxIndexSize)
}

// IndexTooLargeError reports an index that decompresses to more than
// Limit bytes: the uncompressed size its Release lists (Listed) or, when
// it lists none, a bound on the compression ratio. Decompression stops
// there, so a compression bomb costs no more than Limit bytes.
type IndexTooLargeError struct {
	URL    string
	Limit  int64
	Listed bool
}

func (e *IndexTooLargeError) Error() string {
	if e.Listed {
		return fmt.Sprintf("%s: decompresses to more than the %d bytes the Release lists for it", e.URL, e.Limit)
	}
	return fmt.Sprintf("%s: decompresses to more than %d bytes (the Release lists no uncompressed size; %dx the compressed size plus %d MiB is the bound)",
		e.URL, e.Limit, maxInflateRatio, minInflateLimit>>20)
}

var errInflateLimit = errors.New("decompressed size limit reached")

// decompressFile decompresses the file src into dst and returns the size
// and SHA256 of what it wrote, reading at most limit bytes of output (one
// more tells that there is more: errInflateLimit).
func decompressFile(src string, dst io.Writer, c deb.Compression, limit int64) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	r, done, err := deb.NewStreamDecompressor(c, in)
	if err != nil {
		return 0, "", fmt.Errorf("decompress: %w", err)
	}
	defer done()
	h := newHasher()
	n, err := io.Copy(io.MultiWriter(dst, h), io.LimitReader(r, limit+1))
	if err != nil {
		return 0, "", fmt.Errorf("decompress: %w", err)
	}
	if n > limit {
		return 0, "", errInflateLimit
	}
	return n, h.hex(), nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
