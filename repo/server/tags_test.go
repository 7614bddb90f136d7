package server

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTag(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"qt", "qt"}, {"QT:5.12", "qt:5.12"}, {"platform:desktop", "platform:desktop"},
		{"a_b:1_2.x", "a_b:1_2.x"}, {" qt:5 ", "qt:5"},
	} {
		got, err := ParseTag(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("ParseTag(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", ":5", "qt:", "qt:5..1", "qt:.5", "qt:5.", "q-t", "qt:5:1", "qt:5-1", "ä", "qt 5"} {
		_, err := ParseTag(bad)
		var te *TagError
		if !errors.As(err, &te) || te.Tag != bad || !strings.Contains(err.Error(), "malformed tag") {
			t.Errorf("ParseTag(%q): %v, want a TagError naming it", bad, err)
		}
	}
}

func TestTagMatches(t *testing.T) {
	for _, tc := range []struct {
		req, pkg string
		want     bool
	}{
		{"qt:5.12", "qt:5.12.0", true},
		{"qt:5.12.0", "qt:5.12", false},
		{"qt:5.1", "qt:5.12", false},
		{"qt:5.12", "qt:5.12", true},
		{"qt", "qt:5.12", true},
		{"qt:5.12", "qt", true},
		{"qt:5", "gtk:5", false},
		{"platform:desktop", "platform:desktop", true},
		{"platform:desktop", "platform:mobile", false},
	} {
		r, _ := ParseTag(tc.req)
		p, _ := ParseTag(tc.pkg)
		if got := r.Matches(p); got != tc.want {
			t.Errorf("%s matches %s = %v, want %v", tc.req, tc.pkg, got, tc.want)
		}
	}
}

func TestSimplifyTagsOrderIndependent(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"qt:5.12,qt:5.12.0", "qt:5.12"},
		{"qt:5.12.0,qt:5.12", "qt:5.12"},
		{"qt:5.12.0,qt,qt:5", "qt"},
		{"qt:5.1,qt:5.12", "qt:5.1,qt:5.12"},
		{"b,a,b,A", "a,b"},
		{"qt:5.12,platform:desktop,qt:5.12.1", "platform:desktop,qt:5.12"},
		{"", ""},
		{",,", ""},
	} {
		items := strings.Split(tc.in, ",")
		for i := range items {
			rotated := strings.Join(append(append([]string{}, items[i:]...), items[:i]...), ",")
			got, err := ParseTags(rotated)
			if err != nil || strings.Join(tagStrings(got), ",") != tc.want {
				t.Errorf("ParseTags(%q) = %v, %v; want %s", rotated, got, err, tc.want)
			}
		}
	}
	if _, err := ParseTags("qt,Bad Tag"); err == nil || !strings.Contains(err.Error(), `"Bad Tag"`) {
		t.Errorf("a malformed tag in a list: %v", err)
	}
	if _, err := ParseTags(strings.Repeat("a,", maxTags) + "b"); err == nil {
		t.Errorf("more than %d tags: no error", maxTags)
	}
}

func TestFits(t *testing.T) {
	tags := func(s string) []Tag {
		v, err := ParseTags(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		device, required, conflicts string
		want                        bool
	}{
		{"qt:5.12,platform:desktop", "qt:5.12.0,platform:desktop", "", true},
		{"qt:5.12", "qt:5.12.0,platform:desktop", "", false},
		{"qt:5.12.0", "qt:5.12", "", false},
		{"", "", "", true},
		{"", "qt", "", false},
		{"qt:5.12", "", "qt:5.12.3", false},
		{"qt:5", "", "qt:5.12", false},
		{"qt:6", "", "qt:5", true},
		{"qt", "", "qt:5", false},
		{"", "", "qt:5", true},
		{"qt:5.12,platform:desktop", "platform", "qt:6", true},
	} {
		if got := Fits(tags(tc.device), tags(tc.required), tags(tc.conflicts)); got != tc.want {
			t.Errorf("device %q, package tags %q, conflicts %q: fits = %v, want %v", tc.device, tc.required, tc.conflicts, got, tc.want)
		}
	}
}
