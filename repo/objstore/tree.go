package objstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Files of a repository directory that are never published (repo/publish
// names them; this package does not import it).
var private = map[string]bool{"aim-repo.conf": true, "aim-repo.state": true}

// Phase orders the upload: every object of a phase is up before any of
// the next is sent.
type Phase int

// The upload phases, in order.
const (
	PhaseContent   Phase = iota // pool, key, .install files, by-hash copies
	PhaseIndex                  // indexes at their plain paths
	PhaseRelease                // Release and Release.gpg
	PhaseInRelease              // InRelease, what clients read first
)

// LocalFile is one file of the tree to publish.
type LocalFile struct {
	Key     string // slash-separated, relative to the repository's top
	Path    string // on disk
	Size    int64
	ModTime time.Time
	SHA256  string
}

// Phase returns the upload phase of the file.
func (f LocalFile) Phase() Phase {
	base := path.Base(f.Key)
	switch {
	case isByHash(f.Key) || strings.HasPrefix(f.Key, "pool/"):
		return PhaseContent
	case base == "InRelease":
		return PhaseInRelease
	case base == "Release" || base == "Release.gpg":
		return PhaseRelease
	case strings.HasPrefix(f.Key, "dists/") || strings.HasPrefix(base, "Packages") || strings.HasPrefix(base, "Sources"):
		return PhaseIndex
	}
	return PhaseContent
}

// isByHash reports whether key is a by-hash copy (.../by-hash/ALGO/HASH).
func isByHash(key string) bool {
	return path.Base(path.Dir(path.Dir(key))) == "by-hash"
}

// CacheControl is the Cache-Control header of the file's object, as the
// README's nginx section gives them: immutable for by-hash copies and
// pool files (their names change with their contents), no-cache for
// everything else (Release files, indexes, key and .install files).
func CacheControl(key string) string {
	if isByHash(key) || strings.HasPrefix(key, "pool/") {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

// ContentType is the Content-Type of an object by its name. A by-hash
// copy has no extension; Sync gives it the type of the file it copies.
func ContentType(key string) string {
	base := path.Base(key)
	switch {
	case strings.HasSuffix(base, ".deb") || strings.HasSuffix(base, ".udeb"):
		return "application/vnd.debian.binary-package"
	case strings.HasSuffix(base, ".install"):
		return "application/x-install-instructions"
	case strings.HasSuffix(base, ".gz"):
		return "application/gzip"
	case strings.HasSuffix(base, ".xz"):
		return "application/x-xz"
	case strings.HasSuffix(base, ".zst"):
		return "application/zstd"
	case base == "Release.gpg":
		return "application/pgp-signature"
	case strings.HasSuffix(base, ".asc"):
		return "application/pgp-keys"
	case base == "InRelease" || base == "Release" || base == "Packages" || base == "Sources":
		return "text/plain; charset=utf-8"
	case strings.HasSuffix(base, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(base, ".json"):
		return "application/json"
	}
	return "application/octet-stream"
}

// Tree lists the files of the repository directory dir as they are
// served: dists/D links are followed to their current generation, and
// the settings, the state directory, dot files and the generations'
// directories (dists/D.gen) are left out. Hashes are taken from known,
// whose entries are reused when size and modification time agree.
func Tree(dir string, known map[string]LocalFile) ([]LocalFile, error) {
	var out []LocalFile
	var walk func(disk, key string) error
	walk = func(disk, key string) error {
		entries, err := os.ReadDir(disk)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			k := path.Join(key, name)
			if strings.HasPrefix(name, ".") || key == "" && private[name] || key == "dists" && strings.HasSuffix(name, ".gen") {
				continue
			}
			p := filepath.Join(disk, name)
			fi, err := os.Stat(p) // follows dists/D links
			if err != nil {
				return fmt.Errorf("tree %s: %w", k, err)
			}
			switch {
			case fi.IsDir():
				if err := walk(p, k); err != nil {
					return err
				}
			case fi.Mode().IsRegular():
				f := LocalFile{Key: k, Path: p, Size: fi.Size(), ModTime: fi.ModTime().UTC()}
				if old, ok := known[k]; ok && old.Size == f.Size && old.ModTime.Equal(f.ModTime) && old.SHA256 != "" {
					f.SHA256 = old.SHA256
				} else if f.SHA256, err = fileSHA256(p); err != nil {
					return err
				}
				out = append(out, f)
			}
		}
		return nil
	}
	if err := walk(dir, ""); err != nil {
		return nil, err
	}
	return out, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
