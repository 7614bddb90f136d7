package policy

import "aim/deb"

// Category is the subsection a user package is listed under
// (deb.Category).
type Category = deb.Category

// PredefinedCategories are maemo's predefined user subsections, in the
// order maemo lists them (deb.PredefinedCategories).
var PredefinedCategories = deb.PredefinedCategories

// HiddenSubsection is the subsection of user packages that are never
// offered for installation and shown only once installed.
const HiddenSubsection = deb.HiddenSubsection

// IsUser reports whether a package with this Section is a user package:
// its section is "user/..." or "AREA/user/..." (deb.IsUserSection, the one
// spelling of maemo's rule).
func IsUser(section string) bool { return deb.IsUserSection(section) }

// CategoryOf returns the category of a user package's section, and false
// for a system package (deb.SectionCategory).
func CategoryOf(section string) (Category, bool) { return deb.SectionCategory(section) }

// Visible reports whether a package with this section is listed to the
// user: user packages only, and user/hidden ones only when installed
// (deb.VisibleSection).
func Visible(section string, installed bool) bool { return deb.VisibleSection(section, installed) }
