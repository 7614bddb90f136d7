package deb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestParseParagraphs(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		comments bool
		want     [][]Field
	}{
		{"empty", "", false, nil},
		{"blank lines only", "\n \n\t\n", false, nil},
		{"one", "Package: a\nVersion: 1\n", false, [][]Field{{{"Package", "a"}, {"Version", "1"}}}},
		{"no final newline", "Package: a", false, [][]Field{{{"Package", "a"}}}},
		{"crlf and trailing blanks", "Package: a  \r\nVersion:\t1\r\n", false, [][]Field{{{"Package", "a"}, {"Version", "1"}}}},
		{"spelling kept", "pAcKaGe: a\n", false, [][]Field{{{"pAcKaGe", "a"}}}},
		{"no space after colon", "Package:a\n", false, [][]Field{{{"Package", "a"}}}},
		{"empty value", "Package: a\nEmpty:\n", false, [][]Field{{{"Package", "a"}, {"Empty", ""}}}},
		{"colon in value", "Homepage: https://x.org:80/a\n", false, [][]Field{{{"Homepage", "https://x.org:80/a"}}}},
		{"continuation", "Description: short\n long line\n .\n more\n", false,
			[][]Field{{{"Description", "short\n long line\n .\n more"}}}},
		{"empty first line", "Files:\n abc 1 f\n\tdef 2 g\n", false, [][]Field{{{"Files", "\n abc 1 f\n\tdef 2 g"}}}},
		{"several paragraphs", "A: 1\n\n\n\nB: 2\n \nC: 3\n", false,
			[][]Field{{{"A", "1"}}, {{"B", "2"}}, {{"C", "3"}}}},
		{"comments", "# head\nTypes: deb\n# inside\nURIs: http://a\n  http://b\n# between\n\nTypes: deb-src\n", true,
			[][]Field{{{"Types", "deb"}, {"URIs", "http://a\n  http://b"}}, {{"Types", "deb-src"}}}},
		{"comment inside continuation", "A: x\n y\n# c\n z\n", true, [][]Field{{{"A", "x\n y\n z"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewParagraphReader(strings.NewReader(tt.in))
			r.Comments = tt.comments
			var got [][]Field
			for {
				p, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p.Fields)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		line int
		msg  string
	}{
		{" continuation\n", 1, "continuation line outside a field"},
		{"A: 1\n\n dangling\n", 3, "continuation line outside a field"},
		{"A: 1\nno colon here\n", 2, "missing colon"},
		{"A: 1\n: v\n", 2, "empty field name"},
		{"A: 1\na: 2\n", 2, `duplicate field "a"`},
		{"A: 1\n# comment\n", 2, "starts with '#'"},
		{"-----BEGIN PGP SIGNED MESSAGE-----\n", 1, "starts with '-'"},
		{"A b: 1\n", 1, "invalid character"},
		{"A: 1\n\nB: 2\nC\n", 4, "missing colon"},
	}
	for _, tt := range tests {
		_, err := ParseParagraphs([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a SyntaxError", tt.in, err)
			continue
		}
		if se.Line != tt.line || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: got %v, want line %d: ...%s...", tt.in, err, tt.line, tt.msg)
		}
	}
}

func TestParseParagraphSingle(t *testing.T) {
	if _, err := ParseParagraph([]byte("\n\nA: 1\n\n")); err != nil {
		t.Errorf("one paragraph: %v", err)
	}
	if _, err := ParseParagraph([]byte("A: 1\n\nB: 2\n")); err == nil || !strings.Contains(err.Error(), "line 3: more than one paragraph") {
		t.Errorf("two paragraphs: got %v", err)
	}
	if _, err := ParseParagraph([]byte("\n")); err == nil {
		t.Error("no paragraph: got no error")
	}
}

func TestMaxParagraphSize(t *testing.T) {
	r := NewParagraphReader(strings.NewReader("A: " + strings.Repeat("x", 1000) + "\n"))
	r.MaxParagraphSize = 100
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("got %v", err)
	}
	r = NewParagraphReader(strings.NewReader("A: " + strings.Repeat("x", 600<<10) + "\n"))
	r.MaxParagraphSize = 300 << 10
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "line too long") {
		t.Errorf("long line: got %v", err)
	}
}

func TestParagraphEdit(t *testing.T) {
	p, err := ParseParagraph([]byte("Package: a\nVersion: 1\nDepends: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	p.Set("VERSION", "2")
	p.Set("Section", "user/games")
	p.Delete("depends")
	want := "Package: a\nVersion: 2\nSection: user/games\n"
	if got := p.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !p.Has("section") || p.Has("Depends") || p.Get("PACKAGE") != "a" {
		t.Error("lookups after edit are wrong")
	}
}

func TestWriteAlwaysReparses(t *testing.T) {
	p := &Paragraph{}
	p.Set("Description", "synopsis\nno leading blank\n\n   \n indented")
	p.Set("Empty", "")
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := "Description: synopsis\n no leading blank\n .\n .\n indented\nEmpty:\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	q, err := ParseParagraph(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := TextLines(q.Get("description")); !reflect.DeepEqual(got, []string{"synopsis", "no leading blank", "", "", "indented"}) {
		t.Errorf("text lines %q", got)
	}
}

func TestTextRoundTrip(t *testing.T) {
	body := []string{"first", "", "  code", "last"}
	v := FormatText("syn", body)
	if v != "syn\n first\n .\n   code\n last" {
		t.Errorf("FormatText = %q", v)
	}
	if got := TextLines(v); !reflect.DeepEqual(got[1:], body) || got[0] != "syn" {
		t.Errorf("TextLines = %q", got)
	}
	if Synopsis(v) != "syn" || Extended(v) != "first\n\n  code\nlast" {
		t.Errorf("Synopsis/Extended = %q / %q", Synopsis(v), Extended(v))
	}
}

func TestDisplayString(t *testing.T) {
	tests := map[string]string{
		"plain":                "plain",
		"caf\xc3\xa9":          "café",
		"caf\xe9":              "caf?",
		"\xff\xfe ok \xe2\x82": "?? ok ??",
		"日本":                   "日本",
	}
	for in, want := range tests {
		if got := DisplayString(in); got != want {
			t.Errorf("DisplayString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGoldenRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/control/*.in")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r := NewParagraphReader(bytes.NewReader(data))
			r.Comments = strings.Contains(in, "sources")
			var paras []*Paragraph
			for {
				p, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				paras = append(paras, p)
			}
			var out bytes.Buffer
			if err := WriteParagraphs(&out, paras); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if os.Getenv("UPDATE_GOLDEN") != "" {
				os.WriteFile(golden, out.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != string(want) {
				t.Errorf("output differs from %s:\n%s", golden, out.String())
			}
		})
	}
}

// debianIndex returns the path of the real Debian Packages index, or skips.
func debianIndex(tb testing.TB) string {
	tb.Helper()
	path, err := debianIndexPath()
	if err != nil {
		tb.Skipf("real Debian index unavailable: %v", err)
	}
	return path
}

// debianIndexPath returns AIM_DEBIAN_INDEX, or else the path that the
// workspace's debian-index script prints.
func debianIndexPath() (string, error) {
	if p := os.Getenv("AIM_DEBIAN_INDEX"); p != "" {
		return p, nil
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "shared", "bin", "debian-index")
	out, err := exec.Command(script).Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func TestRealIndexRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	path := debianIndex(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip(err)
	}
	r := NewParagraphReader(bytes.NewReader(data))
	var out bytes.Buffer
	out.Grow(len(data))
	n := 0
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Get("Package") == "" || p.Get("Version") == "" {
			t.Fatalf("line %d: paragraph without Package or Version", p.Line)
		}
		if n > 0 {
			out.WriteByte('\n')
		}
		p.appendTo(&out)
		n++
	}
	if n < 50000 {
		t.Errorf("only %d paragraphs in %s", n, path)
	}
	// The index has a few lines with trailing blanks, which deb822 drops.
	want := regexp.MustCompile(`(?m)[ \t]+$`).ReplaceAll(data, nil)
	if !bytes.Equal(bytes.TrimRight(out.Bytes(), "\n"), bytes.TrimRight(want, "\n")) {
		t.Error("writing the parsed index does not give back its bytes")
	}
	t.Logf("%d paragraphs", n)
}
