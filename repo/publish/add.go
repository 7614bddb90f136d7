package publish

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"aim/deb"
	"aim/deb/rootfs"
)

// AddOptions says where Add puts packages and how picky it is.
type AddOptions struct {
	// Dist and Component default to the repository's first.
	Dist, Component string
	// Strict refuses packages with lint warnings.
	Strict bool
	// Move says the files are the caller's scratch copies: Add may
	// move a package file (up to smallDeb bytes) on the repository's
	// filesystem into the pool instead of copying it, and a file may be
	// gone after Add, whether it succeeded or not.
	Move bool
	// Link lets Add hard-link a package file (up to smallDeb bytes) into
	// the pool instead of copying it, when the file is on the pool's
	// filesystem, a regular file of the user running Add, with mode 0644
	// (writable by no one else), and still the file Add read (same
	// inode, size and modification time) when linked; any other file is
	// copied. The pool then shares the file with its source: the caller
	// must never rewrite it in place (as dpkg-deb --build does to an
	// existing output file), or the published index no longer matches
	// it. Move wins over Link.
	Link bool
}

// AddResult is what Add found in, and did with, one file.
type AddResult struct {
	File     string
	Package  PoolPackage
	Findings []LintFinding
	// Unchanged is true when the dist already held these exact bytes.
	Unchanged bool
	// Err is why the file was refused.
	Err error
}

// AddError reports the files Add refused; when it is returned, Add changed
// nothing.
type AddError struct {
	Refused []AddResult
}

func (e *AddError) Error() string {
	var parts []string
	for _, r := range e.Refused {
		parts = append(parts, fmt.Sprintf("%s: %v", r.File, r.Err))
	}
	return fmt.Sprintf("refused %d package(s), nothing added: %s", len(e.Refused), strings.Join(parts, "; "))
}

// scanned is a package file read once: its control paragraph, size and
// hashes, lint findings, and a copy of its bytes in a staging file.
type scanned struct {
	control  *deb.Paragraph
	size     int64
	md5, sha string
	findings []LintFinding
	// staged is the staging file holding the package's bytes (see
	// stage), "" when its pool path was taken when it was read.
	staged string
	// absent says its pool path was free when it was read (Add holds
	// the repository's lock, so it still is but for this Add's files).
	absent bool
}

// Add copies package files into the pool and records them in the package
// database of a dist. Each file is read once, with several files in
// parallel: its control data is parsed, its bytes hashed and copied, and
// its data archive linted (see Lint). New pool files are complete and
// durable before they get their names, and named before the database
// records them (see stage.go), so a kill or crash at any point leaves
// the pool and database consistent. Add is all or nothing: a
// file with unreadable control data or a broken archive, a package whose
// name, version and architecture the dist or pool already holds with
// other bytes, or (with Strict) a lint warning refuses every file, and
// the error is an *AddError. Adding the same bytes again is no change.
func (r *Repo) Add(files []string, opts AddOptions) ([]AddResult, error) {
	dist, err := r.dist(opts.Dist)
	if err != nil {
		return nil, err
	}
	comp, err := r.component(opts.Component)
	if err != nil {
		return nil, err
	}
	st, err := r.loadState(dist)
	if err != nil {
		return nil, err
	}
	incoming := filepath.Join(r.Dir, "pool")
	if err := os.MkdirAll(incoming, 0o755); err != nil {
		return nil, err
	}
	if err := removeStale(incoming); err != nil {
		return nil, err
	}
	dirs := newPoolDirs(incoming)
	scans, results := r.scanAll(files, dirs, comp, opts)
	committed := false
	defer func() {
		for _, s := range scans {
			if s != nil && s.staged != "" {
				os.Remove(s.staged)
			}
		}
		if !committed {
			dirs.removeMade()
		}
	}()
	var refused []AddResult
	pl := &placing{st: st, dist: dist, comp: comp, strict: opts.Strict, pending: map[string]*scanned{}}
	for i, s := range scans {
		res := &results[i]
		if res.Err == nil {
			res.Err = r.place(pl, s, res)
		}
		if res.Err != nil {
			refused = append(refused, *res)
		}
	}
	if len(refused) > 0 {
		return results, &AddError{Refused: refused}
	}
	if err := r.commitStaged(incoming, pl.staged, dirs); err != nil {
		return results, fmt.Errorf("write the pool: %w", err)
	}
	committed = true
	// From here a failure leaves complete pool files the database may
	// not name, which the next Add uses and Publish collects.
	if err := r.step("record"); err != nil {
		return results, err
	}
	if err := st.save(r); err != nil {
		return results, fmt.Errorf("record packages: %w", err)
	}
	return results, nil
}

