package sources

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"aim/deb"
)

func TestParseSourcesDeb822(t *testing.T) {
	data := `# leading comment
Types: deb deb-src
URIs: http://a.example/d
 http://b.example/d
Suites: bookworm bookworm-updates
Components: main
Architectures: amd64, arm64
Architectures-Add: i386
Trusted: yes
Enabled: no
# comment inside
X-Custom: kept
 as written

types: deb
uris: file:/srv/flat
suites: ./
signed-by: EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B /etc/aim/keyrings/a.gpg
`
	got, err := ParseDeb822("/etc/aim/sources.list.d/x.sources", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{{
		Name: "x:1", File: "/etc/aim/sources.list.d/x.sources", Line: 2, Format: Deb822,
		Types: []string{"deb", "deb-src"}, URIs: []string{"http://a.example/d", "http://b.example/d"},
		Suites: []string{"bookworm", "bookworm-updates"}, Components: []string{"main"},
		Architectures: []string{"amd64", "arm64"}, ArchitecturesAdd: []string{"i386"}, Trusted: true,
		Extra: []deb.Field{{Name: "X-Custom", Value: "kept\n as written"}},
	}, {
		Name: "x:2", File: "/etc/aim/sources.list.d/x.sources", Line: 15, Format: Deb822, Enabled: true,
		Types: []string{"deb"}, URIs: []string{"file:/srv/flat"}, Suites: []string{"./"},
		SignedBy: SignedBy{Keyrings: []string{"/etc/aim/keyrings/a.gpg"}, Fingerprints: []string{"EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseSourcesDeb822InlineKey(t *testing.T) {
	key, err := os.ReadFile("../../testdata/keys/ed25519.asc")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(key)), "\n")
	p := &deb.Paragraph{Fields: []deb.Field{{Name: "Types", Value: "deb"}, {Name: "URIs", Value: "https://h.example/d"},
		{Name: "Suites", Value: "stable"}, {Name: "Components", Value: "main"}, {Name: "Signed-By", Value: deb.FormatText("", lines)}}}
	got, err := ParseDeb822("/x.sources", []byte(p.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got[0].SignedBy.Key != strings.TrimSpace(string(key))+"\n" {
		t.Errorf("inline key:\n%s\nwant\n%s", got[0].SignedBy.Key, key)
	}
	if got[0].Name != "x" {
		t.Errorf("name %q, want x (one paragraph)", got[0].Name)
	}
	var b bytes.Buffer
	if err := WriteDeb822(&b, got); err != nil {
		t.Fatal(err)
	}
	if b.String() != p.String() {
		t.Errorf("written:\n%s\nwant\n%s", b.String(), p.String())
	}
}

// TestParseSourcesDeb822Errors checks that each bad paragraph gives one
// error at the line of the faulty field, and hides no good paragraph.
func TestParseSourcesDeb822Errors(t *testing.T) {
	data := `Types: deb
URIs: http://good.example/d
Suites: s/

Types: deb
URIs: cdrom:/media
Suites: s/

Types: deb
 continued: oops
URIs http://no.colon
Suites: s/

Types: deb
URIs: http://good2.example/d
Suites: s
Components: main

 orphan continuation

Types: deb
URIs: http://h.example/d
Suites: s
Enabled: perhaps

Types: deb
Types: deb-src

Types: deb
URIs: http://h.example/d
Suites: s
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 no end

Types: deb
Suites: s/

Architectures:
Types: deb
`
	srcs, err := ParseDeb822("/etc/aim/sources.list.d/e.sources", []byte(data))
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	if want := []string{"e:1", "e:4"}; !reflect.DeepEqual(names, want) {
		t.Errorf("good sources %q, want %q", names, want)
	}
	want := []string{
		`/etc/aim/sources.list.d/e.sources:6: URIs: unsupported URI scheme "cdrom" in "cdrom:/media" (aim reads http, https and file)`,
		`/etc/aim/sources.list.d/e.sources:11: invalid character ' ' in field name "URIs http"`,
		`/etc/aim/sources.list.d/e.sources:19: continuation line outside a field`,
		`/etc/aim/sources.list.d/e.sources:24: Enabled: expected yes or no, not "perhaps"`,
		`/etc/aim/sources.list.d/e.sources:27: duplicate field "Types"`,
		`/etc/aim/sources.list.d/e.sources:32: Signed-By: inline key must be one "-----BEGIN PGP PUBLIC KEY BLOCK-----" ... "-----END PGP PUBLIC KEY BLOCK-----" block`,
		`/etc/aim/sources.list.d/e.sources:36: no URI (URIs)`,
		`/etc/aim/sources.list.d/e.sources:39: Architectures: empty value`,
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var se *Error
	if !errors.As(err, &se) || se.Name != "e:2" || se.Line != 6 {
		t.Errorf("first error %#v, want a *Error named e:2 at line 6", se)
	}
}

func TestFormatSourceRoundTrip(t *testing.T) {
	s, err := ParseLine("deb [arch=amd64 arch-=i386 signed-by=/k.asc lang=de trusted=yes] http://h.example/d stable main contrib")
	if err != nil {
		t.Fatal(err)
	}
	s.Enabled = false
	want := `Types: deb
URIs: http://h.example/d
Suites: stable
Components: main contrib
Architectures: amd64
Architectures-Remove: i386
Signed-By: /k.asc
Trusted: yes
Enabled: no
Languages: de
`
	if got := FormatDeb822(s).String(); got != want {
		t.Errorf("FormatDeb822:\n%s\nwant\n%s", got, want)
	}
	back, err := FromParagraph(FormatDeb822(s))
	if err != nil {
		t.Fatal(err)
	}
	s.Format = Deb822
	if !reflect.DeepEqual(back, s) {
		t.Errorf("read back %+v\nwant %+v", back, s)
	}
}
