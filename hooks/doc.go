// Package hooks runs the programs a package brings along: its maintainer
// scripts (preinst, postinst, prerm, postrm, config) with dpkg's calling
// conventions, and its checkrm program, which may cancel a removal or an
// upgrade by exiting 111. It also owns the transcript those runs write and
// the rotated session log (var/log/aim/session.log, .1, .2, ...) that keeps
// transcripts on disk.
//
// Scripts run in a new session (no controlling terminal), with standard
// input from /dev/null, a clean environment (the exact list is in the
// Runner documentation), a timeout that kills the whole process group,
// and their standard output and standard error interleaved into one
// captured stream. Under a
// root other than "/" they run chrooted into it when aim runs as root, and
// chrootless on the host with DPKG_ROOT set otherwise, as dpkg does.
//
// What it must not do: it imports only the standard library, never prints
// to the terminal (output goes to the writers the caller hands it), never
// decides what to do about a failure (it reports a typed error: the engine
// decides whether to unwind), and never touches the package database.
package hooks
