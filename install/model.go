package install

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/policy"
)

// PackageInfo is a package as Qt Application Manager's PackageManager
// model shows it: the roles its get() returns, without the task-driven
// ones (isBlocked, isUpdating, updateProgress), which the service owns.
type PackageInfo struct {
	// ID is the package name.
	ID string
	// Name is the display name (see DisplayName).
	Name string
	// Description is the short description, as UTF-8.
	Description string
	Version     string
	// Categories holds the user category ID ("games"), empty for a system
	// package.
	Categories []string
	// Removable is true for user packages (Section user/...) that aim
	// installed; dpkg's packages and system packages are never removable.
	Removable bool
	// Icon is the PNG of Maemo-Icon-26, nil when the package has none or
	// it is invalid.
	Icon []byte
}

// InfoOf returns the model data of the package whose control paragraph
// is ctrl, the display name chosen for lang (e.g. "de_DE.UTF-8"; "" for
// none). removable says whether the package may be removed by the user.
// It never fails: missing fields are left empty.
func InfoOf(ctrl *deb.Paragraph, lang string, removable bool) PackageInfo {
	if ctrl == nil {
		ctrl = &deb.Paragraph{}
	}
	id := deb.IdentityOf(ctrl)
	info := PackageInfo{
		ID:          id.Package,
		Name:        DisplayName(ctrl, lang),
		Description: deb.DisplayString(deb.Synopsis(ctrl.Get("Description"))),
		Version:     id.Version,
		Removable:   removable,
		Categories:  []string{},
	}
	if c, ok := policy.CategoryOf(ctrl.Get("Section")); ok {
		info.Categories = []string{c.ID}
	}
	if png, err := deb.Icon(ctrl); err == nil {
		info.Icon = png
	}
	return info
}

// InstalledInfo returns the model data of an installed package: InfoOf
// its stored control data, removable when it is a user package aim
// installed. Version comes from the record when the control data lacks
// it (dpkg's packages always have one).
func InstalledInfo(p *db.InstalledPackage, lang string) PackageInfo {
	info := InfoOf(p.Control, lang, p.User && !p.FromDpkg)
	if info.ID == "" {
		info.ID = p.Name
	}
	if info.Name == "" {
		info.Name = p.Name
	}
	if info.Version == "" {
		info.Version = p.Version.String()
	}
	return info
}

// DisplayName returns the name to show for a package in locale lang:
// Maemo-Display-Name-LL_CC, then Maemo-Display-Name-LL (lang's language
// and country, encoding and modifier dropped), then Maemo-Display-Name,
// then the package name, as UTF-8 with surrounding blanks removed.
func DisplayName(ctrl *deb.Paragraph, lang string) string {
	for _, key := range displayKeys(lang) {
		if v := strings.TrimSpace(ctrl.Get(key)); v != "" {
			return deb.DisplayString(v)
		}
	}
	return deb.DisplayString(ctrl.Get("Package"))
}

func displayKeys(lang string) []string {
	const base = "Maemo-Display-Name"
	lang, _, _ = strings.Cut(lang, ".")
	lang, _, _ = strings.Cut(lang, "@")
	var keys []string
	if lang != "" && lang != "C" && lang != "POSIX" {
		keys = append(keys, base+"-"+lang)
		if ll, _, ok := strings.Cut(lang, "_"); ok {
			keys = append(keys, base+"-"+ll)
		}
	}
	return append(keys, base)
}

// policyFields are the control fields Debian Policy (5.3, 5.6) defines
// for binary packages, lower-case; every other field is extra metadata.
var policyFields = map[string]bool{
	"package": true, "source": true, "version": true, "section": true, "priority": true,
	"architecture": true, "essential": true, "depends": true, "pre-depends": true,
	"recommends": true, "suggests": true, "breaks": true, "conflicts": true,
	"provides": true, "replaces": true, "enhances": true, "installed-size": true,
	"maintainer": true, "description": true, "homepage": true, "built-using": true,
	"static-built-using": true, "multi-arch": true, "protected": true,
}

// ExtraMetaData returns the fields of ctrl that Debian Policy does not
// define for binary packages (Maemo-*, Aim-*, X-*, ...), keyed by the
// name as written, values as UTF-8. The icon field is left out: the icon
// is given as its own role. The map is never nil.
func ExtraMetaData(ctrl *deb.Paragraph) map[string]string {
	out := map[string]string{}
	if ctrl == nil {
		return out
	}
	for _, f := range ctrl.Fields {
		l := strings.ToLower(f.Name)
		if policyFields[l] || strings.EqualFold(f.Name, deb.IconField) {
			continue
		}
		out[f.Name] = deb.DisplayString(strings.TrimSpace(f.Value))
	}
	return out
}

// InstalledSize returns the Installed-Size of ctrl in bytes, or -1 when
// absent or malformed.
func InstalledSize(ctrl *deb.Paragraph) int64 {
	if ctrl == nil {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(ctrl.Get("Installed-Size")), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n * 1024
}

// IconsDir is where WriteIcon puts extracted icons, relative to the root.
const IconsDir = rootfs.IconsDir

// WriteIcon stores png as IconsDir/ID.png under root (unless a file with
// the same bytes is there) and returns its absolute path. The file is
// written to a temporary name and renamed, so readers never see half an
// icon. id must be a package name (no slash, not "." or "..").
func WriteIcon(root, id string, png []byte) (string, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") {
		return "", fmt.Errorf("icon of %q: invalid package name", id)
	}
	dir := rootfs.Root(root).Path(IconsDir)
	path := filepath.Join(dir, id+".png")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, png) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("icon of %s: %w", id, err)
	}
	if err := rootfs.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("icon of %s: %w", id, err)
	}
	return path, nil
}
