package sources

import (
	"reflect"
	"strings"
	"testing"

	"aim/deb"
)

func TestParseSourceLine(t *testing.T) {
	fpr := "EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B"
	tests := []struct {
		line string
		want Source
	}{
		{"deb http://deb.example.org/debian bookworm main contrib",
			Source{Types: []string{"deb"}, URIs: []string{"http://deb.example.org/debian"}, Suites: []string{"bookworm"}, Components: []string{"main", "contrib"}}},
		{"  deb-src\thttps://h.example/d  sid   main # trailing comment",
			Source{Types: []string{"deb-src"}, URIs: []string{"https://h.example/d"}, Suites: []string{"sid"}, Components: []string{"main"}}},
		{"deb [arch=amd64,arm64 signed-by=/etc/aim/keyrings/x.asc," + fpr + "! trusted=yes] file:///srv/repo ./",
			Source{Types: []string{"deb"}, URIs: []string{"file:///srv/repo"}, Suites: []string{"./"},
				Architectures: []string{"amd64", "arm64"}, Trusted: true,
				SignedBy: SignedBy{Keyrings: []string{"/etc/aim/keyrings/x.asc"}, Fingerprints: []string{fpr + "!"}}}},
		{"deb [ arch+=i386 arch-=amd64 ] http://h.example/d stable main",
			Source{Types: []string{"deb"}, URIs: []string{"http://h.example/d"}, Suites: []string{"stable"}, Components: []string{"main"},
				ArchitecturesAdd: []string{"i386"}, ArchitecturesRemove: []string{"amd64"}}},
		{"deb [lang=de,fr target=Contents-deb trusted=no snapshot=enable x-custom=1]http://h.example/d stable main",
			Source{Types: []string{"deb"}, URIs: []string{"http://h.example/d"}, Suites: []string{"stable"}, Components: []string{"main"},
				Extra: []deb.Field{{Name: "Languages", Value: "de,fr"}, {Name: "Targets", Value: "Contents-deb"}, {Name: "Snapshot", Value: "enable"}, {Name: "x-custom", Value: "1"}}}},
		{"deb http://[::1]:8080/debian bookworm/updates main/debian-installer",
			Source{Types: []string{"deb"}, URIs: []string{"http://[::1]:8080/debian"}, Suites: []string{"bookworm/updates"}, Components: []string{"main/debian-installer"}}},
		{"deb file:/srv/repo sub/dir/", Source{Types: []string{"deb"}, URIs: []string{"file:/srv/repo"}, Suites: []string{"sub/dir/"}}},
	}
	for _, tt := range tests {
		got, err := ParseLine(tt.line)
		if err != nil {
			t.Errorf("ParseLine(%q): %v", tt.line, err)
			continue
		}
		tt.want.Enabled = true
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseLine(%q)\n got %+v\nwant %+v", tt.line, *got, tt.want)
		}
	}
}

