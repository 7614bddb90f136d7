package deb

import (
	"reflect"
	"strings"
	"testing"
)

type testPkg struct {
	Package       string   `control:"Package,required"`
	InstalledSize int64    `control:"Installed-Size"`
	Essential     bool     `control:"Essential"`
	Archs         []string `control:"Architectures"`
	Description   string   `control:"Description"`
	Untagged      string
}

func TestUnmarshal(t *testing.T) {
	p, err := ParseParagraph([]byte("package: a\nInstalled-Size: 42\nEssential: yes\nArchitectures: amd64  arm64\nDescription: s\n long\nUntagged: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got testPkg
	if err := Unmarshal(p, &got); err != nil {
		t.Fatal(err)
	}
	want := testPkg{Package: "a", InstalledSize: 42, Essential: true, Archs: []string{"amd64", "arm64"}, Description: "s\n long"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	q, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if s := q.String(); s != "Package: a\nInstalled-Size: 42\nEssential: yes\nArchitectures: amd64 arm64\nDescription: s\n long\n" {
		t.Errorf("Marshal = %q", s)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := map[string]string{
		"Installed-Size: 1\n":               "missing required field Package",
		"Package: a\nInstalled-Size: big\n": "field Installed-Size: not a number",
		"Package: a\nEssential: maybe\n":    "field Essential: want yes or no",
		"Package:\nInstalled-Size: 1\n":     "missing required field Package",
	}
	for in, want := range tests {
		p, err := ParseParagraph([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		var v testPkg
		if err := Unmarshal(p, &v); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: got %v, want ...%s...", in, err, want)
		}
	}
	if err := Unmarshal(&Paragraph{}, testPkg{}); err == nil {
		t.Error("non-pointer accepted")
	}
}

func TestIdentityOf(t *testing.T) {
	p, err := ParseParagraph([]byte("Package: foo\nversion: 1:2.0-1\nArchitecture: amd64\nSection: user/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Package: "foo", Version: "1:2.0-1", Architecture: "amd64"}
	if got := IdentityOf(p); got != want {
		t.Errorf("IdentityOf = %+v, want %+v", got, want)
	}
	if got := IdentityOf(&Paragraph{}); got != (Identity{}) {
		t.Errorf("IdentityOf(empty) = %+v, want zero", got)
	}
}
