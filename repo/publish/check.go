package publish

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"aim/deb"
	"aim/repo"
	"aim/repo/pgp"
)

// CheckFinding is one thing Check found. Problems are disagreements that
// would make a client fail (a missing or corrupt file, a bad signature);
// the rest are notes, such as changes not yet published.
type CheckFinding struct {
	Problem bool   `json:"problem"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func (f CheckFinding) String() string {
	kind := "note"
	if f.Problem {
		kind = "problem"
	}
	if f.Path != "" {
		return fmt.Sprintf("%s: %s: %s", kind, f.Path, f.Message)
	}
	return kind + ": " + f.Message
}

// checker collects findings.
type checker struct {
	r   *Repo
	out []CheckFinding
}

func (c *checker) problem(p, format string, args ...any) {
	c.out = append(c.out, CheckFinding{Problem: true, Path: p, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) note(p, format string, args ...any) {
	c.out = append(c.out, CheckFinding{Path: p, Message: fmt.Sprintf(format, args...)})
}

// Check reads the whole repository and reports where it disagrees with
// itself: every pool file the database names must have its recorded size
// and SHA256; every published Release must be signed (InRelease and
// Release.gpg, checked against key.asc) and list files, by-hash copies
// included, with their right size and hashes; every package a published
// index lists must be in the pool with the size and SHA256 it says. A
// database that differs from the published indexes is a note (publish
// has not run since). Check changes nothing.
func (r *Repo) Check(now time.Time) ([]CheckFinding, error) {
	c := &checker{r: r}
	var kr *pgp.Keyring
	if data, err := os.ReadFile(filepath.Join(r.Dir, "key.asc")); err == nil {
		if kr, err = pgp.ParseKeyring(data); err != nil {
			c.problem("key.asc", "%v", err)
		}
	}
	for _, d := range r.Settings.Dists {
		st, err := r.loadState(d)
		if err != nil {
			return nil, err
		}
		pool := map[string]string{}
		for _, p := range st.packages(r.Settings.Components) {
			pool[p.Filename] = p.SHA256
			c.poolFile(p.Filename, p.Size, p.SHA256, "database")
		}
		c.published(d, kr, now, pool)
	}
	return c.out, nil
}

// poolFile checks one pool file against the size and SHA256 who says.
func (c *checker) poolFile(name string, size int64, sha, who string) {
	full := filepath.Join(c.r.Dir, filepath.FromSlash(name))
	fi, err := os.Stat(full)
	if err != nil {
		c.problem(name, "named by the %s but unreadable: %v", who, err)
		return
	}
	if fi.Size() != size {
		c.problem(name, "size %d, the %s says %d", fi.Size(), who, size)
		return
	}
	if sum, err := fileSHA256(full); err != nil || sum != sha {
		c.problem(name, "SHA256 differs from the %s's", who)
	}
}

// published checks dist's Release, signatures, indexes and what they list.
func (c *checker) published(dist string, kr *pgp.Keyring, now time.Time, db map[string]string) {
	dir := c.r.distDir(dist)
	relName := relPath(dir, "Release")
	text, err := os.ReadFile(filepath.Join(c.r.Dir, filepath.FromSlash(relName)))
	if err != nil {
		c.note(relName, "%s is not published yet", dist)
		return
	}
	rel, err := repo.ParseRelease(text)
	if err != nil {
		c.problem(relName, "%v", err)
		return
	}
	c.signatures(dir, text, kr, now)
	if !rel.ValidUntil.IsZero() && rel.ValidUntil.Before(now) {
		c.problem(relName, "expired at %s (Valid-Until); publish again", repo.FormatReleaseDate(rel.ValidUntil))
	}
	listed := map[string]string{}
	for _, f := range rel.Files {
		data := c.releaseFile(dir, f)
		if rel.AcquireByHash && data != nil {
			for _, p := range byHashPaths(dir, f) {
				if b, err := os.ReadFile(filepath.Join(c.r.Dir, filepath.FromSlash(p))); err != nil || !bytes.Equal(b, data) {
					c.problem(p, "by-hash copy of %s missing or different", f.Path)
				}
			}
		}
		if path.Base(f.Path) == "Packages" && data != nil {
			c.index(relPath(dir, f.Path), data, listed)
		}
	}
	if !sameSet(listed, db) {
		c.note(relName, "the database of %s differs from the published indexes: publish to update them", dist)
	}
}

// signatures checks InRelease and Release.gpg over text with kr.
func (c *checker) signatures(dir string, text []byte, kr *pgp.Keyring, now time.Time) {
	if kr == nil {
		c.problem("key.asc", "missing: signatures cannot be checked")
		return
	}
	in, err := os.ReadFile(filepath.Join(c.r.Dir, filepath.FromSlash(relPath(dir, "InRelease"))))
	if err == nil {
		var v *pgp.Verified
		if v, err = pgp.VerifyClearSigned(in, kr, now); err == nil && !bytes.Equal(v.Text, text) {
			err = fmt.Errorf("signed text differs from Release")
		}
	}
	if err != nil {
		c.problem(relPath(dir, "InRelease"), "%v", err)
	}
	sig, err := os.ReadFile(filepath.Join(c.r.Dir, filepath.FromSlash(relPath(dir, "Release.gpg"))))
	if err == nil {
		_, err = pgp.VerifyDetached(text, sig, kr, now)
	}
	if err != nil {
		c.problem(relPath(dir, "Release.gpg"), "%v", err)
	}
}

// releaseFile reads a file a Release lists and checks its size and
// hashes; it returns the contents when they are right.
func (c *checker) releaseFile(dir string, f repo.ReleaseFile) []byte {
	name := relPath(dir, f.Path)
	data, err := os.ReadFile(filepath.Join(c.r.Dir, filepath.FromSlash(name)))
	if err != nil {
		c.problem(name, "listed in Release but unreadable: %v", err)
		return nil
	}
	got := fileEntry(f.Path, data)
	if got.Size != f.Size || got.SHA256 != f.SHA256 || f.SHA512 != "" && got.SHA512 != f.SHA512 || f.MD5 != "" && got.MD5 != f.MD5 {
		c.problem(name, "size or hash differs from Release")
		return nil
	}
	return data
}

// index checks every package a Packages index lists against the pool.
func (c *checker) index(name string, data []byte, listed map[string]string) {
	pr := deb.NewParagraphReader(bytes.NewReader(data))
	for {
		p, err := pr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			c.problem(name, "%v", err)
			return
		}
		fn, sha := p.Get("Filename"), p.Get("SHA256")
		size, err := strconv.ParseInt(p.Get("Size"), 10, 64)
		if fn == "" || err != nil || strings.Contains(fn, "..") {
			c.problem(name, "package %s: bad Filename or Size", deb.IdentityOf(p).Package)
			continue
		}
		if _, seen := listed[fn]; !seen {
			c.poolFile(fn, size, sha, "index "+name)
		}
		listed[fn] = sha
	}
}

func sameSet(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
