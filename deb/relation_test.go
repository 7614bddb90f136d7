package deb

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// relationFields are the relation fields of binary and source packages.
var relationFields = []string{
	"Depends", "Pre-Depends", "Recommends", "Suggests", "Enhances", "Conflicts",
	"Breaks", "Replaces", "Provides", "Built-Using", "Static-Built-Using",
	"Build-Depends", "Build-Depends-Indep", "Build-Depends-Arch",
	"Build-Conflicts", "Build-Conflicts-Indep", "Build-Conflicts-Arch",
}

// relationCase is one case of testdata/relations.txt.
type relationCase struct {
	line     int
	in       string
	out, err string
	offset   int
}

func readRelationCases(t *testing.T) []relationCase {
	f, err := os.Open("testdata/relations.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []relationCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		key, val, _ := strings.Cut(sc.Text(), ":")
		val = strings.TrimPrefix(val, " ")
		if strings.HasPrefix(val, `"`) {
			if val, err = strconv.Unquote(val); err != nil {
				t.Fatalf("relations.txt:%d: %v", line, err)
			}
		}
		switch key {
		case "in":
			cases = append(cases, relationCase{line: line, in: val})
		case "out":
			cases[len(cases)-1].out = val
		case "err":
			c := &cases[len(cases)-1]
			at := strings.LastIndex(val, " @")
			c.err = val[:at]
			if c.offset, err = strconv.Atoi(val[at+2:]); err != nil {
				t.Fatalf("relations.txt:%d: %v", line, err)
			}
		}
	}
	return cases
}

func TestRelationsFile(t *testing.T) {
	cases := readRelationCases(t)
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		rels, err := ParseRelations(c.in)
		var rerr *RelationError
		switch {
		case c.err != "":
			if !errors.As(err, &rerr) || !strings.Contains(err.Error(), c.err) || rerr.Offset != c.offset || rels != nil {
				t.Errorf("relations.txt:%d: ParseRelations(%q) = %v, %v; want error %q at %d", c.line, c.in, rels, err, c.err, c.offset)
			}
		case err != nil:
			t.Errorf("relations.txt:%d: ParseRelations(%q): %v", c.line, c.in, err)
		case rels.String() != c.out:
			t.Errorf("relations.txt:%d: ParseRelations(%q) prints %q, want %q", c.line, c.in, rels.String(), c.out)
		default:
			checkRoundTrip(t, c.in, rels)
		}
	}
}

// checkRoundTrip checks that rels prints to text that parses back to rels.
func checkRoundTrip(t testing.TB, in string, rels Relations) {
	t.Helper()
	back, err := ParseRelations(rels.String())
	if err != nil {
		t.Fatalf("%q prints as %q, which does not parse: %v", in, rels.String(), err)
	}
	want := withoutObsolete(rels)
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("%q prints as %q, which parses as %#v, not %#v", in, rels.String(), back, want)
	}
}

func withoutObsolete(rels Relations) Relations {
	var out Relations
	for _, a := range rels {
		var alt Alternatives
		for _, r := range a {
			r.ObsoleteOp = false
			alt = append(alt, r)
		}
		out = append(out, alt)
	}
	return out
}

