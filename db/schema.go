package db

// schemaV1 is the first schema. Conventions for every version:
//   - STRICT tables, so a value of the wrong type is an error, not a
//     silent conversion;
//   - booleans are INTEGER 0 or 1 (CHECKed);
//   - times are INTEGER Unix seconds (UTC), NULL for "never";
//   - lists of words (components, architectures) are TEXT with the words
//     separated by single spaces, as in sources.list;
//   - text columns that may be absent are NOT NULL with the empty string
//     as their default rather than NULL, so Go scans them into strings.
const schemaV1 = `
-- meta: settings and markers that belong to this database rather than to
-- a package or a source (for example the format of a cache kept beside it).
CREATE TABLE meta (
	key   TEXT PRIMARY KEY NOT NULL,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- sources: one row per configured repository, keyed by the name aim gives
-- it. The configuration columns mirror the sources files under
-- etc/aim; the state columns record the last update: last_update is the
-- time of the last successful one, last_error (with last_error_at) why the
-- latest attempt failed, '' after a success. A failed update keeps the
-- previous index_files rows, so the old indexes stay in use.
CREATE TABLE sources (
	name          TEXT PRIMARY KEY NOT NULL,
	uri           TEXT NOT NULL,
	suite         TEXT NOT NULL,
	components    TEXT NOT NULL DEFAULT '',
	architectures TEXT NOT NULL DEFAULT '',
	signed_by     TEXT NOT NULL DEFAULT '',
	trusted       INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1)),
	enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	priority      INTEGER NOT NULL DEFAULT 500,
	last_update   INTEGER,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at INTEGER
) STRICT;

-- index_files: the files of a source's last good update (InRelease, the
-- Packages indexes, ...), one row per path as the Release file names it
-- (relative to dists/SUITE, or to the URI for a flat repository). url is
-- where the bytes came from (a compressed or by-hash variant), cache_path
-- where they are kept relative to the root ('' when not kept as a file),
-- size and sha256 describe the uncompressed content, etag and
-- last_modified are the HTTP validators for a conditional request next
-- time. Rows are replaced as a whole per source, only after a successful
-- update.
CREATE TABLE index_files (
	source        TEXT NOT NULL REFERENCES sources (name) ON DELETE CASCADE ON UPDATE CASCADE,
	path          TEXT NOT NULL,
	url           TEXT NOT NULL,
	cache_path    TEXT NOT NULL DEFAULT '',
	size          INTEGER NOT NULL CHECK (size >= 0),
	sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	fetched_at    INTEGER NOT NULL,
	PRIMARY KEY (source, path)
) STRICT, WITHOUT ROWID;

-- installed: the packages aim installed (dpkg's are read from its status
-- file, never stored here). id is stable for the life of the row (an
-- upgrade updates the row in place), so later tables (files, conffiles)
-- can reference it with ON DELETE CASCADE. auto is 1 for a package
-- installed only to satisfy a dependency, user is 1 for a user package
-- (Section user/...), origin is the source name it came from ('' for a
-- local .deb), control is the full control paragraph as installed.
CREATE TABLE installed (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	version      TEXT NOT NULL,
	architecture TEXT NOT NULL,
	auto         INTEGER NOT NULL DEFAULT 0 CHECK (auto IN (0, 1)),
	user         INTEGER NOT NULL DEFAULT 0 CHECK (user IN (0, 1)),
	origin       TEXT NOT NULL DEFAULT '',
	installed_at INTEGER NOT NULL,
	control      TEXT NOT NULL
) STRICT;
`
