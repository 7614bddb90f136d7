// Package sources reads and edits the sources that name aim's
// repositories.
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
// Load reads every file in a fixed order and returns each good entry as a
// Source with a stable name (see Source.Name for the rule); a malformed
// entry yields an *Error with its file and line and never hides the
// others. Expand turns enabled sources into Targets: the
// Release directory and index path of every (type, URI, suite, component,
// architecture) a fetcher downloads.
//
// AddLine and AddFile add a source, SetEnabled and Remove edit the files
// in place: one-line entries are commented out
// or back in, deb822 paragraphs get or lose "Enabled: no", and every other
// line of the file, comments included, is kept byte for byte. Files are
// replaced atomically (written aside, then renamed).
//
// MatchCatalogue finds the configured source that already provides a
// .install file's catalogue.
//
// The package imports deb and repo/installfile only. It must not fetch
// anything, read aim.conf (Load takes the distribution from the caller),
// or print: it reads and writes files under the root it is given and
// returns values and errors.
package sources
