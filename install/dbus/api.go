package dbus

import (
	"net/url"

	"aim/deb"
	"aim/install"
	"aim/repo/pkgsig"

	"github.com/godbus/dbus/v5"
)

// Argument types.
const (
	tS   = "s"
	tB   = "b"
	tI   = "i"
	tX   = "x"
	tD   = "d"
	tAS  = "as"
	tMap = "a{sv}"
)

// qtMethods are the methods of Qt Application Manager 6's PackageManager
// D-Bus interface, which aim's interface also has.
func (s *Server) qtMethods() []member {
	str := func(f func(string) any) func(*caller, []any) ([]any, error) {
		return func(_ *caller, b []any) ([]any, error) { return []any{f(b[0].(string))}, nil }
	}
	return []member{
		{"packageIds", []overload{{out: []arg{{"ids", tAS}}, fn: func(*caller, []any) ([]any, error) { return []any{s.names()}, nil }}}},
		{"get", []overload{{in: []arg{{"id", tS}}, out: []arg{{"package", tMap}}, fn: str(func(id string) any { return s.get(id) })}}},
		{"installedPackageSize", []overload{{in: []arg{{"packageId", tS}}, out: []arg{{"size", tX}}, fn: str(func(id string) any { return s.installedSize(id) })}}},
		{"installedPackageExtraMetaData", []overload{{in: []arg{{"packageId", tS}}, out: []arg{{"metaData", tMap}}, fn: str(func(id string) any { return s.extraMetaData(id, false) })}}},
		{"installedPackageExtraSignedMetaData", []overload{{in: []arg{{"packageId", tS}}, out: []arg{{"metaData", tMap}}, fn: str(func(id string) any { return s.extraMetaData(id, true) })}}},
		{"startPackageInstallation", []overload{{in: []arg{{"sourceUrl", tS}}, out: []arg{{"taskId", tS}}, mutates: true,
			fn: str(func(u string) any { return s.StartInstallation(u) })}}},
		{"acknowledgePackageInstallation", []overload{{in: []arg{{"taskId", tS}}, mutates: true,
			fn: func(_ *caller, b []any) ([]any, error) { s.Acknowledge(b[0].(string)); return nil, nil }}}},
		{"removePackage", []overload{
			{in: []arg{{"packageId", tS}, {"keepDocuments", tB}}, out: []arg{{"taskId", tS}}, mutates: true,
				fn: func(_ *caller, b []any) ([]any, error) {
					return []any{s.RemovePackage(b[0].(string), b[1].(bool), false)}, nil
				}},
			{in: []arg{{"packageId", tS}, {"keepDocuments", tB}, {"force", tB}}, out: []arg{{"taskId", tS}}, mutates: true,
				fn: func(_ *caller, b []any) ([]any, error) {
					return []any{s.RemovePackage(b[0].(string), b[1].(bool), b[2].(bool))}, nil
				}},
		}},
		{"cancelTask", []overload{{in: []arg{{"taskId", tS}}, out: []arg{{"canceled", tB}}, mutates: true, fn: str(func(id string) any { return s.CancelTask(id) })}}},
		{"taskState", []overload{{in: []arg{{"taskId", tS}}, out: []arg{{"state", tS}}, fn: str(func(id string) any { return s.TaskState(id) })}}},
		{"taskPackageId", []overload{{in: []arg{{"taskId", tS}}, out: []arg{{"packageId", tS}}, fn: str(func(id string) any { return s.taskPackageID(id) })}}},
		{"activeTaskIds", []overload{{out: []arg{{"taskIds", tAS}}, fn: func(*caller, []any) ([]any, error) { return []any{s.activeTaskIDs()}, nil }}}},
		{"compareVersions", []overload{{in: []arg{{"version1", tS}, {"version2", tS}}, out: []arg{{"result", tI}},
			fn: func(_ *caller, b []any) ([]any, error) {
				return []any{CompareVersions(b[0].(string), b[1].(string))}, nil
			}}}},
		{"validateDnsName", []overload{
			{in: []arg{{"name", tS}}, out: []arg{{"valid", tB}},
				fn: func(_ *caller, b []any) ([]any, error) { return []any{ValidateDNSName(b[0].(string), 0)}, nil }},
			{in: []arg{{"name", tS}, {"minimalPartCount", tI}}, out: []arg{{"valid", tB}},
				fn: func(_ *caller, b []any) ([]any, error) {
					return []any{ValidateDNSName(b[0].(string), int(b[1].(int32)))}, nil
				}},
		}},
	}
}

// aimMethods are aim's additions, for the command line through the
// service.
func (s *Server) aimMethods() []member {
	names := func(f func([]string) string) func(*caller, []any) ([]any, error) {
		return func(_ *caller, b []any) ([]any, error) { return []any{f(b[0].([]string))}, nil }
	}
	return []member{
		{"installPackages", []overload{{in: []arg{{"names", tAS}}, out: []arg{{"taskId", tS}}, mutates: true, fn: names(s.InstallPackages)}}},
		{"removePackages", []overload{{in: []arg{{"names", tAS}}, out: []arg{{"taskId", tS}}, mutates: true, fn: names(s.RemovePackages)}}},
		{"upgrade", []overload{{out: []arg{{"taskId", tS}}, mutates: true,
			fn: func(*caller, []any) ([]any, error) { return []any{s.Upgrade()}, nil }}}},
		{"plan", []overload{{in: []arg{{"request", tS}}, out: []arg{{"plan", tS}},
			fn: func(_ *caller, b []any) ([]any, error) {
				p, err := s.Plan(b[0].(string))
				if err != nil {
					return nil, dbus.NewError(Interface+".Error.Refused", []any{err.Error()})
				}
				return []any{p}, nil
			}}}},
	}
}

