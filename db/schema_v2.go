package db

// schemaV2 adds what the installer engine records: the files and
// conffiles of installed packages, the transcript of every operation,
// tasks, and the journal of the transaction in progress.
const schemaV2 = `
-- files: every file, directory, symlink and pipe an installed package
-- owns. path is absolute inside the root ("/usr/bin/hello"), type one of
-- 'f' (regular), 'd' (directory), 'l' (symlink), 'h' (hard link), 'p'
-- (fifo); mode holds the permission bits; size and sha256 describe a
-- regular file's contents ('' otherwise); link is a symlink's target.
-- conffile is 1 for a path listed in the package's conffiles.
CREATE TABLE files (
	package  INTEGER NOT NULL REFERENCES installed (id) ON DELETE CASCADE,
	path     TEXT NOT NULL,
	type     TEXT NOT NULL CHECK (type IN ('f', 'd', 'l', 'h', 'p')),
	mode     INTEGER NOT NULL,
	size     INTEGER NOT NULL DEFAULT 0,
	sha256   TEXT NOT NULL DEFAULT '',
	link     TEXT NOT NULL DEFAULT '',
	conffile INTEGER NOT NULL DEFAULT 0 CHECK (conffile IN (0, 1)),
	PRIMARY KEY (package, path)
) STRICT, WITHOUT ROWID;
CREATE INDEX files_by_path ON files (path);

-- conffiles: the configuration files of a package with the hash of the
-- version the package shipped. Keyed by name, not id: a removed (not
-- purged) package keeps its rows, as dpkg keeps its conffiles.
CREATE TABLE conffiles (
	package TEXT NOT NULL,
	path    TEXT NOT NULL,
	sha256  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (package, path)
) STRICT, WITHOUT ROWID;

-- transcript: one row per operation, holding its whole transcript.
CREATE TABLE transcript (
	id        INTEGER PRIMARY KEY,
	task      TEXT NOT NULL DEFAULT '',
	operation TEXT NOT NULL,
	at        INTEGER NOT NULL,
	ok        INTEGER NOT NULL CHECK (ok IN (0, 1)),
	text      TEXT NOT NULL
) STRICT;

-- tasks: the app-manager task model. state is the task state's name,
-- progress 0..1, error '' unless Failed.
CREATE TABLE tasks (
	id          TEXT PRIMARY KEY NOT NULL,
	kind        TEXT NOT NULL,
	package     TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL,
	progress    REAL NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	finished_at INTEGER
) STRICT;

-- journal: the steps of the transaction in progress, for crash recovery.
-- phase is 'staging', 'staged' or 'committed'; deb is the archive being
-- unpacked ('' for a removal); old and new hold the paths of the
-- installed and the new version, one a line.
CREATE TABLE journal (
	seq     INTEGER PRIMARY KEY,
	txid    TEXT NOT NULL,
	action  TEXT NOT NULL,
	package TEXT NOT NULL,
	phase   TEXT NOT NULL,
	deb     TEXT NOT NULL DEFAULT '',
	old     TEXT NOT NULL DEFAULT '',
	new     TEXT NOT NULL DEFAULT '',
	purge   INTEGER NOT NULL DEFAULT 0 CHECK (purge IN (0, 1))
) STRICT;
`
