// Package install is aim's installer engine: it applies a plan (packages
// to install, upgrade and remove) to a root as one transaction. It fetches
// and hash-checks the archives, checks free space, runs checkrm programs,
// stages the new files beside their targets (PATH.aim-tmp plus a
// newline, a name no package file can have; several archives at once,
// one a core, with the outcome of staging them in plan order), then,
// one package at a time in plan order, checks file conflicts, runs the
// maintainer scripts
// with dpkg's arguments through package hooks, renames the files into
// place keeping the replaced ones as backups (PATH.aim-old plus a
// newline), runs triggers, and records the result in the database in one SQLite
// transaction, which is the commit point. Any failure before it undoes
// every change: files are restored, the scripts' error-unwind forms run,
// and the database keeps its state. A journal in the database lets
// Recover finish (roll forward) or undo (roll back) a transaction that a
// crash interrupted; callers run it before anything else. The journal also
// records which maintainer scripts had started, so rolling back after a
// crash runs dpkg's error-unwind calls for them, as an in-process failure
// does.
// A crash after every package was unpacked (while postinsts or triggers
// run) rolls forward and leaves the new packages half-configured; the
// next Run runs their postinst configure first. A package removed
// without purging stays in dpkg's config-files state (conffiles and
// postrm kept) until a Purge change.
//
// Triggers follow dpkg: an awaited trigger whose triggered postinst fails
// fails the activating package's configuration (and the transaction); a
// noawait one leaves the interested package triggers-pending, processed
// first by the next Run. ldconfig runs once when shared libraries changed
// and the root has it.
//
// The task model follows Qt Application Manager's PackageManager: a Task
// goes Queued → Executing → (AwaitingAcknowledge) → Installing →
// CleaningUp → Finished, or Failed, reports progress from 0 to 1 through
// a callback, and may be cancelled until it reaches Installing.
//
// What it must not do: print, prompt or exit (it reports through return
// values, errors and the callback the caller owns), decide what to
// install (that is policy's and resolver's job), or change the database
// outside the commit step and its journal.
package install
