package db

// schemaV3 keys installed packages by (name, architecture), so that the
// instances of a Multi-Arch: same package for several architectures each
// have their row, their files and their conffiles.
//
// SQLite cannot drop a UNIQUE constraint in place, so installed is
// rebuilt. Dropping a parent table with foreign keys on deletes its
// children's rows through ON DELETE CASCADE, so files is first copied
// aside and dropped, then installed is rebuilt (keeping every id), then
// files is recreated and refilled. conffiles gains the architecture: a
// row whose package is installed takes that package's architecture; a row
// of a removed (not purged) package, whose architecture was never
// recorded, gets the empty string (see Conffiles).
const schemaV3 = `
CREATE TABLE files_v2 AS SELECT * FROM files;
DROP TABLE files;

CREATE TABLE installed_v3 (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	version      TEXT NOT NULL,
	architecture TEXT NOT NULL,
	auto         INTEGER NOT NULL DEFAULT 0 CHECK (auto IN (0, 1)),
	user         INTEGER NOT NULL DEFAULT 0 CHECK (user IN (0, 1)),
	origin       TEXT NOT NULL DEFAULT '',
	installed_at INTEGER NOT NULL,
	control      TEXT NOT NULL,
	UNIQUE (name, architecture)
) STRICT;
INSERT INTO installed_v3 (id, name, version, architecture, auto, user, origin, installed_at, control)
	SELECT id, name, version, architecture, auto, user, origin, installed_at, control FROM installed;
DROP TABLE installed;
ALTER TABLE installed_v3 RENAME TO installed;

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
INSERT INTO files SELECT * FROM files_v2;
DROP TABLE files_v2;
CREATE INDEX files_by_path ON files (path);

CREATE TABLE conffiles_v3 (
	package      TEXT NOT NULL,
	architecture TEXT NOT NULL DEFAULT '',
	path         TEXT NOT NULL,
	sha256       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (package, architecture, path)
) STRICT, WITHOUT ROWID;
INSERT INTO conffiles_v3 (package, architecture, path, sha256)
	SELECT c.package, coalesce((SELECT i.architecture FROM installed i WHERE i.name = c.package), ''), c.path, c.sha256
	FROM conffiles c;
DROP TABLE conffiles;
ALTER TABLE conffiles_v3 RENAME TO conffiles;
`
