package hooks

import "strings"

// The argument lists below are those dpkg passes to maintainer scripts (see
// deb-preinst(5), deb-postinst(5), deb-prerm(5) and deb-postrm(5)). Each
// function returns a new slice; the first element is the action. Versions
// are passed as given, so callers pass the full Debian version strings
// (with epoch) that dpkg would.

// PkgVersion names a package at a version, as dpkg's in-favour and
// removing clauses do.
type PkgVersion struct {
	Package string
	Version string
}

// PreinstInstall returns the new preinst's arguments before a package is
// installed for the first time: "install".
func PreinstInstall() []string { return []string{"install"} }

// PreinstInstallRemoved returns the new preinst's arguments before a
// package whose configuration files remain (removed, not purged) is
// installed again: "install OLD NEW".
func PreinstInstallRemoved(oldVersion, newVersion string) []string {
	return []string{"install", oldVersion, newVersion}
}

// PreinstUpgrade returns the new preinst's arguments before an upgrade:
// "upgrade OLD NEW".
func PreinstUpgrade(oldVersion, newVersion string) []string {
	return []string{"upgrade", oldVersion, newVersion}
}

// PreinstAbortUpgrade returns the old preinst's arguments when the old
// postrm failed during an upgrade: "abort-upgrade NEW".
func PreinstAbortUpgrade(newVersion string) []string {
	return []string{"abort-upgrade", newVersion}
}

// PostinstConfigure returns the postinst's arguments to configure a
// package: "configure LAST" where LAST is the most recently configured
// version. For a package never configured before, dpkg passes an empty
// string as LAST, and so does this (lastConfigured == "").
func PostinstConfigure(lastConfigured string) []string {
	return []string{"configure", lastConfigured}
}

// PostinstTriggered returns the postinst's arguments when triggers it is
// interested in were activated: "triggered" followed by ONE argument
// holding the trigger names separated by spaces, as dpkg passes them.
func PostinstTriggered(names []string) []string {
	return []string{"triggered", strings.Join(names, " ")}
}

// PostinstAbortUpgrade returns the old postinst's arguments when the old
// prerm failed during an upgrade: "abort-upgrade NEW".
func PostinstAbortUpgrade(newVersion string) []string {
	return []string{"abort-upgrade", newVersion}
}

// PostinstAbortRemove returns the postinst's arguments when its prerm
// failed during a removal: "abort-remove".
func PostinstAbortRemove() []string { return []string{"abort-remove"} }

// PostinstAbortRemoveInFavour returns the conflictor's postinst arguments
// when its prerm failed while being removed in favour of another package:
// "abort-remove in-favour PKG NEW".
func PostinstAbortRemoveInFavour(in PkgVersion) []string {
	return []string{"abort-remove", "in-favour", in.Package, in.Version}
}

// PostinstAbortDeconfigure returns the deconfigured package's postinst
// arguments when its prerm failed: "abort-deconfigure in-favour PKG VER"
// followed by "removing PKG VER" when removing is not nil.
func PostinstAbortDeconfigure(in PkgVersion, removing *PkgVersion) []string {
	return withRemoving([]string{"abort-deconfigure", "in-favour", in.Package, in.Version}, removing)
}

// PrermRemove returns the prerm's arguments before a removal: "remove".
func PrermRemove() []string { return []string{"remove"} }

// PrermUpgrade returns the old prerm's arguments before an upgrade:
// "upgrade NEW".
func PrermUpgrade(newVersion string) []string {
	return []string{"upgrade", newVersion}
}

// PrermFailedUpgrade returns the new prerm's arguments when the old prerm
// failed with "upgrade": "failed-upgrade OLD NEW".
func PrermFailedUpgrade(oldVersion, newVersion string) []string {
	return []string{"failed-upgrade", oldVersion, newVersion}
}

// PrermRemoveInFavour returns the conflictor's prerm arguments when it is
// removed in favour of another package: "remove in-favour PKG NEW".
func PrermRemoveInFavour(in PkgVersion) []string {
	return []string{"remove", "in-favour", in.Package, in.Version}
}

// PrermDeconfigure returns the prerm arguments of a package deconfigured
// so that another can be installed: "deconfigure in-favour PKG VER"
// followed by "removing PKG VER" when removing is not nil.
func PrermDeconfigure(in PkgVersion, removing *PkgVersion) []string {
	return withRemoving([]string{"deconfigure", "in-favour", in.Package, in.Version}, removing)
}

// PostrmRemove returns the postrm's arguments after a removal: "remove".
func PostrmRemove() []string { return []string{"remove"} }

// PostrmPurge returns the postrm's arguments after a purge: "purge".
func PostrmPurge() []string { return []string{"purge"} }

// PostrmUpgrade returns the old postrm's arguments after an upgrade:
// "upgrade NEW".
func PostrmUpgrade(newVersion string) []string {
	return []string{"upgrade", newVersion}
}

// PostrmFailedUpgrade returns the new postrm's arguments when the old
// postrm failed with "upgrade": "failed-upgrade OLD NEW".
func PostrmFailedUpgrade(oldVersion, newVersion string) []string {
	return []string{"failed-upgrade", oldVersion, newVersion}
}

// PostrmAbortInstall returns the new postrm's arguments when the preinst
// failed during a first install: "abort-install".
func PostrmAbortInstall() []string { return []string{"abort-install"} }

// PostrmAbortInstallRemoved returns the new postrm's arguments when the
// preinst failed while installing a removed (not purged) package again:
// "abort-install OLD NEW".
func PostrmAbortInstallRemoved(oldVersion, newVersion string) []string {
	return []string{"abort-install", oldVersion, newVersion}
}

// PostrmAbortUpgrade returns the new postrm's arguments when the preinst
// failed during an upgrade: "abort-upgrade OLD NEW".
func PostrmAbortUpgrade(oldVersion, newVersion string) []string {
	return []string{"abort-upgrade", oldVersion, newVersion}
}

// PostrmDisappear returns the postrm arguments of a package all of whose
// files were taken over by another: "disappear PKG VER".
func PostrmDisappear(overwriter PkgVersion) []string {
	return []string{"disappear", overwriter.Package, overwriter.Version}
}

// CheckrmRemove returns checkrm's arguments before a removal: "remove".
func CheckrmRemove() []string { return []string{"remove"} }

// CheckrmUpgrade returns checkrm's arguments before an upgrade to
// newVersion: "upgrade NEW".
func CheckrmUpgrade(newVersion string) []string {
	return []string{"upgrade", newVersion}
}

func withRemoving(args []string, removing *PkgVersion) []string {
	if removing == nil {
		return args
	}
	return append(args, "removing", removing.Package, removing.Version)
}
