// Package server is the deployment server behind "aim repo serve": it
// serves a published repository's static tree (dists/, pool/, key.asc),
// answers the app feed under /api/v1/ (which apps fit a device's
// architecture and tags), generates single-click .install files, takes
// token-protected uploads that it adds and publishes, and shows a
// Downloads page.
//
// It reads what the publisher (package repo) wrote: the settings file,
// the Release files and the Packages indexes. It never serves the
// settings, the publisher's state directory, dot files, or anything
// outside the repository directory, symbolic links included. It changes
// the repository only through repo.OpenRepo, Add and Publish, holding the
// repository's lock for the duration of one upload.
//
// It does not print: the access log and reload failures go to the
// io.Writer the caller gives in Config.
package server
