// Package db owns aim's persistent state under a root: the SQLite database
// var/lib/aim/aim.db, its schema and migrations, the writer lock
// var/lib/aim/lock, and the reading of dpkg's status file
// var/lib/dpkg/status as installed system packages.
//
// The database holds the configured sources and the index files fetched
// for each, and the packages aim has installed (with their full control
// paragraphs). Later schema versions add what the installer engine needs
// (files, tasks, transcripts, the recovery journal) as numbered migrations
// appended to the list in migrate.go; a database is migrated forward when
// opened for writing, and a database newer than this binary is refused.
//
// Guarantees:
//   - Every write that spans several statements runs in one transaction, so
//     the database never holds half of an operation.
//   - Readers (OpenReadOnly, View) see a consistent snapshot and never block
//     on a running writer (WAL).
//   - One writer at a time across processes: Lock / AcquireLock take an
//     exclusive flock that the kernel drops when the holder dies.
//   - dpkg's files are read, never written.
//
// What it must not do: import anything of aim but deb; print, prompt or
// exit; decide policy (which packages are user packages, what may be
// removed); hold SQL outside this package, so the schema has one owner.
package db
