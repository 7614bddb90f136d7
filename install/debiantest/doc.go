// Package debiantest gives tests real Debian bookworm packages and a real
// minbase root to install them into: archives fetched with apt-get download
// into a cache shared by every test run, a root built once with debootstrap
// and copied for each test, and a way to run a program inside such a root.
//
// It is a test helper: every function takes a testing.TB, skips the test
// with a message when the archive or the tools cannot be reached, and fails
// it on errors that mean the helper itself is broken. Nothing here is used
// by aim itself. The cache lives in $AIM_DEBIAN_CACHE, or aim-debian under
// the user's cache directory; processes share it under a file lock.
package debiantest
