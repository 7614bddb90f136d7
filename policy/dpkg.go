package policy

import (
	"fmt"
	"strings"

	"aim/deb"
)

// dpkgLockReason is how explanations say why a package of dpkg's keeps
// its version.
const dpkgLockReason = "belongs to dpkg: aim leaves it to apt"

// DpkgOwnedError refuses a request that names only packages of dpkg's
// (and would change them): aim never upgrades, downgrades or replaces
// them; apt does.
type DpkgOwnedError struct {
	// Packages are the named packages, with their installed version and
	// the one asked for (Reason "dpkg").
	Packages []HeldBack
}

func (e *DpkgOwnedError) Error() string {
	var parts, names []string
	for _, h := range e.Packages {
		parts = append(parts, fmt.Sprintf("%s (installed %s, requested %s)", h.Name, h.Installed, h.Candidate))
		names = append(names, h.Name)
	}
	return fmt.Sprintf("%s %s to dpkg: aim leaves dpkg's packages to apt (apt install %s)",
		strings.Join(parts, ", "), pluralVerb(len(parts)), strings.Join(names, " "))
}

func pluralVerb(n int) string {
	if n == 1 {
		return "belongs"
	}
	return "belong"
}

// leaveToApt splits off the wants that would change a package of
// dpkg's: a named version other than the installed one, or no version
// with a higher candidate. They come back as HeldBack with Reason
// "dpkg"; a want that dpkg's installed version already satisfies stays.
func (u *universe) leaveToApt(wants []Want, inst map[string]*Installed) (keep []Want, left []HeldBack) {
	for _, w := range wants {
		in := inst[w.Name]
		if in == nil || !in.Dpkg {
			keep = append(keep, w)
			continue
		}
		target := w.Version
		if target == "" {
			if cand := u.available(w.Name); len(cand) > 0 && deb.CompareVersions(cand[0].Package.Version, in.Package.Version) > 0 {
				target = cand[0].Package.Version.String()
			}
		}
		if target == "" || sameVersion(target, in.Package.Version) {
			keep = append(keep, w)
			continue
		}
		left = append(left, HeldBack{Name: w.Name, Installed: in.Package.Version.String(), Candidate: target, Reason: "dpkg"})
	}
	return keep, left
}

func sameVersion(s string, v deb.Version) bool {
	w, err := deb.ParseVersionLax(s)
	return err == nil && deb.CompareVersions(w, v) == 0
}

// actionable reports whether a want names something that is not a
// package of dpkg's.
func actionable(wants []Want, inst map[string]*Installed) bool {
	for _, w := range wants {
		if in := inst[w.Name]; in == nil || !in.Dpkg {
			return true
		}
	}
	return false
}
