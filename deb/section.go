package deb

// This file holds maemo's one rule for user packages, read from the
// Section field, so that every package that needs it (policy, the cache,
// the publisher, the deployment server) spells it once.

import "strings"

// Category is the subsection a user package is listed under.
type Category struct {
	// ID is the subsection as written after "user/", e.g. "games".
	ID string `json:"id"`
	// Name is the English name: maemo's for a predefined subsection
	// ("Games"), else the subsection itself ("Ringtones").
	Name string `json:"name"`
	// Predefined is true for maemo's predefined subsections.
	Predefined bool `json:"predefined"`
}

// PredefinedCategories are maemo's predefined user subsections, in the
// order maemo lists them.
var PredefinedCategories = []Category{
	{"accessories", "Accessories", true}, {"communication", "Communication", true},
	{"games", "Games", true}, {"multimedia", "Multimedia", true},
	{"office", "Office", true}, {"other", "Other", true},
	{"programming", "Programming", true}, {"support", "Support", true},
	{"themes", "Themes", true}, {"tools", "Tools", true},
}

// HiddenSubsection is the subsection of user packages that are never
// offered for installation and shown only once installed.
const HiddenSubsection = "hidden"

// IsUserSection reports whether a package with this Section is a user package:
// its section is "user/..." (maemo's rule; a section may carry an archive
// area prefix such as "non-free/user/games").
func IsUserSection(section string) bool {
	_, ok := UserSubsection(section)
	return ok
}

// UserSubsection returns what follows "user/" in a user package's section
// ("games" for "user/games" and "non-free/user/games"), and false for a
// system package's section.
func UserSubsection(section string) (string, bool) {
	s := strings.TrimSpace(section)
	if i := strings.LastIndex(s, "user/"); i >= 0 && (i == 0 || s[i-1] == '/') {
		return s[i+len("user/"):], true
	}
	return "", false
}

// SectionCategory returns the category of a user package's section, and false
// for a system package. A subsection that is empty counts as "other".
func SectionCategory(section string) (Category, bool) {
	sub, ok := UserSubsection(section)
	if !ok {
		return Category{}, false
	}
	if sub == "" {
		sub = "other"
	}
	for _, c := range PredefinedCategories {
		if strings.EqualFold(c.ID, sub) {
			return c, true
		}
	}
	return Category{ID: sub, Name: sub}, true
}

// VisibleSection reports whether a package with this section is listed to the
// user: user packages only, and user/hidden ones only when installed.
func VisibleSection(section string, installed bool) bool {
	c, ok := SectionCategory(section)
	if !ok {
		return false
	}
	return installed || !strings.EqualFold(c.ID, HiddenSubsection)
}
