package dbus

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5"
)

// This file is the godbus Handler: objects, interfaces and methods looked
// up in the tables, overloads chosen by the signature of the call.

// LookupObject implements dbus.Handler.
func (s *Server) LookupObject(path dbus.ObjectPath) (dbus.ServerObject, bool) {
	switch path {
	case Path:
		return &object{s: s, ifc: s.ifaces[0]}, true
	case QtPath:
		return &object{s: s, ifc: s.ifaces[1]}, true
	}
	// Intermediate nodes answer Introspect only, listing their children.
	var children []string
	seen := map[string]bool{}
	for _, p := range []dbus.ObjectPath{Path, QtPath} {
		prefix := strings.TrimSuffix(string(path), "/") + "/"
		if rest, ok := strings.CutPrefix(string(p), prefix); ok {
			c, _, _ := strings.Cut(rest, "/")
			if !seen[c] {
				seen[c] = true
				children = append(children, c)
			}
		}
	}
	if len(children) == 0 {
		return nil, false
	}
	return &object{s: s, children: children}, true
}

// object is an exported object; ifc is nil for an intermediate node.
type object struct {
	s        *Server
	ifc      *iface
	children []string
}

// LookupInterface implements dbus.ServerObject. An empty name (a call
// without an interface header) finds the object's own interface.
func (o *object) LookupInterface(name string) (dbus.Interface, bool) {
	switch name {
	case "org.freedesktop.DBus.Introspectable":
		xml := introspectXML(o.ifc, o.children)
		return table{member{"Introspect", []overload{{out: []arg{{"xml", tS}},
			fn: func(*caller, []any) ([]any, error) { return []any{xml}, nil }}}}}, true
	case "org.freedesktop.DBus.Properties":
		if o.ifc == nil {
			return nil, false
		}
		return o.properties(), true
	}
	if o.ifc != nil && (name == "" || name == o.ifc.name) {
		return o.s.dispatch(o.ifc), true
	}
	return nil, false
}

// table is an interface's methods, bound to the server.
type table []member

// LookupMethod implements dbus.Interface.
func (t table) LookupMethod(name string) (dbus.Method, bool) {
	for i := range t {
		if t[i].name == name {
			return &method{m: &t[i]}, true
		}
	}
	return nil, false
}

func (s *Server) dispatch(ifc *iface) table {
	out := make(table, len(ifc.methods))
	for i, m := range ifc.methods {
		out[i] = m
		out[i].overloads = make([]overload, len(m.overloads))
		for k, o := range m.overloads {
			if o.mutates {
				fn := o.fn
				o.fn = func(c *caller, b []any) ([]any, error) {
					if err := s.authorize(c.sender); err != nil {
						return nil, err
					}
					return fn(c, b)
				}
			}
			out[i].overloads[k] = o
		}
	}
	return out
}

// caller is who calls and how.
type caller struct {
	sender string
	ov     *overload
	body   []any
}

// method is a member being called; it picks the overload in
// DecodeArguments.
type method struct{ m *member }

// DecodeArguments implements dbus.ArgumentDecoder: the overload whose
// argument signature equals the body's is chosen, else the call fails
// with InvalidArgs.
func (m *method) DecodeArguments(_ *dbus.Conn, sender string, msg *dbus.Message, body []any) ([]any, error) {
	sig := dbus.SignatureOf(body...).String()
	for i := range m.m.overloads {
		if o := &m.m.overloads[i]; o.inSignature() == sig {
			return []any{&caller{sender: sender, ov: o, body: body}}, nil
		}
	}
	return nil, dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs",
		[]any{fmt.Sprintf("%s does not take (%s)", m.m.name, sig)})
}

// Call implements dbus.Method.
func (m *method) Call(args ...any) ([]any, error) {
	c := args[0].(*caller)
	return c.ov.fn(c, c.body)
}

// NumArguments, NumReturns, ArgumentValue and ReturnValue implement
// dbus.Method; DecodeArguments makes the first two unused by godbus.
func (m *method) NumArguments() int     { return 1 }
func (m *method) NumReturns() int       { return len(m.m.overloads[0].out) }
func (m *method) ArgumentValue(int) any { return nil }
func (m *method) ReturnValue(int) any   { return nil }

