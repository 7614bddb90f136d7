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
// Nothing here prints, prompts or fetches: the sources functions read and
// write files under the root they are given and return values and errors.
package repo
