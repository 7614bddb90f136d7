package resolver

// This file is what the solver reads: the candidate Package, its Relations,
// and the Universe interface that hands them out (no I/O: callers adapt
// their own data to it, as policy does and resolvertest fakes).

import "aim/deb"

// Package is one candidate: a version of a package for an architecture. A
// Universe hands out Packages; the resolver compares them by Key, never by
// pointer.
type Package struct {
	// Name is the package name.
	Name string
	// Version is the package version.
	Version deb.Version
	// Arch is the Debian architecture, "all" for architecture-independent
	// packages.
	Arch string
	// User marks a package the user chose (a maemo user package):
	// explanations name it rather than the libraries in between.
	User bool
	// Installed is true when exactly this version is installed.
	Installed bool
	// Ref is the universe's own handle; the resolver never reads it.
	Ref any
}

// Key returns "name=version:arch", unique per package version.
func (p *Package) Key() string {
	return p.Name + "=" + p.Version.String() + ":" + p.Arch
}

// String returns "name version".
func (p *Package) String() string { return p.Name + " " + p.Version.String() }

// MultiArch is the value of a package's Multi-Arch field.
type MultiArch uint8

// The Multi-Arch values; MultiArchNo when the field is absent.
const (
	MultiArchNo MultiArch = iota
	MultiArchSame
	MultiArchForeign
	MultiArchAllowed
)

// ParseMultiArch returns the MultiArch a field value names; unknown values
// count as MultiArchNo, as dpkg treats a missing field.
func ParseMultiArch(s string) MultiArch {
	switch s {
	case "same":
		return MultiArchSame
	case "foreign":
		return MultiArchForeign
	case "allowed":
		return MultiArchAllowed
	}
	return MultiArchNo
}

// Relations are the fields of a package that the resolver reads.
type Relations struct {
	PreDepends, Depends, Recommends deb.Relations
	Conflicts, Breaks, Replaces     deb.Relations
	Provides                        deb.Relations
	MultiArch                       MultiArch
	// Essential packages that are installed are never removed.
	Essential bool
}

// Provided is a package that provides a virtual name, with the version it
// provides (the zero Version for an unversioned Provides).
type Provided struct {
	Package *Package
	Version deb.Version
}

// Universe is everything the resolver knows about packages. It must be
// deterministic: the same name gives the same answer every time.
type Universe interface {
	// Packages returns every installable version of the real package
	// called name, most preferred first (the universe's version order:
	// apt's candidate first). The installed version, if any, must be among
	// them with Installed set.
	Packages(name string) []*Package
	// Providers returns the packages whose Provides names name, in a
	// deterministic order.
	Providers(name string) []Provided
	// Relations returns the relation fields of p. An error makes p
	// uninstallable.
	Relations(p *Package) (*Relations, error)
}