// properties is org.freedesktop.DBus.Properties for the object's
// interface; every property is read-only.
func (o *object) properties() table {
	ifc := o.ifc
	check := func(name string) error {
		if name != ifc.name && name != "" {
			return dbus.NewError("org.freedesktop.DBus.Error.UnknownInterface", []any{name})
		}
		return nil
	}
	return table{
		{"Get", []overload{{in: []arg{{"interface", tS}, {"property", tS}}, out: []arg{{"value", "v"}},
			fn: func(_ *caller, b []any) ([]any, error) {
				if err := check(b[0].(string)); err != nil {
					return nil, err
				}
				p := ifc.property(b[1].(string))
				if p == nil {
					return nil, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", []any{b[1]})
				}
				return []any{dbus.MakeVariant(p.get())}, nil
			}}}},
		{"GetAll", []overload{{in: []arg{{"interface", tS}}, out: []arg{{"props", tMap}},
			fn: func(_ *caller, b []any) ([]any, error) {
				if err := check(b[0].(string)); err != nil {
					return nil, err
				}
				out := map[string]dbus.Variant{}
				for i := range ifc.props {
					out[ifc.props[i].name] = dbus.MakeVariant(ifc.props[i].get())
				}
				return []any{out}, nil
			}}}},
		{"Set", []overload{{in: []arg{{"interface", tS}, {"property", tS}, {"value", "v"}},
			fn: func(_ *caller, b []any) ([]any, error) {
				return nil, dbus.NewError("org.freedesktop.DBus.Error.PropertyReadOnly", []any{b[1]})
			}}}},
	}
}

// access is who may call methods that change the system.
type access struct {
	uids   map[uint32]bool
	groups map[string]bool // group names and gids as written
}

// parseAccess reads the allowed users (names or uids, looked up) and
// groups (names or gids, as written).
func parseAccess(users, groups []string) (access, error) {
	a := access{uids: map[uint32]bool{}, groups: map[string]bool{}}
	for _, u := range users {
		if n, err := strconv.ParseUint(u, 10, 32); err == nil {
			a.uids[uint32(n)] = true
			continue
		}
		pw, err := user.Lookup(u)
		if err != nil {
			return a, fmt.Errorf("dbus-allow-users: %w", err)
		}
		n, _ := strconv.ParseUint(pw.Uid, 10, 32)
		a.uids[uint32(n)] = true
	}
	for _, g := range groups {
		a.groups[g] = true
	}
	return a, nil
}

// authorize decides whether sender may call methods that change the
// system: root and the service's own uid may; else polkit decides when it
// is on the bus (action PolkitAction), and aim.conf's allow-list
// (mayChange) when it is not. It fails closed when the bus cannot say who
// the sender is. The error is what the caller gets.
func (s *Server) authorize(sender string) *dbus.Error {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil || sender == "" {
		return errAccessDenied
	}
	var uid uint32
	if err := conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixUser", 0, sender).Store(&uid); err != nil {
		return errAccessDenied
	}
	if uid == 0 || uid == uint32(selfUID()) {
		return nil
	}
	if polkitOnBus(conn) {
		if err := polkitCheck(s.ctx, conn, sender); err != nil {
			return err
		}
		return nil
	}
	if !s.mayChange(uid) {
		return errAccessDenied
	}
	return nil
}

// mayChange reports whether uid may change the system by aim.conf: the
// listed uids, and members of the listed groups.
func (s *Server) mayChange(uid uint32) bool {
	if s.allow.uids[uid] {
		return true
	}
	if len(s.allow.groups) == 0 {
		return false
	}
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return false
	}
	gids, err := u.GroupIds()
	if err != nil {
		return false
	}
	for _, gid := range gids {
		if s.allow.groups[gid] {
			return true
		}
		if g, err := user.LookupGroupId(gid); err == nil && s.allow.groups[g.Name] {
			return true
		}
	}
	return false
}

// emitBoth emits the signal name on both objects, with their interfaces.
// A connection not yet attached emits nothing.
func (s *Server) emitBoth(name string, values ...any) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return
	}
	conn.Emit(Path, Interface+"."+name, values...)
	conn.Emit(QtPath, QtInterface+"."+name, values...)
}

// propertiesChanged emits org.freedesktop.DBus.Properties.PropertiesChanged
// for one property on both objects.
func (s *Server) propertiesChanged(name string, value any) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return
	}
	changed := map[string]dbus.Variant{name: dbus.MakeVariant(value)}
	conn.Emit(Path, "org.freedesktop.DBus.Properties.PropertiesChanged", Interface, changed, []string{})
	conn.Emit(QtPath, "org.freedesktop.DBus.Properties.PropertiesChanged", QtInterface, changed, []string{})
}
