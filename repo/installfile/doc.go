// Package installfile reads and writes GLib key files and maemo's
// single-click .install files.
//
// ParseKeyFile and WriteKeyFile read and write key files the way GLib's
// GKeyFile does (groups, escapes, lists, localised keys). Parse reads a
// .install file, in the classic form (a deb line per distribution) or the
// catalogue form, for a device described by Options, and returns the
// Instructions: the catalogues (repositories) to add and the packages to
// install. ReadURL reads a .install file, or a key it names, from a path
// or a file, http or https URL, bounded in size and time.
//
// The package uses the standard library only. It must not read aim.conf
// (the caller passes the distribution and install key in Options), print,
// or know about configured sources: matching a catalogue to a source is
// repo/sources' MatchCatalogue.
package installfile
