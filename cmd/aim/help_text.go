package main

import "sync"

// This file holds what `aim help CMD`, `aim CMD --help` and the man pages
// say of each command and verb beyond its flags: the argument forms, what
// it does and changes, and examples. help.go prints it; docs.go writes it
// into the man pages. A command or verb without an entry still gets its
// summary and flags.

// helpText describes one command or verb.
type helpText struct {
	// synopsis lists the argument forms after "aim NAME" (or "aim NAME
	// VERB"), one a line.
	synopsis []string
	// description is what it does and what it changes, in paragraphs
	// separated by blank lines.
	description string
	// examples are command lines, each optionally followed by "  # "
	// and what it does.
	examples []string
	// names is what the arguments name, for shell completion:
	// "installed" or "available" packages, or "sources"; "" for files.
	names string
}

// helpTexts returns the help of each command ("install") and verb ("repo
// add").
var helpTexts = sync.OnceValue(func() map[string]helpText {
	return map[string]helpText{
		"install": {
			names:    "available",
			synopsis: []string{"[OPTIONS] PKG[:ARCH][=VERSION]|FILE.deb...", "[OPTIONS] FILE.install|URL"},
			description: `Installs the named packages with everything they depend on, from the configured sources (fill the package lists with aim update first) or from local .deb files named on the command line. Recommended packages of the packages it installs come too, unless --no-install-recommends.

PKG:ARCH names a build of a foreign architecture (aim.conf's foreign-architectures, or dpkg's); the plan lists such packages as NAME:ARCH. The instances of a Multi-Arch: same package for several architectures are installed side by side, at the same version (upgrading one upgrades the others), and share their common files, which must be identical; installing one beside an instance that dpkg owns is refused: that is apt's job.

The plan follows the maemo rules: an install never removes a package, and installed user packages stay. aim shows the plan and asks before it changes anything; -s only shows it, -y does not ask. The whole plan runs as one transaction: on any failure the system is as it was before.

A single .install file or URL is opened as aim open does.`,
			examples: []string{"aim install hello  # install hello and what it needs", "aim install -s hello=2.10-3  # show the plan for that version",
				"aim install ./hello_2.10-3_amd64.deb", "aim install --reinstall hello"},
		},
		"remove": {
			names:       "installed",
			synopsis:    []string{"[OPTIONS] PKG[:ARCH]..."},
			description: "Removes the named packages and the automatically installed packages that only they needed. Configuration files stay (the package is then in the config-files state) unless --purge. A package another installed package depends on is not removed: aim refuses rather than remove what the user installed. PKG:ARCH removes only that architecture's instance of a package installed for several (Multi-Arch: same); the files it shares with the others stay.",
			examples:    []string{"aim remove hello", "aim remove -s hello  # show what would go", "aim remove --purge hello", "aim remove libfoo1:i386  # only the i386 instance"},
		},
		"purge": {
			names:       "installed",
			synopsis:    []string{"[OPTIONS] PKG..."},
			description: "Removes the named packages with their configuration files and runs their postrm purge; a package already removed (config-files state) has its leftovers purged.",
			examples:    []string{"aim purge hello"},
		},
		"upgrade": {
			synopsis:    []string{"[OPTIONS]"},
			description: "Upgrades every installed package that has a newer candidate in the configured sources, installing new dependencies as needed but never removing a package: an upgrade that would need a removal is kept back and listed.",
			examples:    []string{"aim update && aim upgrade", "aim upgrade -s --json"},
		},
		"autoremove": {
			synopsis:    []string{"[OPTIONS]"},
			description: "Removes automatically installed packages that no installed package needs any more. User packages are never removed automatically.",
			examples:    []string{"aim autoremove -s", "aim autoremove -y --purge"},
		},
		"open": {
			synopsis: []string{"[OPTIONS] FILE.install|URL"},
			description: `The single-click install. Reads a .install file (a path, or a file:, http: or https: URL), adds the repositories it names as sources of their own (or enables them), updates only those, and installs its packages in one transaction. A repository signed by a key that is not trusted yet is used only when you trust that key for it: on a yes at the terminal or with --trust-key FINGERPRINT (-y alone never trusts a key).

Any failure, a no, or -s removes again what it added.

Run by an ordinary user for the system (a root the user cannot write), aim open, install, remove and upgrade go to the system's aim daemon automatically (as --via-daemon does, on the system bus): the daemon stages the file, the questions are asked here, and the daemon installs once they are answered, if polkit (or aim.conf's dbus-allow-users and dbus-allow-groups) lets the user change the system. A root of the user's own (--root DIR) is changed directly.

Without a terminal, in a desktop session (DISPLAY or WAYLAND_DISPLAY), the questions through the daemon are asked in windows of zenity (or kdialog on KDE, whichever is installed): the unknown key with its fingerprint, the install with its packages and sizes, then a progress window, the result, and a desktop notification when done; errors are said in a user's words. The texts follow the user's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: English, German, French). The desktop entry (contrib/aim-install.desktop) runs aim open this way.`,
			examples: []string{"aim open https://example.org/apps/hello.install", "aim open -s hello.install  # show what it would do",
				"aim open -y --trust-key 0123...CDEF hello.install"},
		},
		"update": {
			synopsis:    []string{"[OPTIONS]"},
			description: "Fetches the Release file and package indexes of every enabled source, checks the signature against the trusted keys and the hash of every file, and rebuilds the package cache. Besides the native architecture's indexes it fetches those of every foreign architecture (aim.conf's foreign-architectures and dpkg's own list) that the Release lists, unless the source's arch= option names its architectures. A source that fails keeps its previous lists; the command then exits non-zero naming it.",
			examples:    []string{"aim update", "aim update --source demo"},
		},
		"search": {
			synopsis:    []string{"[OPTIONS] TERM..."},
			description: "Lists the available packages whose name or description contains every word given, with their versions and whether they are installed.",
			examples:    []string{"aim search editor", "aim search --user game"},
		},
		"show": {
			names:       "available",
			synopsis:    []string{"[OPTIONS] PKG[:ARCH][=VERSION]..."},
			description: "Prints every field of a package: the installed version when there is one, else the candidate; with =VERSION that version; with :ARCH only that architecture's builds.",
			examples:    []string{"aim show hello", "aim show --json hello=2.10-3"},
		},
		"list": {
			synopsis:    []string{"[OPTIONS] [--all|--installed|--upgradable|--user]"},
			description: "Lists packages: every available one (the default), the installed ones (aim's and dpkg's, with their state), those with a newer candidate, or the user packages with their categories.",
			examples:    []string{"aim list --installed", "aim list --upgradable --json"},
		},
		"policy": {
			names:       "available",
			synopsis:    []string{"[OPTIONS] PKG..."},
			description: "Shows a package's installed version, its candidate, and every available version with the sources that offer it and their priorities.",
			examples:    []string{"aim policy hello"},
		},
		"files": {
			names:       "installed",
			synopsis:    []string{"[OPTIONS] PKG[:ARCH]"},
			description: "Lists the files an installed package owns; with :ARCH only when it is installed for that architecture. A package installed for several architectures (Multi-Arch: same) is named PKG:ARCH for a foreign one, PKG for the native one.",
			examples:    []string{"aim files hello"},
		},
		"owns": {
			synopsis:    []string{"[OPTIONS] PATH..."},
			description: "Names the installed package that owns each path.",
			examples:    []string{"aim owns /usr/bin/hello"},
		},
		"verify": {
			names:       "installed",
			synopsis:    []string{"[OPTIONS] [PKG...]"},
			description: "Checks the files of the installed packages (or of those named) against the sizes and hashes recorded at install, and lists the files changed or missing. Changed configuration files are listed but do not count as failures. The exit status is 1 when a file is changed or missing.",
			examples:    []string{"aim verify", "aim verify hello"},
		},
		"log": {
			synopsis:    []string{"[OPTIONS]"},
			description: "Shows the transcripts of recent operations: what ran, the maintainer scripts' output, and how each ended.",
			examples:    []string{"aim log -n 1"},
		},
		"tasks": {
			synopsis:    []string{"[OPTIONS]"},
			description: "Lists recent tasks (installs, removals, upgrades, also those the D-Bus service ran) with their state, progress and result.",
			examples:    []string{"aim tasks --json"},
		},
		"mark": {
			synopsis:    []string{"auto|manual|hold|unhold PKG..."},
			description: "Marks installed packages as automatically installed (autoremove may remove them once nothing needs them) or manual, or holds them at their version (upgrade leaves them alone) and releases them.",
			examples:    []string{"aim mark hold hello", "aim mark auto libfoo1"},
		},
		"configure": {
			synopsis:    []string{"--pending [OPTIONS]"},
			description: "Finishes what an interrupted operation left: runs the postinst configure of half-configured packages and the pending triggers, as dpkg --configure -a does. Every command that changes the system does this first; configure --pending does only that. The exit status is 1 when a package still cannot be configured.",
			examples:    []string{"aim configure --pending"},
		},
		"clean": {
			synopsis:    []string{"[OPTIONS]"},
			description: "Deletes the downloaded package archives kept in the archives cache.",
			examples:    []string{"aim clean"},
		},
		"daemon": {
			synopsis:    []string{"--system|--session|--bus ADDRESS [OPTIONS]"},
			description: "Runs the package manager service (org.aim.PackageManager and Qt Application Manager's io.qt.PackageManager) on D-Bus until it is stopped: tasks with states, progress, acknowledge and cancel, for a system UI, and the single-click install of .install files (openInstallFile, confirmInstallFile, declineInstallFile). On the system bus it is the privileged part of aim: ordinary users' aim open, install, remove and upgrade for the system go to it.",
			examples:    []string{"aim daemon --system", "aim daemon --session --root /tmp/device"},
		},
		"repo": {
			synopsis:    []string{"VERB [OPTIONS] DIR ..."},
			description: "Builds, signs, publishes and serves an apt repository in a directory: for maintainers.",
			examples:    []string{"aim repo init r --dist stable", "aim repo add r hello_1.0_all.deb", "aim repo publish r --key maint.secret.asc", "aim repo serve r --listen 127.0.0.1:8080"},
		},
		"repo init": {synopsis: []string{"DIR --dist D [--component C] [--arch A,...] [--origin O] [--label L] [--description T] [--flat]"}, description: "Creates an empty repository in DIR with its settings file."},
		"repo add": {synopsis: []string{"DIR [--dist D] [--component C] [--strict] [--link] FILE.deb..."}, description: "Checks the packages (lint) and adds them to the repository's pool; they appear in its indexes at the next publish. " +
			"With --link, a package file on the pool's filesystem that is yours, has mode 0644 and is at most 16 MiB is hard-linked into the pool instead of copied (others are copied): faster for many packages, but the pool then shares the file, so it must never be rewritten in place (dpkg-deb --build does that to an existing output file; build to a new name, or remove the old file first)."},
		"repo remove": {synopsis: []string{"DIR [--dist D] PKG[=VERSION]..."}, description: "Removes packages from the repository."},
		"repo list":   {synopsis: []string{"DIR [--dist D] [--json]"}, description: "Lists the packages of the repository."},
		"repo check":  {synopsis: []string{"DIR"}, description: "Checks that the published tree matches the pool: every index, hash and signature. The exit status is 1 when anything is wrong."},
		"repo publish": {synopsis: []string{"DIR --key KEY.secret.asc [--passphrase-file F] [--valid-for 7d] [--install-files --base-url URL] [--snapshot NAME]",
			"DIR --key KEY.secret.asc --to s3://BUCKET/PREFIX [--endpoint URL] [--region R] [--path-style]"},
			description: `Writes the indexes, Release and its signatures (InRelease, Release.gpg) so that apt and aim can use the repository; optionally one .install file per user package.

With --to, the published tree is then uploaded to S3-compatible object storage (endpoint, region and credentials from --endpoint, --region and the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL variables; --path-style for self-hosted servers). Pool files and by-hash copies go up first, then the indexes, then Release and Release.gpg, and InRelease last, so clients always find what the InRelease they read names; an interrupted upload leaves the previous release readable and the next publish finishes it. Only objects whose size or SHA256 (kept in each object's metadata) differ are uploaded. Objects the repository no longer holds are deleted once the new InRelease is up and they have been stale for an hour and, but for by-hash copies, for three releases. Content types and Cache-Control headers are set as for a web server: immutable for pool/ and by-hash/, no-cache for the rest.`,
			examples: []string{"aim repo publish r --key maint.secret.asc --to s3://apt/fleet --endpoint http://127.0.0.1:7070 --path-style",
				"aim repo publish r --key maint.secret.asc --snapshot 2026-12  # serve the snapshot's packages"}},
		"repo snapshot": {synopsis: []string{"create DIR NAME", "list DIR [--json]", "diff DIR A B [--json]", "drop DIR NAME"},
			description: `Snapshots are named, frozen package sets of every dist of the repository. create freezes the current one (what the next publish would serve); list shows each snapshot with its date and package count; diff lists the packages whose versions differ from snapshot A to snapshot B (one line a package: dist, name, architecture, old -> new, "-" for none); drop deletes a snapshot. aim repo publish --snapshot NAME makes the snapshot's set the repository's and publishes it. Package files a snapshot names stay in the pool until it is dropped.`,
			examples:    []string{"aim repo snapshot create r 2026-12", "aim repo snapshot diff r 2026-11 2026-12"}},
		"repo mirror": {synopsis: []string{"create DIR NAME URL SUITE COMPONENTS --keyring FILE [--filter 'PKG, PKG...' [--with-deps]] [--arch A,...] [--dist D] [--component C]", "update DIR NAME [--dry-run] [--json]"},
			description: `Keeps a filtered copy of a signed upstream repository (a device fleet's pinned subset of Debian beside its own apps) in the repository DIR. create records the upstream (URL, suite and components, comma-separated), the keyring its Release must be signed by, the filter (a relation list: every package when none) and, with --with-deps, that what the filtered packages need is kept too, for each architecture (the repository's unless --arch). update fetches the upstream's InRelease and indexes and verifies them as aim update verifies a source (signature, Valid-Until, a Date never going back, sizes and SHA256), resolves the dependencies with aim's resolver, downloads the package files the repository lacks (checked against the verified index), adds them to the dist and component given at create (the repository's first by default) and removes those an earlier update added that are no longer selected. Nothing is published: publish, snapshot and roll back the repository as usual. --dry-run prints the packages selected and changes nothing.`,
			examples: []string{"aim repo mirror create r debian http://deb.example.org/debian bookworm main --keyring debian-archive-keyring.gpg --filter 'openssh-server, nano' --with-deps",
				"aim repo mirror update r debian && aim repo publish r --key maint.secret.asc"}},
		"repo rollback": {synopsis: []string{"DIR --key KEY.secret.asc [--passphrase-file F] [--valid-for 7d] [--to s3://BUCKET/PREFIX [--endpoint URL] [--region R] [--path-style]]"},
			description: `Puts back the package set published before the current one and publishes it at once, signed anew with a Date later than the current Release's (clients refuse a Release older than the one they have); with --to, uploads it as aim repo publish --to does. Only indexes and Release files change: the package files of the last five published sets stay in the pool and the bucket. Changes to the repository not yet published are dropped. Each rollback goes one publish further back.`,
			examples:    []string{"aim repo rollback r --key maint.secret.asc --to s3://apt/fleet"}},
		"repo serve": {synopsis: []string{"DIR --listen ADDR [--base-url URL] [--upload-token-file F --sign-key KEY [--passphrase-file F]]"}, description: "Serves the repository over HTTP with the app feed, .install files and a Downloads page; with an upload token, accepts signed uploads and publishes them."},
		"deb": {
			synopsis:    []string{"VERB [OPTIONS] ..."},
			description: "Builds and inspects .deb files.",
			examples:    []string{"aim deb build pkgdir", "aim deb info hello_1.0_all.deb Version"},
		},
		"deb build":    {synopsis: []string{"[-Z gzip|xz|zstd|none] DIR [OUT.deb|OUTDIR]"}, description: "Builds a reproducible .deb from DIR (DIR/DEBIAN/control and the files), as dpkg-deb --build does."},
		"deb info":     {synopsis: []string{"FILE [FIELD...]"}, description: "Prints the control data of a .deb, or only the named fields."},
		"deb contents": {synopsis: []string{"FILE"}, description: "Lists the files of a .deb, as dpkg-deb --contents does."},
		"deb extract":  {synopsis: []string{"FILE DIR"}, description: "Extracts the files of a .deb below DIR; no member can escape DIR."},
		"deb sign":     {synopsis: []string{"--role developer|store --key KEY.secret.asc FILE.deb..."}, description: "Adds a signature for the role to each package."},
		"deb verify":   {synopsis: []string{"FILE.deb... [--keyring FILE]... [--trusted-dir DIR]"}, description: "Checks the signatures of each package against the keys given; the exit status is 1 when one fails."},
		"key": {
			synopsis:    []string{"VERB [OPTIONS] ..."},
			description: "Manages the keys you trust for repositories (add, list, remove) and the keys a maintainer signs with (generate, export, show, certify).",
			examples:    []string{"aim key add https://example.org/key.asc --source demo", "aim key list"},
		},
		"key add":      {synopsis: []string{"FILE|URL [--source NAME]"}, description: "Trusts the keys in FILE for every repository, or with --source for that source only."},
		"key list":     {synopsis: []string{""}, description: "Lists the trusted repository keys."},
		"key remove":   {synopsis: []string{"FINGERPRINT|KEYID"}, description: "Stops trusting a repository key."},
		"key generate": {synopsis: []string{"--name NAME [--email EMAIL] --out PREFIX [--rsa] [--expire 2y] [--passphrase-file F]"}, description: "Makes a signing key pair: PREFIX.secret.asc and PREFIX.asc."},
		"key export":   {synopsis: []string{"KEY-FILE [--binary]"}, description: "Prints the public part of a key."},
		"key show":     {synopsis: []string{"KEY-FILE"}, description: "Shows a key's fingerprint, user IDs, algorithm and validity."},
		"key certify":  {synopsis: []string{"--ca CA.secret.asc KEY.asc [--out FILE]"}, description: "Certifies a developer key with a CA key, for the package-trust policy."},
		"source": {
			synopsis:    []string{"VERB [OPTIONS] ..."},
			description: "Manages the package sources in etc/aim/sources.list and etc/aim/sources.list.d below the root.",
			examples:    []string{"aim source add 'deb https://example.org/apt stable main' --name demo", "aim source list"},
		},
		"source add":     {synopsis: []string{"'deb URI SUITE [COMPONENT...]'|FILE [--name NAME] [--signed-by KEYFILE]"}, description: "Adds a source, given as a one-line entry or a .list/.sources file."},
		"source list":    {synopsis: []string{""}, description: "Lists the sources with their state."},
		"source enable":  {names: "sources", synopsis: []string{"NAME-or-URI..."}, description: "Enables sources."},
		"source disable": {names: "sources", synopsis: []string{"NAME-or-URI..."}, description: "Disables sources; their lists are dropped at the next update."},
		"source remove":  {names: "sources", synopsis: []string{"NAME-or-URI..."}, description: "Removes sources."},
		"version": {
			synopsis:    []string{"VERB ..."},
			description: "Compares and sorts Debian versions exactly as dpkg does.",
			examples:    []string{"aim version compare 1.0~rc1 lt 1.0", "printf '1.0\\n1.0~rc1\\n' | aim version sort"},
		},
		"version compare": {synopsis: []string{"V1 OP V2"}, description: "Exits 0 when the relation holds and 1 when not; OP is one of lt le eq ne ge gt << <= = >= >> (and dpkg's -nl forms)."},
		"version sort":    {synopsis: []string{""}, description: "Reads versions from standard input, one a line, and prints them ascending."},
	}
})
