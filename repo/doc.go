// Package repo is the client side of repositories: fetching (file,
// http(s)), Release and InRelease files, package indexes, and the
// available-package cache.
//
// The sources that name repositories are read by repo/sources; .install
// files by repo/installfile; a maintainer's side (add, publish, check) is
// repo/publish, which this package must not import.
//
// # Updating
//
// Updater fetches each source's InRelease (Release and Release.gpg only
// when InRelease is absent), verifies it with repo/pgp, checks the Release
// (Valid-Until, Date, suite) and fetches every index it lists, checking
// size and SHA256, into a staging directory that is committed only when
// the whole source succeeded. A failed source keeps its previous indexes.
// The indexes of every enabled source then feed the available-package
// Cache, a mapped file looked up by name, provided name and text.
//
// Nothing here prints or prompts, and nothing here reads aim.conf: the
// caller passes the values (the native architecture, the sources). The
// Updater fetches only the URLs its sources name; all return values and
// errors and report progress through callbacks.
package repo
