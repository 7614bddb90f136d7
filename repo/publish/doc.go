// Package publish is the maintainer's side of a repository: add, remove,
// publish, check, lint, and the single-click .install files of its user
// packages.
//
// A maintainer's repository is a directory with aim-repo.conf (its
// settings) and aim-repo.state/ (the package database: each package's
// index paragraph with its hashes, so publishing never reads a .deb again);
// neither is ever served. Repo.Add copies packages into pool/ after linting
// them: staged unsynced, then one filesystem sync, renamed to their pool
// names, a second sync, and only then recorded (stage.go), so a pool file
// under its name is whole and durable, and Repo.Publish writes dists/ (Packages, .gz, .xz, by-hash copies of
// the last generations, Release, Release.gpg, InRelease), key.asc at the
// root, and nothing at all when nothing changed. Each publish of a dist D
// is a new directory dists/D.gen/N, and dists/D a link switched to it by
// one rename, so a reader sees the old generation or the new one, never
// a mix, even when a publish is killed (generation.go); a flat
// repository's files are each renamed into place, InRelease last. Release is repo's type, the
// one a client reads.
//
// Settings are read from aim-repo.conf here; .install files are written
// with repo/installfile's key file writer, and only for user packages by
// deb.IsUserSection. Files are replaced atomically with deb/rootfs, and
// dists and components are checked with sources.CheckWord, so what is
// published can be named by a source.
//
// The package imports deb, deb/rootfs, repo, repo/pgp, repo/sources and
// repo/installfile. It must not print or prompt, nor read aim.conf, and
// the client packages (repo, repo/sources) must not import it.
package publish