// scanAll scans files in parallel, keeping their order. It runs twice
// as many workers as cores: each spends much of its time in the kernel,
// making directories and staging files, often waiting for a directory
// another holds.
func (r *Repo) scanAll(files []string, dirs *poolDirs, comp string, opts AddOptions) ([]*scanned, []AddResult) {
	scans := make([]*scanned, len(files))
	results := make([]AddResult, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(2*runtime.GOMAXPROCS(0), len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i].File = files[i]
				scans[i], results[i].Err = r.scanDeb(files[i], dirs, comp, opts)
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return scans, results
}

// smallDeb bounds the packages Add reads into memory; larger ones are
// copied to a temporary file while they are read.
const smallDeb = 16 << 20

// scanDeb reads a package file once: a small one into memory, which is
// then staged (moved with Move, linked with Link, else copied); a larger
// one is copied to a staging file at the top of the pool while it is
// hashed and read.
func (r *Repo) scanDeb(file string, dirs *poolDirs, comp string, opts AddOptions) (s *scanned, err error) {
	f, err := rootfs.OpenRaw(file, unix.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size <= smallDeb {
		data, err := readUpTo(f, st.Size, smallDeb)
		if err != nil {
			return nil, err
		}
		if len(data) <= smallDeb {
			src := source{path: file, st: st, move: opts.Move, link: opts.Link && !opts.Move}
			return r.scanSmall(data, src, dirs, comp)
		}
		if err := f.SeekStart(); err != nil {
			return nil, err
		}
	}
	s = &scanned{}
	s.staged, err = stage(dirs.top, func(w io.Writer) error { return s.readLarge(f, w) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// source is a small package file as scanDeb found it before reading it:
// its path and status, and whether Add may move or link it.
type source struct {
	path       string
	st         unix.Stat_t
	move, link bool
}

// readUpTo reads r to its end into a buffer sized for size bytes, or
// max+1 bytes when r holds more than max.
func readUpTo(r io.Reader, size, max int64) ([]byte, error) {
	buf := make([]byte, 0, size+1) // +1: the read that finds the end
	for int64(len(buf)) <= max {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), int(max+1)-len(buf)))
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), int(max+1))])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// readLarge reads a package file that is too large for memory, copying
// it to w while it is hashed and read.
func (s *scanned) readLarge(f io.Reader, w io.Writer) error {
	m, h := md5.New(), sha256.New()
	cw := &countWriter{w: io.MultiWriter(m, h, w)}
	br := bufio.NewReaderSize(io.TeeReader(f, cw), 64<<10)
	ar, err := deb.NewArchiveReader(br)
	if err != nil {
		return fmt.Errorf("broken package: %w", err)
	}
	defer ar.Close()
	s.control = ar.Control().Control
	if err := checkControl(s.control); err != nil {
		return err
	}
	if s.findings, err = Lint(ar); err != nil {
		return fmt.Errorf("broken package: %w", err)
	}
	if _, err := ar.Signatures(); err != nil {
		return fmt.Errorf("broken package: %w", err)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	if cw.err != nil {
		return cw.err
	}
	s.size, s.md5, s.sha = cw.n, hex.EncodeToString(m.Sum(nil)), hex.EncodeToString(h.Sum(nil))
	return nil
}

// scanSmall reads a package held in memory, makes its pool directory
// (see poolDirs) and stages it, unless a file is at its pool path
// already (place then compares them): it moves or links src when it may
// and can (see stageMove, stageLink), else writes data.
func (r *Repo) scanSmall(data []byte, src source, dirs *poolDirs, comp string) (*scanned, error) {
	ar, err := deb.NewArchiveReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("broken package: %w", err)
	}
	defer ar.Close()
	s := &scanned{control: ar.Control().Control, size: int64(len(data))}
	if err := checkControl(s.control); err != nil {
		return nil, err
	}
	if s.findings, err = Lint(ar); err != nil {
		return nil, fmt.Errorf("broken package: %w", err)
	}
	if _, err := ar.Signatures(); err != nil {
		return nil, fmt.Errorf("broken package: %w", err)
	}
	m, h := md5.Sum(data), sha256.Sum256(data)
	s.md5, s.sha = hex.EncodeToString(m[:]), hex.EncodeToString(h[:])
	filename, err := s.filename(comp)
	if err != nil {
		return nil, err
	}
	dest := filepath.Join(r.Dir, filepath.FromSlash(filename))
	made, err := dirs.prepare(filepath.Dir(dest))
	if err != nil {
		return nil, err
	}
	// A directory this Add made holds no file yet: no need to look.
	if made {
		s.absent = true
	} else if _, err := os.Lstat(dest); err == nil {
		return s, nil
	} else if errors.Is(err, os.ErrNotExist) {
		s.absent = true
	}
	switch {
	case src.move:
		if s.staged, err = stageMove(src.path, dirs.top); err == nil || !errors.Is(err, syscall.EXDEV) {
			return s, err
		}
	case src.link:
		if s.staged, err = stageLink(src.path, &src.st, dirs.top); err == nil || !errors.Is(err, errNoLink) {
			return s, err
		}
	}
	s.staged, err = stage(dirs.top, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	return s, err
}

// filename is the pool path of s in component comp (see poolFilename).
func (s *scanned) filename(comp string) (string, error) {
	return poolFilename(comp, s.control)
}

// poolFilename is the pool path, below the repository's top, of the
// package p describes in component comp. It is built only from parts
// checked here (checkControl) and refused unless it is a clean path
// inside pool/, so no control field can name a file elsewhere.
func poolFilename(comp string, p *deb.Paragraph) (string, error) {
	if err := checkControl(p); err != nil {
		return "", err
	}
	id := deb.IdentityOf(p)
	name := poolDir(comp, sourceName(p)) + "/" + debFileName(id.Package, id.Version, id.Architecture)
	if !filepath.IsLocal(name) || path.Clean(name) != name || !strings.HasPrefix(name, "pool/") || strings.Count(name, "/") != 4 {
		return "", fmt.Errorf("control data: pool path %q is not a file of the pool", name)
	}
	return name, nil
}

// countWriter counts what it passes on and keeps its first error, so a
// failed copy is not mistaken for a broken package.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err == nil {
		_, c.err = c.w.Write(p)
	}
	c.n += int64(len(p))
	return len(p), nil
}

