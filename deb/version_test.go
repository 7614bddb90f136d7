package deb

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// readVersionToken decodes one token of testdata/versions.txt: a Go string
// literal when it starts with a double quote, the text itself otherwise.
func readVersionToken(t *testing.T, line int, tok string) Version {
	t.Helper()
	if strings.HasPrefix(tok, `"`) {
		s, err := strconv.Unquote(tok)
		if err != nil {
			t.Fatalf("versions.txt:%d: %v", line, err)
		}
		tok = s
	}
	if tok == "" {
		return Version{}
	}
	v, err := ParseVersionLax(tok)
	if err != nil {
		t.Fatalf("versions.txt:%d: %v", line, err)
	}
	return v
}

func TestVersionsFile(t *testing.T) {
	f, err := os.Open("testdata/versions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]int{"<": -1, "=": 0, ">": 1}
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		c, ok := want[fields[1]]
		if len(fields) != 3 || !ok {
			t.Fatalf("versions.txt:%d: want \"A OP B\" with OP one of < = >, got %q", line, text)
		}
		a, b := readVersionToken(t, line, fields[0]), readVersionToken(t, line, fields[2])
		if got := CompareVersions(a, b); got != c {
			t.Errorf("versions.txt:%d: CompareVersions(%q, %q) = %d, want %d", line, fields[0], fields[2], got, c)
		}
		if got := b.Compare(a); got != -c {
			t.Errorf("versions.txt:%d: CompareVersions(%q, %q) = %d, want %d", line, fields[2], fields[0], got, -c)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Errorf("only %d comparisons in versions.txt", n)
	}
}

// orderedVersions is strictly ascending; every pair is checked.
var orderedVersions = []string{
	"", "0~~", "0~~a", "0~", "0~a", "0", "0-0.1", "0.0.0", "0.1~", "0.1", "0.1a",
	"0.1+", "0.1.", "0.1.1", "0.1.1-1~bpo1", "0.1.1-1", "0.1.1-1+b1", "0.1.1-1.1",
	"0.1.1-2", "0.9", "1~~", "1~~a", "1~", "1~beta", "1~rc1", "1~rc1-1", "1~rc2",
	"1", "1-0.1", "1-1", "1+b1", "1.0~rc1", "1.0", "1.0-1", "1.0+dfsg", "1.0.1",
	"1.1", "1.2", "1.10", "1.10a", "1.10z", "1.10+", "1.10.0", "2", "2a", "9",
	"10", "99", "100", "1:0~", "1:0", "1:0.1", "1:1.0", "2:0", "10:0",
}

func TestOrderedVersions(t *testing.T) {
	vs := make([]Version, len(orderedVersions))
	for i, s := range orderedVersions {
		if s != "" {
			vs[i] = mustParseVersion(t, s)
		}
	}
	for i := range vs {
		for j := range vs {
			want := sign(i - j)
			if got := CompareVersions(vs[i], vs[j]); got != want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", orderedVersions[i], orderedVersions[j], got, want)
			}
		}
	}
}