func TestParseSourceLineErrors(t *testing.T) {
	tests := []struct{ line, err string }{
		{"", "empty entry"},
		{"# deb http://h.example/d stable main", "empty entry"},
		{"deb", "expected URI and suite"},
		{"deb http://h.example/d", "expected URI and suite"},
		{"rpm http://h.example/d stable main", `unknown type "rpm"`},
		{"deb cdrom:[Debian GNU/Linux 12]/ bookworm main", `unsupported URI scheme "cdrom"`},
		{"deb mirror+http://h.example/list stable main", `unsupported URI scheme "mirror+http"`},
		{"deb tor+https://h.onion/d stable main", `unsupported URI scheme "tor+https"`},
		{"deb ftp://h.example/d stable main", `unsupported URI scheme "ftp"`},
		{"deb h.example/d stable main", "no scheme"},
		{"deb http:h.example stable main", "expected http://"},
		{"deb http:///d stable main", "no host"},
		{"deb http://h.example/d?x=1 stable main", "no query"},
		{"deb file://host/srv stable main", "expected file:/PATH"},
		{"deb http://h.example/d stable", `suite "stable" needs a component`},
		{"deb http://h.example/d ./ main", `flat suite "./" (ending in "/") takes no components`},
		{"deb http://h.example/d ../x/", `".." not allowed`},
		{"deb http://h.example/d stable ../main", `".." not allowed`},
		{"deb http://h.example/d stable /main", `"" not allowed`},
		{"deb http://h.example/d sta\"ble main", `character '"' not allowed`},
		{"deb [arch=amd64 http://h.example/d stable main", `missing "]"`},
		{"deb [arch] http://h.example/d stable main", "not KEY=VALUE"},
		{"deb [arch=] http://h.example/d stable main", "has no value"},
		{"deb [=x] http://h.example/d stable main", "invalid option name"},
		{"deb [arch=amd64 arch=i386] http://h.example/d stable main", "given twice"},
		{"deb [lang=de Languages=fr] http://h.example/d stable main", "given twice"},
		{"deb [types=deb] http://h.example/d stable main", `unknown option "types"`},
		{"deb [arch=amd64,,i386] http://h.example/d stable main", "invalid architecture name"},
		{"deb [arch=x_y] http://h.example/d stable main", `invalid architecture name "x_y"`},
		{"deb [trusted=maybe] http://h.example/d stable main", "trusted: expected yes or no"},
		{"deb [signed-by=keys.gpg] http://h.example/d stable main", "neither an absolute keyring path nor a key fingerprint"},
		{"deb [signed-by=-----BEGIN] http://h.example/d stable main", "neither"},
	}
	for _, tt := range tests {
		_, err := ParseLine(tt.line)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseLine(%q) = %v, want error containing %q", tt.line, err, tt.err)
		}
	}
}

func TestFormatSourceLine(t *testing.T) {
	for _, line := range []string{
		"deb http://h.example/d stable main contrib",
		"# deb-src [arch=amd64,i386 arch+=arm64 arch-=i386 signed-by=/k.gpg trusted=yes lang=de by-hash=yes X-Foo=a,b] file:/srv/r ./",
	} {
		s, err := ParseLine(strings.TrimPrefix(line, "# "))
		if err != nil {
			t.Fatal(err)
		}
		s.Enabled = !strings.HasPrefix(line, "#")
		if got, err := FormatLine(s); got != line || err != nil {
			t.Errorf("FormatLine = %q, %v; want %q", got, err, line)
		}
	}
	multi := &Source{Types: []string{"deb", "deb-src"}, URIs: []string{"http://h/"}, Suites: []string{"s"}}
	if _, err := FormatLine(multi); err == nil {
		t.Error("FormatLine with two types: no error")
	}
	inline := &Source{Types: []string{"deb"}, URIs: []string{"http://h/"}, Suites: []string{"s/"}, SignedBy: SignedBy{Key: "k\n"}}
	if _, err := FormatLine(inline); err == nil {
		t.Error("FormatLine with an inline key: no error")
	}
	odd := &Source{Types: []string{"deb"}, URIs: []string{"http://h/"}, Suites: []string{"s/"}, Extra: []deb.Field{{Name: "X:[y]", Value: "1"}}}
	if _, err := FormatLine(odd); err == nil {
		t.Error("FormatLine with an odd field name: no error")
	}
}

func TestEffectiveArchitectures(t *testing.T) {
	defaults := []string{"amd64", "i386"}
	tests := []struct {
		line string
		want []string
	}{
		{"deb http://h/ s main", []string{"amd64", "i386"}},
		{"deb [arch=arm64] http://h/ s main", []string{"arm64"}},
		{"deb [arch+=arm64,amd64] http://h/ s main", []string{"amd64", "i386", "arm64"}},
		{"deb [arch-=i386] http://h/ s main", []string{"amd64"}},
		{"deb [arch=arm64 arch+=armhf arch-=arm64] http://h/ s main", []string{"armhf"}},
		{"deb [arch+=x arch-=x] http://h/ s main", []string{"amd64", "i386"}},
	}
	for _, tt := range tests {
		s, err := ParseLine(tt.line)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.EffectiveArchitectures(defaults); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: EffectiveArchitectures = %q, want %q", tt.line, got, tt.want)
		}
	}
	if !reflect.DeepEqual(defaults, []string{"amd64", "i386"}) {
		t.Errorf("defaults changed: %q", defaults)
	}
}
