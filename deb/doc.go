// Package deb holds what a Debian binary package is made of: deb822
// control data (paragraphs read and written in order), Debian versions
// with dpkg's ordering, relation fields (Depends, Conflicts, Provides, ...)
// and .deb archives (read as a stream, built, signature members added and
// read back as bytes).
//
// It is the leaf of aim's package graph: it imports only the standard
// library, the ar reader and compression libraries, does no I/O beyond the
// readers and writers it is handed, and never prints. Every parser returns
// an error for malformed input; none panics.
package deb
