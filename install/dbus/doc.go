// Package dbus is aim's package manager service: it runs the installer
// engine (package install) behind D-Bus with the model and calls of Qt
// Application Manager's PackageManager. One connection owns Name
// (org.aim.PackageManager, object Path, interface Interface: Qt's calls
// plus aim's installPackages, removePackages, upgrade and plan) and
// QtName (io.qt.ApplicationManager, object QtPath, interface QtInterface:
// Qt Application Manager 6's PackageManager), so a client written for Qt
// works unchanged.
//
// Every interface is described once, as a table (iface); dispatch, the
// overloads by signature (removePackage(sb) and (sbb), validateDnsName(s)
// and (si)), org.freedesktop.DBus.Properties and introspection are all
// driven by it, and contrib/dbus/*.xml is checked against it by the tests.
//
// Tasks run one at a time in a worker, in the order they were made, each
// taking the root's writer lock only while it runs, so the command line
// can still act between tasks. Calls that change the system are allowed
// to root and to the uid the service runs as (the bus's
// GetConnectionUnixUser); for others polkit decides (action
// PolkitAction, CheckAuthorization) when it is on the bus, else the uids
// and groups that aim.conf lists (dbus-allow-users, dbus-allow-groups).
// Refused callers get org.freedesktop.DBus.Error.AccessDenied, or
// Interface.Error.AuthenticationNeeded when polkit wants an
// authentication no agent gave. Read-only calls are open to everyone the
// bus lets through.
//
// A .install file is opened with openInstallFile (staged, decided and
// reverted at once: the offer), and installed by confirmInstallFile with
// the key fingerprints the user accepted, as a task.
//
// A package from a URL is streamed (install.Receive): it is written to
// IncomingDir as it arrives, taskRequestingInstallationAcknowledge fires
// once its control part is in, and signatures are checked only when the
// whole package is; nothing on the system changes before that check and
// the acknowledge. A file:// source must be a regular file (a named pipe
// or a device is refused before it is opened for reading); every source
// may be silent at most Config.StallTimeout, and cancelling a task or
// closing the service closes its source, so no read holds the worker.
//
// What it must not do: print (it reports through D-Bus and returned
// errors), decide policy itself (package policy does), or change
// installed state other than through the engine.
package dbus
