package dbus

import "testing"

func TestCompareVersionsOverBus(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	for _, tc := range []struct {
		a, b string
		want int32
	}{
		{"1.0", "1.0", 0}, {"1.0", "1.1", -1}, {"1.10", "1.9", 1},
		{"1.0~rc1", "1.0", -1}, {"1:0.1", "2.0", 1}, {"1.0-1", "1.0-2", -1},
		{"1.0+b1", "1.0", 1}, {"2.0", "10.0", -1}, {"1.0a", "1.0", 1}, {"", "", 0},
	} {
		var got int32
		c.call("compareVersions", []any{&got}, tc.a, tc.b)
		if got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestValidateDNSNameOverBus(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	long := ""
	for range 64 {
		long += "a"
	}
	for _, tc := range []struct {
		name  string
		parts int32
		want  bool
	}{
		{"com.pelagicore.music", 0, true}, {"com.pelagicore.music", 3, true}, {"com.pelagicore.music", 4, false},
		{"browser", 1, true}, {"a-b.c0", 2, true}, {"-ab.c", 0, false}, {"ab-.c", 0, false},
		{"Com.example", 0, false}, {"a..b", 0, false}, {".a", 0, false}, {"a.", 0, false},
		{"", 0, false}, {long + ".com", 0, false}, {long[:63] + ".com", 2, true}, {"a_b.c", 0, false},
	} {
		var got bool
		c.call("validateDnsName", []any{&got}, tc.name, tc.parts)
		if got != tc.want {
			t.Errorf("validateDnsName(%q, %d) = %v, want %v", tc.name, tc.parts, got, tc.want)
		}
		if tc.parts == 0 {
			c.call("validateDnsName", []any{&got}, tc.name) // the (s) overload
			if got != tc.want {
				t.Errorf("validateDnsName(%q) = %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

func TestValidateDNSNameLength(t *testing.T) {
	label := "abcdefghij"
	name := label
	for len(name)+11 <= 253 {
		name += "." + label
	}
	if !ValidateDNSName(name, 0) {
		t.Errorf("%d characters refused", len(name))
	}
	if ValidateDNSName(name+".abcdefghij", 0) {
		t.Errorf("%d characters accepted", len(name)+11)
	}
}

func TestWrongSignatureIsInvalidArgs(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	err := c.obj.Call(QtInterface+".removePackage", 0, "x").Err
	if err == nil || !containsName(err, "org.freedesktop.DBus.Error.InvalidArgs") {
		t.Errorf("removePackage(s): %v, want InvalidArgs", err)
	}
}
