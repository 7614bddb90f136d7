package policy

// This file decides which Recommends a request follows, as apt does: those
// of the packages the transaction installs, and of an upgraded package
// only those its installed version did not already have. A missing
// recommendation of an installed package (aim's or dpkg's) is never
// back-filled: the user, or the system's builder, left it out.

import (
	"aim/deb"
	"aim/resolver"
)

// withoutRecommends returns r with no Recommends, sharing the rest.
func withoutRecommends(r *resolver.Relations) *resolver.Relations {
	if r == nil || len(r.Recommends) == 0 {
		return r
	}
	c := *r
	c.Recommends = nil
	return &c
}

// newRecommends returns r (the relations of another version of an
// installed package) keeping only the Recommends groups that name no
// package the installed version's Recommends already name.
func newRecommends(r *resolver.Relations, installed *resolver.Relations) *resolver.Relations {
	if r == nil || len(r.Recommends) == 0 || installed == nil || len(installed.Recommends) == 0 {
		return r
	}
	had := map[string]bool{}
	for _, alts := range installed.Recommends {
		for _, a := range alts {
			had[a.Name] = true
		}
	}
	var keep deb.Relations
	for _, alts := range r.Recommends {
		if !namesAny(alts, had) {
			keep = append(keep, alts)
		}
	}
	if len(keep) == len(r.Recommends) {
		return r
	}
	c := *r
	c.Recommends = keep
	return &c
}

func namesAny(alts deb.Alternatives, names map[string]bool) bool {
	for _, a := range alts {
		if names[a.Name] {
			return true
		}
	}
	return false
}
