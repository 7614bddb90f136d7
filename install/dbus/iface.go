package dbus

import (
	"encoding/xml"
	"sort"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// The names the service owns and exports.
const (
	// Name, Path and Interface are aim's own interface.
	Name      = "org.aim.PackageManager"
	Path      = dbus.ObjectPath("/org/aim/PackageManager")
	Interface = "org.aim.PackageManager"
	// QtName, QtPath and QtInterface are Qt Application Manager 6's
	// PackageManager, for clients written for it.
	QtName      = "io.qt.ApplicationManager"
	QtPath      = dbus.ObjectPath("/PackageManager")
	QtInterface = "io.qt.PackageManager"
)

// arg is a named argument of a method or signal.
type arg struct{ name, typ string }

// overload is one signature of a method: what it takes, what it
// returns, whether it changes the system (then only allowed callers may
// call it) and what runs it. fn gets the decoded body.
type overload struct {
	in, out []arg
	mutates bool
	fn      func(c *caller, body []any) ([]any, error)
}

// inSignature is the D-Bus signature of the overload's arguments.
func (o *overload) inSignature() string {
	s := ""
	for _, a := range o.in {
		s += a.typ
	}
	return s
}

// member is a method with its overloads, dispatched by the signature of
// the call's body.
type member struct {
	name      string
	overloads []overload
}

type signal struct {
	name string
	args []arg
}

type property struct {
	name, typ string
	get       func() any
}

// iface is an exported interface: the single description both dispatch
// and introspection use.
type iface struct {
	name    string
	methods []member
	signals []signal
	props   []property
}

func (i *iface) property(name string) *property {
	for k := range i.props {
		if i.props[k].name == name {
			return &i.props[k]
		}
	}
	return nil
}

// introspection returns the interface as introspection data: methods and
// overloads in table order, then signals, then properties (read-only).
func (i *iface) introspection() introspect.Interface {
	out := introspect.Interface{Name: i.name}
	for _, m := range i.methods {
		for _, o := range m.overloads {
			im := introspect.Method{Name: m.name}
			for _, a := range o.in {
				im.Args = append(im.Args, introspect.Arg{Name: a.name, Type: a.typ, Direction: "in"})
			}
			for _, a := range o.out {
				im.Args = append(im.Args, introspect.Arg{Name: a.name, Type: a.typ, Direction: "out"})
			}
			out.Methods = append(out.Methods, im)
		}
	}
	for _, s := range i.signals {
		is := introspect.Signal{Name: s.name}
		for _, a := range s.args {
			is.Args = append(is.Args, introspect.Arg{Name: a.name, Type: a.typ})
		}
		out.Signals = append(out.Signals, is)
	}
	for _, p := range i.props {
		out.Properties = append(out.Properties, introspect.Property{Name: p.name, Type: p.typ, Access: "read"})
	}
	return out
}

// propertiesData describes org.freedesktop.DBus.Properties.
var propertiesData = introspect.Interface{
	Name: "org.freedesktop.DBus.Properties",
	Methods: []introspect.Method{
		{Name: "Get", Args: []introspect.Arg{{Name: "interface", Type: "s", Direction: "in"}, {Name: "property", Type: "s", Direction: "in"}, {Name: "value", Type: "v", Direction: "out"}}},
		{Name: "GetAll", Args: []introspect.Arg{{Name: "interface", Type: "s", Direction: "in"}, {Name: "props", Type: "a{sv}", Direction: "out"}}},
		{Name: "Set", Args: []introspect.Arg{{Name: "interface", Type: "s", Direction: "in"}, {Name: "property", Type: "s", Direction: "in"}, {Name: "value", Type: "v", Direction: "in"}}},
	},
	Signals: []introspect.Signal{
		{Name: "PropertiesChanged", Args: []introspect.Arg{{Name: "interface", Type: "s"}, {Name: "changed_properties", Type: "a{sv}"}, {Name: "invalidated_properties", Type: "as"}}},
	},
}

// introspectXML returns the introspection document of an object that
// exports ifc (nil for an intermediate node) and has the given children.
func introspectXML(ifc *iface, children []string) string {
	n := introspect.Node{}
	if ifc != nil {
		n.Interfaces = []introspect.Interface{introspect.IntrospectData, introspect.PeerData, propertiesData, ifc.introspection()}
	} else {
		n.Interfaces = []introspect.Interface{introspect.IntrospectData, introspect.PeerData}
	}
	sort.Strings(children)
	for _, c := range children {
		n.Children = append(n.Children, introspect.Node{Name: c})
	}
	b, _ := xml.MarshalIndent(n, "", "  ") // cannot fail: plain structs of strings
	return doctype + string(b) + "\n"
}

// doctype starts every introspection document.
const doctype = `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
`

// InterfaceXML returns the introspection document of the interface
// called name (Interface or QtInterface) alone, as contrib/dbus keeps it;
// "" for another name.
func (s *Server) InterfaceXML(name string) string {
	for _, ifc := range s.ifaces {
		if ifc.name == name {
			n := introspect.Node{Interfaces: []introspect.Interface{ifc.introspection()}}
			b, _ := xml.MarshalIndent(n, "", "  ")
			return doctype + string(b) + "\n"
		}
	}
	return ""
}
