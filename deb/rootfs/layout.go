package rootfs

import (
	"path"
	"path/filepath"
)

// The layout of aim's files under a root, as slash-separated paths
// relative to it (see DESIGN.md, "Filesystem layout under a root").
const (
	// ConfigDir holds aim's settings, sources and trusted keys.
	ConfigDir = "etc/aim"
	// ConfigFile holds the settings (aim.conf: key = value lines).
	ConfigFile = "etc/aim/aim.conf"
	// SourcesList is the one-line-style list of repositories.
	SourcesList = "etc/aim/sources.list"
	// SourcesListDir holds more sources: *.list and deb822 *.sources.
	SourcesListDir = "etc/aim/sources.list.d"
	// TrustedKeysDir holds the OpenPGP keys trusted for every repository
	// (armored .asc or binary .gpg).
	TrustedKeysDir = "etc/aim/trusted.gpg.d"
	// KeyringsDir holds keys accepted for one repository only, named by
	// that source's signed-by.
	KeyringsDir = "etc/aim/keyrings"
	// PackageTrustDir holds the keys trusted to sign packages, one
	// subdirectory per role (see PackageTrustRoleDir).
	PackageTrustDir = "etc/aim/trusted.d"

	// StateDir holds aim's state.
	StateDir = "var/lib/aim"
	// DBFile is the SQLite database.
	DBFile = "var/lib/aim/aim.db"
	// LockFile is the writer lock.
	LockFile = "var/lib/aim/lock"
	// EmptyMarkFile says that the database holds no installed package
	// (see db.NothingInstalled).
	EmptyMarkFile = "var/lib/aim/nothing-installed"
	// InstalledNamesFile lists the names of the packages the database
	// holds as installed (see db.InstalledNames).
	InstalledNamesFile = "var/lib/aim/installed-names"
	// InfoDir holds the control members kept after install, as
	// PKG.MEMBER (PKG.checkrm, PKG.postinst, ...).
	InfoDir = "var/lib/aim/info"
	// IconsDir holds the icons extracted from packages, as PKG.png.
	IconsDir = "var/lib/aim/icons"
	// TmpDir is the engine's scratch directory.
	TmpDir = "var/lib/aim/tmp"
	// DocumentsDir is where the service keeps documents by default.
	DocumentsDir = "var/lib/aim/documents"

	// CacheDir holds what aim downloads.
	CacheDir = "var/cache/aim"
	// ArchivesDir holds downloaded packages.
	ArchivesDir = "var/cache/aim/archives"
	// ListsDir holds the verified repository indexes.
	ListsDir = "var/cache/aim/lists"
	// PkgCacheFile is the available-package cache built from ListsDir.
	PkgCacheFile = "var/cache/aim/pkgcache.bin"

	// LogDir holds the session transcripts (session.log, session.log.1, ...).
	LogDir = "var/log/aim"
)

// Root is a root directory on the host: "/" on a running system, or the
// directory an image is built in. The empty Root means "/".
type Root string

// Path returns the host path of rel (slash-separated, relative to r)
// joined with elem, for aim's own paths (the constants above): resolved
// inside r as Join resolves it, so that a symlink on the way (say a
// planted "etc -> /elsewhere") is followed as if r were "/" and the
// path never leaves r. When rel cannot be resolved (a symlink loop, an
// unreadable directory), Path fails closed: it returns a path that no
// system call accepts (it holds a NUL byte), so the caller's open or
// write fails instead of following the loop out of r. Use Resolve to
// get the error itself.
func (r Root) Path(rel string, elem ...string) string {
	p, err := r.Resolve(rel, elem...)
	if err != nil {
		return filepath.Join(r.dir(), "\x00unresolvable", filepath.FromSlash(rel))
	}
	return p
}

// Resolve is Path that returns the error when rel and elem do not
// resolve inside r.
func (r Root) Resolve(rel string, elem ...string) (string, error) {
	return r.Join(path.Join(append([]string{filepath.ToSlash(rel)}, elem...)...))
}

// dir is r as a host directory.
func (r Root) dir() string {
	if r == "" {
		return "/"
	}
	return string(r)
}

// ConfigFile returns the host path of aim.conf.
func (r Root) ConfigFile() string { return r.Path(ConfigFile) }

// SourcesList returns the host path of sources.list.
func (r Root) SourcesList() string { return r.Path(SourcesList) }

// SourcesListDir returns the host path of sources.list.d.
func (r Root) SourcesListDir() string { return r.Path(SourcesListDir) }

// TrustedKeysDir returns the host path of trusted.gpg.d.
func (r Root) TrustedKeysDir() string { return r.Path(TrustedKeysDir) }

// KeyringsDir returns the host path of the per-source keyrings.
func (r Root) KeyringsDir() string { return r.Path(KeyringsDir) }

// PackageTrustDir returns the host path of trusted.d, whose
// subdirectories hold the keys trusted to sign packages per role.
func (r Root) PackageTrustDir() string { return r.Path(PackageTrustDir) }

// PackageTrustRoleDir returns the host path of trusted.d/ROLE
// ("developer" or "store").
func (r Root) PackageTrustRoleDir(role string) string { return r.Path(PackageTrustDir, role) }

// DBFile returns the host path of the database.
func (r Root) DBFile() string { return r.Path(DBFile) }

// InfoFile returns the host path of pkg's kept control member (checkrm,
// postinst, ...).
func (r Root) InfoFile(pkg, member string) string { return r.Path(InfoDir, pkg+"."+member) }

// ArchivesDir returns the host path of the downloaded packages.
func (r Root) ArchivesDir() string { return r.Path(ArchivesDir) }

// ListsDir returns the host path of the repository indexes.
func (r Root) ListsDir() string { return r.Path(ListsDir) }

// PkgCacheFile returns the host path of the available-package cache.
func (r Root) PkgCacheFile() string { return r.Path(PkgCacheFile) }

// LogDir returns the host path of the session logs.
func (r Root) LogDir() string { return r.Path(LogDir) }