func mustParseVersion(t testing.TB, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		err  string // dpkg's message for a hard error
		warn string // dpkg's message for a warning
	}{
		{in: "1.0", want: Version{0, "1.0", ""}},
		{in: "1:2.3-4", want: Version{1, "2.3", "4"}},
		{in: "  \t1.0-1 \t", want: Version{0, "1.0", "1"}},
		{in: "1.0-1-2", want: Version{0, "1.0-1", "2"}},
		{in: "1:2:3", want: Version{1, "2:3", ""}},
		{in: "0:1:2-3", want: Version{0, "1:2", "3"}},
		{in: "+1:2", want: Version{1, "2", ""}},
		{in: "-0:1", want: Version{0, "1", ""}},
		{in: "007:1", want: Version{7, "1", ""}},
		{in: "\n1:2", want: Version{1, "2", ""}},
		{in: "2147483647:1", want: Version{2147483647, "1", ""}},
		{in: "1.0~rc1+dfsg-1~bpo12+1", want: Version{0, "1.0~rc1+dfsg", "1~bpo12+1"}},
		{in: "", err: msgVersionEmpty},
		{in: " \t ", err: msgVersionEmpty},
		{in: "1.0 1", err: msgEmbeddedSpaces},
		{in: "1:2 3", err: msgEmbeddedSpaces},
		{in: ":1", err: msgEpochEmpty},
		{in: "a:1", err: msgEpochEmpty},
		{in: "+:1", err: msgEpochEmpty},
		{in: "1a:2", err: msgEpochNotNumber},
		{in: "1-2:3", err: msgEpochNotNumber},
		{in: "1.0:1", err: msgEpochNotNumber},
		{in: "-1:2", err: msgEpochNegative},
		{in: "-99999999999999999999:1", err: msgEpochNegative},
		{in: "2147483648:1", err: msgEpochTooBig},
		{in: "99999999999999999999:1", err: msgEpochTooBig},
		{in: "1:", err: msgNothingAfter},
		{in: "1: ", err: msgUpstreamEmpty},
		{in: "1:-1", err: msgUpstreamEmpty},
		{in: "-1", err: msgUpstreamEmpty},
		{in: "1-", err: msgRevisionEmpty},
		{in: "1:1.0-", err: msgRevisionEmpty},
		{in: "-", err: msgRevisionEmpty},
		{in: "abc", want: Version{0, "abc", ""}, warn: msgNoLeadingDigit},
		{in: "1:a-1", want: Version{1, "a", "1"}, warn: msgNoLeadingDigit},
		{in: "~1", want: Version{0, "~1", ""}, warn: msgNoLeadingDigit},
		{in: "1_2", want: Version{0, "1_2", ""}, warn: msgBadUpstreamChar},
		{in: "1.0\xff", want: Version{0, "1.0\xff", ""}, warn: msgBadUpstreamChar},
		{in: "1.0-a_b", want: Version{0, "1.0", "a_b"}, warn: msgBadRevisionChar},
		{in: "0:1-2:3", want: Version{0, "1", "2:3"}, warn: msgBadRevisionChar},
		{in: "a_b", want: Version{0, "a_b", ""}, warn: msgNoLeadingDigit},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		var verr *VersionError
		var vwarn *VersionWarning
		switch {
		case tt.err != "":
			if !errors.As(err, &verr) || verr.Msg != tt.err || got != (Version{}) {
				t.Errorf("ParseVersion(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
			}
		case tt.warn != "":
			if !errors.As(err, &vwarn) || vwarn.Msg != tt.warn || got != tt.want {
				t.Errorf("ParseVersion(%q) = %#v, %v; want %#v and warning %q", tt.in, got, err, tt.want, tt.warn)
			}
		case err != nil || got != tt.want:
			t.Errorf("ParseVersion(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseVersionVariants(t *testing.T) {
	v, err := ParseVersionLax("1_2")
	if err != nil || v != (Version{0, "1_2", ""}) {
		t.Errorf("ParseVersionLax(1_2) = %v, %v", v, err)
	}
	if _, err := ParseVersionLax("1:"); err == nil {
		t.Error("ParseVersionLax(1:) accepted")
	}
	v, err = ParseVersionStrict("1_2")
	if !IsVersionWarning(err) || v != (Version{}) {
		t.Errorf("ParseVersionStrict(1_2) = %v, %v; want a warning as error", v, err)
	}
	if _, err := ParseVersionStrict("1.0-1"); err != nil {
		t.Error(err)
	}
	_, err = ParseVersion(`1.0 x`)
	if want := `parse version "1.0 x": version string has embedded spaces`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	_, err = ParseVersion(`x`)
	if want := `parse version "x": version number does not start with digit`; err == nil || err.Error() != want {
		t.Errorf("warning = %v, want %s", err, want)
	}
	if IsVersionWarning(errors.New("x")) || IsVersionWarning(nil) {
		t.Error("IsVersionWarning accepts other errors")
	}
}

func TestVersionString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"0:1.0", "1.0"},
		{"00:1.0-1", "1.0-1"},
		{"+3:1.0", "3:1.0"},
		{" 1:1.0-1-2 ", "1:1.0-1-2"},
		{"0:1:2", "0:1:2"},
		{"0:1-2:3", "0:1-2:3"},
		{"1.0~rc1", "1.0~rc1"},
	}
	for _, tt := range tests {
		v, _ := ParseVersion(tt.in)
		if got := v.String(); got != tt.want {
			t.Errorf("ParseVersion(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if w, _ := ParseVersion(v.String()); w != v {
			t.Errorf("%q does not round-trip: %#v then %#v", tt.in, v, w)
		}
	}
	if s := (Version{}).String(); s != "" {
		t.Errorf("blank version prints %q", s)
	}
	if !(Version{}).IsZero() || mustParseVersion(t, "0").IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestVersionNoAllocs(t *testing.T) {
	a, b := mustParseVersion(t, "1:2.36-9+deb12u4"), mustParseVersion(t, "1:2.36-9+deb12u10")
	if n := testing.AllocsPerRun(100, func() { CompareVersions(a, b) }); n != 0 {
		t.Errorf("CompareVersions allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseVersion(" 1:2.36-9+deb12u4 ") }); n != 0 {
		t.Errorf("ParseVersion allocates %v times", n)
	}
}

func TestVersionJSON(t *testing.T) {
	type rec struct {
		V    Version
		Zero Version
	}
	in := rec{V: mustParseVersion(t, "1:2.0-1")}
	data, err := json.Marshal(in)
	if err != nil || string(data) != `{"V":"1:2.0-1","Zero":""}` {
		t.Fatalf("Marshal = %s, %v", data, err)
	}
	var out rec
	if err := json.Unmarshal(data, &out); err != nil || out != in {
		t.Errorf("Unmarshal = %#v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"V":"1:"}`), &out); err == nil {
		t.Error("Unmarshal accepted a bad version")
	}
}
