// Package policy holds the installer's rules in maemo's spirit: which
// packages are user packages and how they are shown (categories, hidden
// ones), and, on top of the resolver, what an install, removal or upgrade
// may and may not do.
//
// It decides; it does not fetch, unpack or print.
package policy