// signals are the signals both interfaces emit.
var signals = []signal{
	{"taskStarted", []arg{{"taskId", tS}}},
	{"taskProgressChanged", []arg{{"taskId", tS}, {"progress", tD}}},
	{"taskStateChanged", []arg{{"taskId", tS}, {"newState", tS}}},
	{"taskRequestingInstallationAcknowledge", []arg{{"taskId", tS}, {"package", tMap}, {"packageExtraMetaData", tMap}, {"packageExtraSignedMetaData", tMap}}},
	{"taskBlockingUntilInstallationAcknowledge", []arg{{"taskId", tS}}},
	{"taskFinished", []arg{{"taskId", tS}}},
	{"taskFailed", []arg{{"taskId", tS}, {"errorCode", tI}, {"errorString", tS}}},
	{"packageAdded", []arg{{"packageId", tS}}},
	{"packageAboutToBeRemoved", []arg{{"packageId", tS}}},
	{"packageChanged", []arg{{"packageId", tS}, {"changedRoles", tAS}}},
	{"readyChanged", []arg{{"ready", tB}}},
	{"countChanged", []arg{{"count", tI}}},
}

// props are the properties of both interfaces.
func (s *Server) props() []property {
	return []property{
		{"allowInstallationOfUnsignedPackages", tB, func() any { return s.policy == pkgsig.RequireNone }},
		{"architecture", tS, func() any { return s.architecture() }},
		{"developmentMode", tB, func() any { return s.policy != pkgsig.RequireStore }},
		{"documentLocation", tMap, func() any { return location(s.docs) }},
		{"installationLocation", tMap, func() any { return location(s.root) }},
		{"ready", tB, func() any { s.mu.Lock(); defer s.mu.Unlock(); return s.ready }},
		{"count", tI, func() any { return int32(len(s.names())) }},
	}
}

// interfaces builds the two exported interfaces.
func (s *Server) interfaces() []*iface {
	qt := &iface{name: QtInterface, methods: s.qtMethods(), signals: signals, props: s.props()}
	own := &iface{name: Interface, methods: append(append(s.qtMethods(), s.aimMethods()...), s.openFileMethods()...), signals: signals, props: s.props()}
	return []*iface{own, qt}
}

// get returns the model data of an installed package, empty when id is
// not installed.
func (s *Server) get(id string) map[string]dbus.Variant {
	p := s.lookup(id)
	if p == nil {
		return map[string]dbus.Variant{}
	}
	info := install.InstalledInfo(p, s.cfg.Lang)
	info.ID = id // NAME, or NAME:ARCH for a foreign instance
	m := s.packageMap(info)
	blocked, updating, progress := s.taskRoles(id)
	m["isBlocked"], m["isUpdating"], m["updateProgress"] = dbus.MakeVariant(blocked), dbus.MakeVariant(updating), dbus.MakeVariant(progress)
	return m
}

// packageMap turns model data into get()'s map; the icon is written
// under the root and given as a file:// URL ("" without one).
func (s *Server) packageMap(info install.PackageInfo) map[string]dbus.Variant {
	icon := ""
	if info.Icon != nil {
		if p, err := install.WriteIcon(s.root, info.ID, info.Icon); err == nil {
			icon = (&url.URL{Scheme: "file", Path: p}).String()
		}
	}
	return map[string]dbus.Variant{
		"packageId": dbus.MakeVariant(info.ID), "name": dbus.MakeVariant(info.Name),
		"description": dbus.MakeVariant(info.Description), "icon": dbus.MakeVariant(icon),
		"isBlocked": dbus.MakeVariant(false), "isUpdating": dbus.MakeVariant(false),
		"isRemovable": dbus.MakeVariant(info.Removable), "updateProgress": dbus.MakeVariant(0.0),
		"version": dbus.MakeVariant(info.Version), "categories": dbus.MakeVariant(info.Categories),
	}
}

// installedSize is Installed-Size in bytes, -1 when unknown or not
// installed.
func (s *Server) installedSize(id string) int64 {
	p := s.lookup(id)
	if p == nil {
		return -1
	}
	return install.InstalledSize(p.Control)
}

// extraMetaData returns the extra control fields of an installed
// package; signed ones only when it was installed with a signature the
// trust policy accepted (then every control field was signed).
func (s *Server) extraMetaData(id string, signed bool) map[string]dbus.Variant {
	out := map[string]dbus.Variant{}
	p := s.lookup(id)
	if p == nil || signed && !s.wasVerified(id) {
		return out
	}
	for k, v := range install.ExtraMetaData(p.Control) {
		out[k] = dbus.MakeVariant(v)
	}
	return out
}

// CompareVersions compares two versions the way dpkg does (Debian
// Policy 5.6.12), returning -1, 0 or 1 like strcmp. Strings that are not
// valid Debian versions are compared leniently (deb.ParseVersionLax), so
// the result is always defined.
func CompareVersions(a, b string) int32 {
	va, _ := deb.ParseVersionLax(a)
	vb, _ := deb.ParseVersionLax(b)
	switch c := deb.CompareVersions(va, vb); {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// ValidateDNSName reports whether name is a DNS (or reverse-DNS) name
// after RFC 1035/1123: at most 253 characters, labels separated by dots,
// each 1 to 63 characters of [a-z0-9-] not starting or ending with '-',
// and at least minimalParts labels.
func ValidateDNSName(name string, minimalParts int) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	parts := 1
	n := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			if n == 0 || n > 63 || name[i-n] == '-' || name[i-1] == '-' {
				return false
			}
			if i < len(name) {
				parts++
			}
			n = 0
			continue
		}
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
		n++
	}
	return parts >= minimalParts
}
