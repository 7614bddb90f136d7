package installfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readInstallTestdata(t *testing.T, name string, opts Options) (*Instructions, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/install", name))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(data, opts)
}

func TestParseInstallFileClassic(t *testing.T) {
	in, err := readInstallTestdata(t, "classic.install", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Catalogue{Group: "install", Name: "Fooexampleonly Catalogue", URI: "http://fooexampleonly.example/maemo",
		Dist: "bora", Components: []string{"extras"}}
	if in.Form != "classic" || len(in.Catalogues) != 1 || !reflect.DeepEqual(in.Catalogues[0], want) ||
		!reflect.DeepEqual(in.Packages, []string{"foosomething-app"}) {
		t.Errorf("got %+v", in)
	}
	if line := in.Catalogues[0].SourceLine("bora"); line != "deb http://fooexampleonly.example/maemo bora extras" {
		t.Errorf("line %q", line)
	}
	// The distribution picks the key; install-key overrides the mapping.
	if _, err := readInstallTestdata(t, "classic.install", Options{Distribution: "mistral"}); !errors.Is(err, ErrIncompatible) ||
		!strings.Contains(err.Error(), "it has repo_deb_3, this device reads repo_deb") {
		t.Errorf("mistral reading a bora file: %v", err)
	}
	if in, err := readInstallTestdata(t, "classic-mistral.install", Options{Distribution: "mistral"}); err != nil || in.Catalogues[0].Dist != "mistral" {
		t.Errorf("mistral file: %+v %v", in, err)
	}
	if _, err := readInstallTestdata(t, "classic-mistral.install", Options{Distribution: "bora"}); err == nil ||
		!strings.Contains(err.Error(), "it has repo_deb, this device reads repo_deb_3") {
		t.Errorf("bora reading a mistral file: %v", err)
	}
	if in, err := readInstallTestdata(t, "classic-mistral.install", Options{Distribution: "bora", InstallKey: "repo_deb"}); err != nil || in.Packages[0] != "oldapp" {
		t.Errorf("install-key = repo_deb: %+v %v", in, err)
	}
	if _, err := readInstallTestdata(t, "classic.install", Options{Distribution: "chinook"}); err == nil ||
		!strings.Contains(err.Error(), "set install-key in aim.conf") {
		t.Errorf("unknown distribution: %v", err)
	}
}

func TestParseInstallFileCatalogues(t *testing.T) {
	in, err := readInstallTestdata(t, "catalogues.install", Options{Distribution: "fremantle", Locales: LocaleVariants("de_DE.UTF-8")})
	if err != nil {
		t.Fatal(err)
	}
	if in.Form != "catalogues" || len(in.Catalogues) != 2 || !reflect.DeepEqual(in.Packages, []string{"hello", "hello-data"}) {
		t.Fatalf("got %+v", in)
	}
	ex, tools := in.Catalogues[0], in.Catalogues[1]
	if ex.Name != "Zusätze" || ex.Dist != "" || ex.SourceLine("fremantle") != "deb https://repo.example/extras/ fremantle free non-free" {
		t.Errorf("extras %+v", ex)
	}
	if tools.KeyURI != "https://repo.example/tools/key.asc" || tools.SourceLine("x") != "deb https://repo.example/tools fremantle main" {
		t.Errorf("tools %+v", tools)
	}
	// filter_dist leaves tools out on another distribution.
	in, err = readInstallTestdata(t, "catalogues.install", Options{Distribution: "diablo", Locales: []string{"fr_FR", "fr"}})
	if err != nil || len(in.Catalogues) != 1 || len(in.Filtered) != 1 || in.Catalogues[0].Name != "Suppléments" {
		t.Errorf("diablo: %+v %v", in, err)
	}
	in, err = readInstallTestdata(t, "catalogues-group.install", Options{})
	if err != nil || len(in.Catalogues) != 1 || len(in.Catalogues[0].Components) != 0 || in.Packages != nil {
		t.Errorf("[catalogues] form: %+v %v", in, err)
	}
}

func TestParseInstallFileRefusals(t *testing.T) {
	long := "deb http://x.example/" + strings.Repeat("a", MaxDebLineLength) + " bora main"
	tests := []struct{ name, data, err string }{
		{"no layout", "[other]\nx=y\n", "expected an [install] group"},
		{"nothing asked", "[install]\nrepo_name = x\n", "names no repository and no package"},
		{"missing groups", "[install]\ncatalogues = a;b;c\n[b]\nuri=http://b.example/\n", "catalogue group(s) [a], [c] named but missing"},
		{"all filtered", "[catalogues]\ncatalogues=a\n[a]\nuri=http://a.example/\nfilter_dist=fremantle\n", "its catalogues are for fremantle, this device runs bora"},
		{"ftp uri", "[install]\nrepo_deb_3 = deb ftp://x.example/m bora main\n", "only http, https and file URLs"},
		{"options in deb line", "[install]\nrepo_deb_3 = deb [trusted=yes] http://x.example/m bora main\n", "only http, https and file URLs"},
		{"not deb", "[install]\nrepo_deb_3 = deb-src http://x.example/m bora main\n", "want \"deb URI DIST COMPONENT...\""},
		{"long line", "[install]\nrepo_deb_3 = " + long + "\n", "longer than 1024"},
		{"control char", "[install]\nrepo_deb_3 = deb http://x.example/m\\rx bora main\n", "control characters"},
		{"catalogue without uri", "[install]\ncatalogues=a\n[a]\nname=A\n", "[a] uri: key not found"},
		{"javascript key uri", "[install]\ncatalogues=a\n[a]\nuri=http://a.example/\nkey_uri=javascript:alert(1)\n", "key uri"},
		{"bad package", "[install]\npackage = a b\n", "invalid package name"},
		{"bad key file", "[install\n", "not a group header"},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.data), Options{}); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
}
