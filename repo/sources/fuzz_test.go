package sources

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// sourceModel is s without where it was read from, for comparing a source
// with the same source written and read back.
func sourceModel(s Source) Source {
	s.Name, s.File, s.Line, s.Format = "", "", 0, 0
	return s
}

func addSourcesSeeds(f *testing.F) {
	for _, name := range []string{"sources.list", "sources.list.d/bad.list", "sources.list.d/apps.sources",
		"sources.list.d/multi.sources", "sources.list.d/broken.sources"} {
		data, err := os.ReadFile(basicRoot + "/etc/aim/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
}

// FuzzParseSourceLine checks that the one-line parser never panics and
// that what FormatLine and FormatDeb822 write reads back equal.
func FuzzParseSourceLine(f *testing.F) {
	addSourcesSeeds(f)
	f.Add("deb [arch=amd64,i386 arch+=arm64 signed-by=/k.gpg,0123456789012345678901234567890123456789 trusted=yes lang=de x=1] http://h/d s main contrib")
	f.Add("deb-src [Languages=de] file:/srv/r ./")
	f.Add("deb [A=,]http://0 0 0")
	f.Fuzz(func(t *testing.T, line string) {
		s, err := ParseLine(line)
		if err != nil {
			return
		}
		out, err := FormatLine(s)
		if err != nil {
			t.Fatalf("FormatLine(%q): %v", line, err)
		}
		back, err := ParseLine(out)
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("%q written as %q reads back as %+v, %v; want %+v", line, out, back, err, s)
		}
		checkDeb822RoundTrip(t, *s)
	})
}

// FuzzParseSourcesDeb822 checks that the .sources parser never panics,
// that FormatDeb822 writes what reads back equal, and that disabling and
// enabling a paragraph in place changes that paragraph only.
func FuzzParseSourcesDeb822(f *testing.F) {
	addSourcesSeeds(f)
	f.Add("TYpes:deb\nURIs:http://0\nSuites:/\n0:\v")
	f.Add("Types: deb\nURIs: http://h/\nSuites: s/\nEnabled: yes\n\n# c\nTypes: deb-src\nURIs: http://h/\nSuites: s\nComponents: main\n")
	f.Fuzz(func(t *testing.T, data string) {
		lines := splitSourceLines([]byte(data))
		entries := scanSourcesDeb822("/etc/aim/sources.list.d/f.sources", lines)
		for _, e := range entries {
			if e.src != nil {
				checkDeb822RoundTrip(t, *e.src)
			}
		}
		for i := range entries {
			if entries[i].src != nil {
				checkToggle(t, lines, entries, i)
				break
			}
		}
	})
}

func checkDeb822RoundTrip(t *testing.T, s Source) {
	text := FormatDeb822(&s).String()
	back, err := ParseDeb822("/x.sources", []byte(text))
	if err != nil || len(back) != 1 || !reflect.DeepEqual(sourceModel(back[0]), sourceModel(s)) {
		t.Fatalf("%+v written as\n%s\nreads back as %+v, %v", s, text, back, err)
	}
}

// checkToggle disables entries[i] in lines, then enables it again.
func checkToggle(t *testing.T, lines []string, entries []sourceEntry, i int) {
	e := &entries[i]
	off, changed := setParagraphEnabled(append([]string(nil), lines...), e, false)
	if changed != e.src.Enabled {
		t.Fatalf("disabling a source with Enabled %v: changed %v", e.src.Enabled, changed)
	}
	after := scanSourcesDeb822("/etc/aim/sources.list.d/f.sources", off)
	if len(after) != len(entries) {
		t.Fatalf("disabling %s: %d entries, want %d:\n%s", e.name, len(after), len(entries), strings.Join(off, "\n"))
	}
	for j := range after {
		a, b := after[j], entries[j]
		if a.name != b.name || (a.src == nil) != (b.src == nil) {
			t.Fatalf("disabling %s changed entry %d: %+v vs %+v", e.name, j, a, b)
		}
		if a.src == nil {
			continue
		}
		want := sourceModel(*b.src)
		want.Enabled = want.Enabled && j != i
		if !reflect.DeepEqual(sourceModel(*a.src), want) {
			t.Fatalf("disabling %s: entry %s reads %+v, want %+v", e.name, a.name, *a.src, want)
		}
	}
	if deb822FieldLine(lines, e.first, e.last, "Enabled", 0) != 0 {
		return // an Enabled field is removed, not restored
	}
	on, _ := setParagraphEnabled(off, &after[i], true)
	if strings.Join(on, "\n") != strings.Join(lines, "\n") {
		t.Fatalf("disable then enable of %s changed the text:\n%q\nwant\n%q", e.name, on, lines)
	}
}
