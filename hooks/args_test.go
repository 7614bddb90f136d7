package hooks

import (
	"slices"
	"testing"
)

func TestArgs(t *testing.T) {
	in := PkgVersion{"new", "2.0"}
	rm := &PkgVersion{"old", "1:0.9"}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"preinst install", PreinstInstall(), []string{"install"}},
		{"preinst install removed", PreinstInstallRemoved("1.0", "2.0"), []string{"install", "1.0", "2.0"}},
		{"preinst upgrade", PreinstUpgrade("1.0", "2.0"), []string{"upgrade", "1.0", "2.0"}},
		{"preinst abort-upgrade", PreinstAbortUpgrade("2.0"), []string{"abort-upgrade", "2.0"}},
		{"postinst configure first", PostinstConfigure(""), []string{"configure", ""}},
		{"postinst configure", PostinstConfigure("1.0"), []string{"configure", "1.0"}},
		{"postinst triggered", PostinstTriggered([]string{"/usr/share/icons", "ldconfig"}), []string{"triggered", "/usr/share/icons ldconfig"}},
		{"postinst abort-upgrade", PostinstAbortUpgrade("2.0"), []string{"abort-upgrade", "2.0"}},
		{"postinst abort-remove", PostinstAbortRemove(), []string{"abort-remove"}},
		{"postinst abort-remove in-favour", PostinstAbortRemoveInFavour(in), []string{"abort-remove", "in-favour", "new", "2.0"}},
		{"postinst abort-deconfigure", PostinstAbortDeconfigure(in, nil), []string{"abort-deconfigure", "in-favour", "new", "2.0"}},
		{"postinst abort-deconfigure removing", PostinstAbortDeconfigure(in, rm), []string{"abort-deconfigure", "in-favour", "new", "2.0", "removing", "old", "1:0.9"}},
		{"prerm remove", PrermRemove(), []string{"remove"}},
		{"prerm upgrade", PrermUpgrade("2.0"), []string{"upgrade", "2.0"}},
		{"prerm failed-upgrade", PrermFailedUpgrade("1.0", "2.0"), []string{"failed-upgrade", "1.0", "2.0"}},
		{"prerm remove in-favour", PrermRemoveInFavour(in), []string{"remove", "in-favour", "new", "2.0"}},
		{"prerm deconfigure", PrermDeconfigure(in, nil), []string{"deconfigure", "in-favour", "new", "2.0"}},
		{"prerm deconfigure removing", PrermDeconfigure(in, rm), []string{"deconfigure", "in-favour", "new", "2.0", "removing", "old", "1:0.9"}},
		{"postrm remove", PostrmRemove(), []string{"remove"}},
		{"postrm purge", PostrmPurge(), []string{"purge"}},
		{"postrm upgrade", PostrmUpgrade("2.0"), []string{"upgrade", "2.0"}},
		{"postrm failed-upgrade", PostrmFailedUpgrade("1.0", "2.0"), []string{"failed-upgrade", "1.0", "2.0"}},
		{"postrm abort-install", PostrmAbortInstall(), []string{"abort-install"}},
		{"postrm abort-install removed", PostrmAbortInstallRemoved("1.0", "2.0"), []string{"abort-install", "1.0", "2.0"}},
		{"postrm abort-upgrade", PostrmAbortUpgrade("1.0", "2.0"), []string{"abort-upgrade", "1.0", "2.0"}},
		{"postrm disappear", PostrmDisappear(in), []string{"disappear", "new", "2.0"}},
		{"checkrm remove", CheckrmRemove(), []string{"remove"}},
		{"checkrm upgrade", CheckrmUpgrade("2.0"), []string{"upgrade", "2.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestArgsFresh checks that builders return slices callers may append to
// without affecting one another.
func TestArgsFresh(t *testing.T) {
	in := PkgVersion{"new", "2.0"}
	a := PrermDeconfigure(in, nil)
	_ = append(a, "x")
	if b := PrermDeconfigure(in, nil); len(b) != 4 {
		t.Fatalf("second call returned %q", b)
	}
}
