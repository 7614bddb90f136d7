// Package mirror keeps filtered mirrors of signed upstream repositories
// inside a maintainer's repository (repo/publish): a device fleet gets a
// pinned subset of Debian beside its own apps.
//
// A mirror is configured once (Create: upstream URL, suite, components,
// the keyring its Release must be signed by, a filter and whether to
// follow dependencies) and updated as often as wanted (Update). Update
// fetches the upstream's InRelease and indexes with repo.Updater into a
// private root below the repository's state directory, so they are
// verified exactly as aim update verifies a source (signature by the
// mirror's keyring, Valid-Until, Date never going back, sizes and
// hashes); it then selects the filtered packages (all when there is no
// filter) and, with WithDeps, everything they need for each of the
// mirror's architectures by the resolver; it downloads the selected
// package files, checking size and SHA256 against the verified index, and
// adds them to the repository (publish.Repo.Add), removing the ones an
// earlier update added that are no longer selected. Nothing is published:
// the maintainer publishes and snapshots the repository as usual.
//
// The package imports repo, repo/sources, repo/publish, resolver, db and
// deb; it must not print.
package mirror