// checkControl refuses control data a Packages index cannot list: a
// name, version or architecture dpkg calls invalid (a version dpkg only
// warns about, such as "1.0/../x", included: its parts name files).
func checkControl(p *deb.Paragraph) error {
	id := deb.IdentityOf(p)
	if err := deb.CheckPackageName(id.Package); err != nil {
		return fmt.Errorf("control data: %w", err)
	}
	if _, err := deb.ParseVersionStrict(id.Version); err != nil || id.Version == "" {
		return fmt.Errorf("control data: bad Version %q: %w", id.Version, err)
	}
	if err := deb.CheckArchName(id.Architecture); err != nil {
		return fmt.Errorf("control data: %w", err)
	}
	if src := sourceName(p); deb.CheckPackageName(src) != nil {
		return fmt.Errorf("control data: bad Source %q", p.Get("Source"))
	}
	return nil
}

// sourceName is the source package of p: the first word of Source, or
// the package's own name.
func sourceName(p *deb.Paragraph) string {
	if f := strings.Fields(p.Get("Source")); len(f) > 0 {
		return f[0]
	}
	return deb.IdentityOf(p).Package
}

// placing is what Add's place calls share: the dist's database, and
// the staged files to be renamed into the pool by their pool paths.
type placing struct {
	st         *distState
	dist, comp string
	strict     bool
	pending    map[string]*scanned
	staged     []stagedFile
}

