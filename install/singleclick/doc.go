// Package singleclick is the single-click install of a .install file
// (maemo's Application Installer, aim open): it reads the file for this
// device, stages the repositories it names (adding or enabling sources,
// updating only those, taking a repository's key when the caller's
// Trust callback accepts it), decides the install once through an
// install.Installer, and reverts what it staged when the caller gives up
// or anything fails.
//
// It does not print, prompt or read aim.conf: questions go to the
// caller's callbacks and settings come in as values. Running the
// decided plan is the caller's (install.Installer.Run), so that it can
// show the plan and ask first.
package singleclick
