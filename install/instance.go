package install

// This file is how the engine names an installed instance of a package:
// its key. The instances of a Multi-Arch: same package for several
// architectures are installed side by side; each has its own database
// row, its own control members (InfoDir/KEY.postinst, ...) and its own
// journal steps, while the files they share are kept until the last
// instance that ships them goes.

import (
	"fmt"
	"strings"
)

// Key is how the engine (and listings, and the D-Bus service) names the
// instance of package name for arch: NAME for the native architecture,
// all or an unknown one, NAME:ARCH for a foreign one.
func Key(name, arch, native string) string {
	if arch == "" || arch == "all" || arch == native || native == "" {
		return name
	}
	return name + ":" + arch
}

// SplitKey splits a key (or a command line's NAME:ARCH) into the name and
// the architecture, "" when the key has none.
func SplitKey(key string) (name, arch string) {
	name, arch, _ = strings.Cut(key, ":")
	return name, arch
}

// key is Key with the engine's native architecture.
func (e *Engine) key(name, arch string) string { return Key(name, arch, e.Arch) }

// sameSlot reports whether installing arch replaces an instance of a
// (rather than going beside it): the same architecture, or the native one
// and all, between which an upgrade may move.
func (e *Engine) sameSlot(a, arch string) bool {
	return e.key("x", a) == e.key("x", arch)
}

// SharedFileError refuses an instance of a Multi-Arch: same package that
// ships a file another instance of the package has too, with other
// contents: as dpkg does, shared files must be identical.
type SharedFileError struct {
	// Package and Other are the keys of the two instances.
	Package, Other, Path string
}

func (e *SharedFileError) Error() string {
	return fmt.Sprintf("%s: file %s differs from the one %s has: the instances of a Multi-Arch: same package must ship shared files identical",
		e.Package, e.Path, e.Other)
}
