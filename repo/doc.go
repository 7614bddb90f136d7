// Package repo reads and writes what aim knows about repositories: the
// sources that name them, their Release files and package indexes, the
// available-package cache, and the publisher's side.
//
// # Sources
//
// Sources live under a root directory (the --root of the command line) in
// etc/aim/sources.list and etc/aim/sources.list.d/, in apt's two formats
// (see sources.list(5)):
//
//   - one-line entries, in sources.list and sources.list.d/*.list:
//     "deb [arch=amd64 signed-by=/etc/aim/keyrings/x.asc] URI SUITE COMPONENT...",
//     with "#" comments; a line "# deb ..." that reads as an entry once the
//     "#" is removed is a disabled entry;
//   - deb822 paragraphs, in sources.list.d/*.sources, with the fields Types,
//     URIs, Suites, Components, Architectures, Signed-By (keyring paths,
//     fingerprints, or an inline armored key), Trusted and Enabled, and any
//     other field kept as written.
//
// LoadSources reads every file in a fixed order and returns each good entry
// as a Source with a stable name (see Source.Name for the rule); a malformed
// entry yields a *SourceError with its file and line and never hides the
// others. ExpandSources turns enabled sources into SourceTargets: the
// Release directory and index path of every (type, URI, suite, component,
// architecture) a fetcher downloads.
//
// AddSourceLine and AddSourceFile add a source, SetSourcesEnabled and
// RemoveSources edit the files in place: one-line entries are commented out
// or back in, deb822 paragraphs get or lose "Enabled: no", and every other
// line of the file, comments included, is kept byte for byte. Files are
// replaced atomically (written aside, then renamed).
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
// # Publishing
//
// A maintainer's repository is a directory with aim-repo.conf (its
// settings) and aim-repo.state/ (the package database: each package's
// index paragraph with its hashes, so publishing never reads a .deb again);
// neither is ever served. Add copies packages into pool/ after linting
// them, and Publish writes dists/ (Packages, .gz, .xz, by-hash copies of
// the last generations, Release, Release.gpg, then InRelease last, so a
// reader sees the old release or the new one, never a mix), key.asc at the
// root, and nothing at all when nothing changed. Release is the same type
// in both directions.
//
// Nothing here prints or prompts. The sources functions read and write
// files under the root they are given; the Updater fetches only the URLs
// its sources name; all return values and errors and report progress
// through callbacks.
package repo