// place records a scanned file in the dist's database and its staging
// file as one to rename into the pool, unless the dist or pool holds the
// same package with other bytes.
func (r *Repo) place(pl *placing, s *scanned, res *AddResult) error {
	id := deb.IdentityOf(s.control)
	arch := id.Architecture
	res.Findings = append(res.Findings, s.findings...)
	if arch != "all" && !slices.Contains(r.Settings.Architectures, arch) {
		res.Findings = append(res.Findings, LintFinding{Severity: LintWarning, Message: fmt.Sprintf(
			"architecture %s is not among the repository's (%s): no index will list the package", arch, strings.Join(r.Settings.Architectures, " "))})
	}
	filename, err := s.filename(pl.comp)
	if err != nil {
		return err
	}
	para := packagesParagraph(s, filename)
	res.Package = poolPackage(pl.dist, pl.comp, para)
	if pl.strict {
		for _, f := range res.Findings {
			if f.Severity == LintWarning {
				return fmt.Errorf("lint warning (strict): %s", f)
			}
		}
	}
	if c, p := pl.st.find(id); p != nil {
		old := poolPackage(pl.dist, c, p)
		if old.SHA256 != s.sha {
			return fmt.Errorf("%s %s %s is already in %s with other contents (%s)", id.Package, id.Version, arch, pl.dist, old.Filename)
		}
		res.Unchanged, res.Package = true, old
		dest := filepath.Join(r.Dir, filepath.FromSlash(old.Filename))
		if _, err := os.Lstat(dest); errors.Is(err, os.ErrNotExist) {
			pl.stage(s, dest) // a pool file deleted by hand, written again
		}
		return nil
	}
	dest := filepath.Join(r.Dir, filepath.FromSlash(filename))
	if other := pl.pending[dest]; other != nil {
		if other.sha != s.sha {
			return fmt.Errorf("%s exists with other contents", filename)
		}
	} else if s.absent && s.staged != "" {
		pl.stage(s, dest)
	} else if sum, err := fileSHA256(dest); err == nil {
		if sum != s.sha {
			return fmt.Errorf("%s exists with other contents", filename)
		}
	} else if errors.Is(err, os.ErrNotExist) && s.staged != "" {
		pl.stage(s, dest)
	} else {
		return err
	}
	pl.st.add(pl.comp, para)
	return nil
}

// stage notes that the staging file of s becomes the pool file dest.
func (pl *placing) stage(s *scanned, dest string) {
	if s.staged == "" || pl.pending[dest] != nil {
		return
	}
	pl.pending[dest] = s
	pl.staged = append(pl.staged, stagedFile{s: s, dest: dest})
}

// packagesParagraph is the index entry of a scanned package stored at
// filename: its control fields, then Filename, Size and hashes.
func packagesParagraph(s *scanned, filename string) *deb.Paragraph {
	p := s.control.Clone()
	for _, f := range []string{"Filename", "Size", "MD5sum", "SHA1", "SHA256", "SHA512"} {
		p.Delete(f)
	}
	p.Set("Filename", filename)
	p.Set("Size", strconv.FormatInt(s.size, 10))
	p.Set("MD5sum", s.md5)
	p.Set("SHA256", s.sha)
	return p
}

// removePoolFile deletes a pool file and the directories it leaves empty.
func (r *Repo) removePoolFile(p string) {
	os.Remove(p)
	top := filepath.Join(r.Dir, "pool")
	for d := filepath.Dir(p); d != top && strings.HasPrefix(d, top); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			return
		}
	}
}

// fileSHA256 returns the SHA256 of a file's contents.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Remove deletes packages from a dist's database: each spec is NAME (every
// version) or NAME=VERSION. It refuses, changing nothing, when a spec
// matches no package. Pool files stay until Publish finds no dist names
// them.
func (r *Repo) Remove(dist string, specs []string) ([]PoolPackage, error) {
	d, err := r.dist(dist)
	if err != nil {
		return nil, err
	}
	st, err := r.loadState(d)
	if err != nil {
		return nil, err
	}
	var gone []PoolPackage
	for _, spec := range specs {
		name, version, _ := strings.Cut(spec, "=")
		g := st.remove(name, version)
		if len(g) == 0 {
			return nil, fmt.Errorf("no package %s in %s", spec, d)
		}
		gone = append(gone, g...)
	}
	if err := st.save(r); err != nil {
		return nil, err
	}
	return gone, nil
}

// bytesEqualFile reports whether the file at path holds exactly b.
func bytesEqualFile(path string, b []byte) bool {
	old, err := os.ReadFile(path)
	return err == nil && bytes.Equal(old, b)
}