func TestParseRelationsStructure(t *testing.T) {
	got, err := ParseRelations("libc6:any (>= 2.36) [amd64 i386] <!nocheck> <stage1 cross>, exim4 | mail-transport-agent, foo (< 1)")
	if err != nil {
		t.Fatal(err)
	}
	want := Relations{
		{{Name: "libc6", Arch: "any", Op: OpGE, Version: Version{0, "2.36", ""},
			Arches:   []ArchRestriction{{Name: "amd64"}, {Name: "i386"}},
			Profiles: [][]ProfileTerm{{{Name: "nocheck", Not: true}}, {{Name: "stage1"}, {Name: "cross"}}}}},
		{{Name: "exim4"}, {Name: "mail-transport-agent"}},
		{{Name: "foo", Op: OpLE, Version: Version{0, "1", ""}, ObsoleteOp: true}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if rels, err := ParseRelations(" \n "); err != nil || rels != nil {
		t.Errorf("blank value = %#v, %v; want nil", rels, err)
	}
}

func TestRelationError(t *testing.T) {
	_, err := ParseRelationField("Depends", "libc6 (>= 2.36), libfoo (>= 1.0")
	want := `parse Depends field: offset 31, in "libfoo (>= 1.0": version unterminated`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	_, err = ParseRelations("foo (>= 1:)")
	var verr *VersionError
	if !errors.As(err, &verr) || verr.Msg != msgNothingAfter {
		t.Errorf("error %v does not wrap the version error", err)
	}
}

func TestParseRelationField(t *testing.T) {
	for _, field := range []string{"Conflicts", "breaks", "Provides", "Replaces"} {
		if _, err := ParseRelationField(field, "a, b | c"); err == nil || !strings.Contains(err.Error(), "alternatives") {
			t.Errorf("%s with alternatives: err = %v", field, err)
		}
		if _, err := ParseRelationField(field, "a, b (<< 2)"); err != nil {
			t.Errorf("%s: %v", field, err)
		}
	}
	if _, err := ParseRelationField("Depends", "a | b"); err != nil {
		t.Error(err)
	}
}

func TestOps(t *testing.T) {
	holds := map[Op][3]bool{ // for cmp -1, 0, +1
		OpNone: {true, true, true}, OpLT: {true, false, false}, OpLE: {true, true, false},
		OpEQ: {false, true, false}, OpGE: {false, true, true}, OpGT: {false, false, true},
	}
	for op, want := range holds {
		for cmp := -1; cmp <= 1; cmp++ {
			if op.Holds(cmp) != want[cmp+1] {
				t.Errorf("%v.Holds(%d) = %v", op, cmp, !want[cmp+1])
			}
		}
		if op == OpNone {
			continue
		}
		if got, obs, err := ParseOp(op.String()); got != op || obs || err != nil {
			t.Errorf("ParseOp(%q) = %v, %v, %v", op.String(), got, obs, err)
		}
	}
	for s, want := range map[string]Op{"<": OpLE, ">": OpGE} {
		if got, obs, err := ParseOp(s); got != want || !obs || err != nil {
			t.Errorf("ParseOp(%q) = %v, %v, %v", s, got, obs, err)
		}
	}
	if _, _, err := ParseOp("=>"); err == nil {
		t.Error("ParseOp(=>) accepted")
	}
	if Op(99).Holds(0) || Op(99).String() != "Op(99)" {
		t.Error("unknown Op")
	}
}

func TestSatisfiedBy(t *testing.T) {
	tests := []struct {
		rel, version string
		want         bool
	}{
		{"foo", "1.0", true},
		{"foo (>= 1.0)", "1.0", true},
		{"foo (>= 1.0)", "1.0~rc1", false},
		{"foo (>= 1.0)", "1:0.1", true},
		{"foo (<< 1.0)", "1.0~rc1", true},
		{"foo (<< 1.0)", "1.0", false},
		{"foo (<= 1.0-1)", "1.0-1", true},
		{"foo (<= 1.0-1)", "1.0-1+b1", false},
		{"foo (= 1.0)", "1.0-0", true},
		{"foo (= 1.0)", "0:1.0", true},
		{"foo (= 1.0)", "1.0-1", false},
		{"foo (>> 2.36-9)", "2.36-9+deb12u4", true},
		{"foo (>> 2.36-9)", "2.36-9", false},
		{"foo (< 1.0)", "1.0", true},
		{"foo (> 1.0)", "1.0", true},
	}
	for _, tt := range tests {
		rels, err := ParseRelations(tt.rel)
		if err != nil {
			t.Fatal(err)
		}
		r := &rels[0][0]
		if got := r.SatisfiedBy(mustParseVersion(t, tt.version)); got != tt.want {
			t.Errorf("%q satisfied by %s = %v, want %v", tt.rel, tt.version, got, tt.want)
		}
	}
	r, v := &Relation{Name: "a", Op: OpGE, Version: mustParseVersion(t, "1.0")}, mustParseVersion(t, "1.1")
	if n := testing.AllocsPerRun(100, func() { r.SatisfiedBy(v) }); n != 0 {
		t.Errorf("SatisfiedBy allocates %v times", n)
	}
}

func TestCheckNames(t *testing.T) {
	for _, name := range []string{"a", "libc6", "g++", "libstdc++6", "x11-common", "Foo_Bar", "0ad", "python3.11"} {
		if err := CheckPackageName(name); err != nil {
			t.Error(err)
		}
	}
	for _, name := range []string{"", "-a", ".a", "a b", "a:b", "a/b", "é"} {
		if err := CheckPackageName(name); err == nil {
			t.Errorf("CheckPackageName(%q) accepted", name)
		}
	}
	for _, name := range []string{"amd64", "any", "linux-any", "any-i386", "x32"} {
		if err := CheckArchName(name); err != nil {
			t.Error(err)
		}
	}
	for _, name := range []string{"", "-x", "a_b", "a.b"} {
		if err := CheckArchName(name); err == nil {
			t.Errorf("CheckArchName(%q) accepted", name)
		}
	}
}

// TestRealIndexRelations parses every relation field of every paragraph of
// the real Debian index and checks that each round-trips through String.
func TestRealIndexRelations(t *testing.T) {
	paras := realIndexParagraphs(t)
	n, obsolete := 0, 0
	for _, p := range paras {
		for _, f := range p.Fields {
			if !isRelationField(f.Name) {
				continue
			}
			rels, err := ParseRelationField(f.Name, f.Value)
			if err != nil {
				t.Fatalf("%s (line %d): %v", p.Get("Package"), p.Line, err)
			}
			for _, a := range rels {
				for _, r := range a {
					if r.ObsoleteOp {
						obsolete++
					}
				}
			}
			checkRoundTrip(t, f.Value, rels)
			n++
		}
	}
	t.Logf("%d relation fields of %d paragraphs round-trip (%d obsolete operators)", n, len(paras), obsolete)
}

func isRelationField(name string) bool {
	for _, f := range relationFields {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

// BenchmarkParseRelations parses every relation field of the real index.
func BenchmarkParseRelations(b *testing.B) {
	var values []string
	size := 0
	for _, p := range realIndexParagraphs(b) {
		for _, f := range p.Fields {
			if isRelationField(f.Name) {
				values = append(values, f.Value)
				size += len(f.Value)
			}
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, v := range values {
			if _, err := ParseRelations(v); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(values)*b.N)/b.Elapsed().Seconds(), "fields/s")
}

// FuzzParseRelations checks that ParseRelations never panics and that what
// it accepts round-trips through String.
func FuzzParseRelations(f *testing.F) {
	for _, s := range []string{"libc6 (>= 2.36), exim | mta", "foo:any (<< 1:2.0-1~) [amd64 !i386] <!nocheck> <stage1 cross>",
		"foo (< 1), bar (1.0)", "a,\n b,", "foo (>= 1.0", "foo [i386 !amd64]", "foo <>", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rels, err := ParseRelations(s)
		if err != nil {
			var rerr *RelationError
			if !errors.As(err, &rerr) || rerr.Offset < 0 || rerr.Offset > len(s) {
				t.Fatalf("ParseRelations(%q): bad error %#v", s, err)
			}
			return
		}
		checkRoundTrip(t, s, rels)
	})
}
