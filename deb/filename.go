package deb

import "fmt"

// FileNameError reports an Identity whose parts cannot make a file name:
// a package name, version or architecture dpkg refuses, or a version it
// accepts only with a warning. Such a version may hold "/" and "..", so
// a name built from it could point anywhere.
type FileNameError struct {
	Identity Identity
	Err      error
}

func (e *FileNameError) Error() string {
	return fmt.Sprintf("no file name for %s %s (%s): %v", e.Identity.Package, e.Identity.Version, e.Identity.Architecture, e.Err)
}

// Unwrap returns the reason.
func (e *FileNameError) Unwrap() error { return e.Err }

// FileName returns the conventional file name of the package,
// PACKAGE_VERSION_ARCH.deb, with the epoch left out of the version as
// dpkg-deb does. It is built only from parts that dpkg accepts without a
// warning (CheckPackageName, ParseVersionStrict, CheckArchName), so the
// name is a single path element; otherwise the error is a
// *FileNameError. Use it wherever a name from control data or an index
// becomes a path.
func (id Identity) FileName() (string, error) {
	if err := CheckPackageName(id.Package); err != nil {
		return "", &FileNameError{Identity: id, Err: err}
	}
	v, err := ParseVersionStrict(id.Version)
	if err != nil {
		return "", &FileNameError{Identity: id, Err: err}
	}
	if err := CheckArchName(id.Architecture); err != nil {
		return "", &FileNameError{Identity: id, Err: err}
	}
	ver := v.Upstream
	if v.Revision != "" {
		ver += "-" + v.Revision
	}
	return id.Package + "_" + ver + "_" + id.Architecture + ".deb", nil
}
