package sources

import (
	"reflect"
	"strings"
	"testing"
)

func TestExpandSources(t *testing.T) {
	data := `deb http://h.example/debian/ bookworm main contrib
deb-src http://h.example/debian bookworm main
deb [arch=arm64] file:/srv/flat ./
deb [arch-=i386] http://h.example/ports sub/dir/
deb http://h.example/per-arch $(ARCH)/
# deb http://h.example/disabled stable main
deb [arch=amd64] http://h.example/x stable/$(ARCH) main
`
	srcs, err := ParseList("/etc/aim/sources.list", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range Expand(srcs, []string{"amd64", "i386"}) {
		got = append(got, strings.Join([]string{tg.Source.Name, tg.Type, tg.Arch, tg.ReleaseURL(), tg.IndexPath()}, " "))
	}
	want := []string{
		"sources:1 deb amd64 http://h.example/debian/dists/bookworm/ main/binary-amd64/Packages",
		"sources:1 deb i386 http://h.example/debian/dists/bookworm/ main/binary-i386/Packages",
		"sources:1 deb amd64 http://h.example/debian/dists/bookworm/ contrib/binary-amd64/Packages",
		"sources:1 deb i386 http://h.example/debian/dists/bookworm/ contrib/binary-i386/Packages",
		"sources:2 deb-src  http://h.example/debian/dists/bookworm/ main/source/Sources",
		"sources:3 deb  file:/srv/flat/ Packages",
		"sources:4 deb  http://h.example/ports/sub/dir/ Packages",
		"sources:5 deb amd64 http://h.example/per-arch/amd64/ Packages",
		"sources:5 deb i386 http://h.example/per-arch/i386/ Packages",
		"sources:7 deb amd64 http://h.example/x/dists/stable/amd64/ main/binary-amd64/Packages",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("targets:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(srcs[5].Targets([]string{"amd64"})); n != 1 {
		t.Errorf("disabled source has %d targets, want 1 from Targets", n)
	}
}

func TestExpandSourcesCartesian(t *testing.T) {
	srcs, err := ParseDeb822("/x.sources", []byte(`Types: deb deb-src
URIs: http://a/ http://b/
Suites: s1 s2
Components: c1 c2
Architectures: amd64 arm64
`))
	if err != nil {
		t.Fatal(err)
	}
	tgs := Expand(srcs, nil)
	// deb: 2 URIs x 2 suites x 2 components x 2 archs; deb-src: no archs.
	if len(tgs) != 16+8 {
		t.Fatalf("%d targets, want 24", len(tgs))
	}
	first, last := tgs[0], tgs[len(tgs)-1]
	if first.URI != "http://a/" || first.Suite != "s1" || first.Component != "c1" || first.Arch != "amd64" ||
		last.Type != "deb-src" || last.URI != "http://b/" || last.Suite != "s2" || last.Component != "c2" {
		t.Errorf("order: first %+v last %+v", first, last)
	}
	if first.Source != &srcs[0] {
		t.Error("Source does not point into the slice given")
	}
}
