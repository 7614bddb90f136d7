// Package aimconf reads aim's settings file, etc/aim/aim.conf below a
// root, into a typed Settings value.
//
// The file is "key = value" lines, "#" comments and blank lines; keys are
// case-insensitive and unknown keys are ignored. Values are checked here
// (a duration, a trust level), so a bad setting is reported once, with
// its file and line.
//
// Only the command line (cmd/aim, the daemon included) reads aim.conf,
// once per command, and passes the values it needs down as arguments and
// config fields. Library packages must not import aimconf to read the file
// themselves. Foreign also reads dpkg's list of foreign architectures,
// the other half of the same setting. The package uses the standard
// library, deb (for architecture names) and deb/rootfs (for the file's
// path) only and knows no defaults that belong to other
// packages: an unset key is a zero field.
package aimconf
