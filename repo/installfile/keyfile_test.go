package installfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestParseKeyFileRules checks GKeyFile's documented rules, one per row:
// the value String returns for [g] k, or the parse error.
func TestParseKeyFileRules(t *testing.T) {
	tests := []struct {
		name, data, want, err string
	}{
		{"plain", "[g]\nk=v\n", "v", ""},
		{"spaces around =", "[g]\nk   =   v\n", "v", ""},
		{"trailing space kept", "[g]\nk=v  \n", "v  ", ""},
		{"leading space escaped", "[g]\nk=\\sv\n", " v", ""},
		{"escapes", "[g]\nk=a\\nb\\tc\\rd\\\\e\n", "a\nb\tc\rd\\e", ""},
		{"comment before group", "# c\n\n[g]\n# c2\nk=v\n", "v", ""},
		{"indented lines", "  [g]  \n\t k = v\n", "v", ""},
		{"crlf", "[g]\r\nk=v\r\n", "v", ""},
		{"no final newline", "[g]\nk=v", "v", ""},
		{"duplicate key last wins", "[g]\nk=1\nk=2\n", "2", ""},
		{"duplicate group merged", "[g]\nk=1\n[h]\nx=y\n[g]\nk=3\n", "3", ""},
		{"utf8 value", "[g]\nk=Zusätze\n", "Zusätze", ""},
		{"empty value", "[g]\nk=\n", "", ""},
		{"value with =", "[g]\nk=a=b\n", "a=b", ""},
		{"space inside key", "[g]\nmy key=v\n", "v", ""},
		{"key before group", "k=v\n[g]\n", "", "key file:1: key file does not start with a group"},
		{"not a pair", "[g]\njunk\n", "", "key file:2: \"junk\" is not a key-value pair, group or comment"},
		{"bad group", "[g\n", "", "key file:1: \"[g\" is not a group header"},
		{"text after group", "[g] x\n", "", "is not a group header"},
		{"empty group", "[]\n", "", "invalid group name"},
		{"empty key", "[g]\n=v\n", "", "invalid key name"},
		{"bad locale", "[g]\nk[a b]=v\n", "", "invalid key name"},
		{"bracket key", "[g]\nk]=v\n", "", "invalid key name"},
		{"invalid utf8", "[g]\nk=\xff\n", "", "key file:2: invalid UTF-8"},
		{"nul", "[g]\nk=a\x00\n", "", "NUL byte"},
		{"bad escape", "[g]\nk=a\\x\n", "", `invalid escape sequence "\x"`},
		{"final backslash", "[g]\nk=a\\\n", "", "escape character at end of line"},
		{"semicolon escape outside list", "[g]\nk=a\\;b\n", "", "outside a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kf, err := ParseKeyFile([]byte(tt.data))
			var got string
			if err == nil {
				key := "k"
				if tt.name == "space inside key" {
					key = "my key"
				}
				got, err = kf.String("g", key)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestKeyFileLists(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{"a;b", []string{"a", "b"}},
		{"a;b;", []string{"a", "b"}},
		{"a;;b", []string{"a", "", "b"}},
		{";", []string{""}},
		{"", []string{}},
		{`a\;b;c`, []string{"a;b", "c"}},
		{`a\sb; c`, []string{"a b", " c"}},
	}
	for _, tt := range tests {
		kf, err := ParseKeyFile([]byte("[g]\nk=" + tt.raw + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := kf.StringList("g", "k")
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %q, %v; want %q", tt.raw, got, err, tt.want)
		}
		// What SetStringList writes reads back as the same list.
		var w KeyFile
		if err := w.SetStringList("g", "k", got); err != nil {
			t.Fatal(err)
		}
		back, _ := ParseKeyFile(w.Bytes())
		if again, err := back.StringList("g", "k"); err != nil || !reflect.DeepEqual(again, got) && len(got) > 0 {
			t.Errorf("%q: list round trip %q, %v", tt.raw, again, err)
		}
	}
}

func TestKeyFileLocaleString(t *testing.T) {
	kf, err := ParseKeyFile([]byte("[g]\nname=Extras\nname[de]=Zusätze\nname[fr_FR]=Suppléments\nname[sr@latin]=Dodaci\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ locale, want string }{
		{"de_DE.UTF-8", "Zusätze"},     // ll_CC missing: ll
		{"de", "Zusätze"},              // ll
		{"fr_FR.UTF-8", "Suppléments"}, // ll_CC
		{"fr_CA", "Extras"},            // neither: unlocalised
		{"sr_RS@latin", "Dodaci"},      // ll@MODIFIER
		{"C", "Extras"},
		{"", "Extras"},
	}
	for _, tt := range tests {
		if got, err := kf.LocaleString("g", "name", LocaleVariants(tt.locale)); err != nil || got != tt.want {
			t.Errorf("%q: %q, %v; want %q", tt.locale, got, err, tt.want)
		}
	}
	if _, err := kf.String("g", "nope"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("missing key: %v", err)
	}
	if _, err := kf.String("nope", "name"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("missing group: %v", err)
	}
}

func TestLocaleVariantsAndUserLocales(t *testing.T) {
	if got, want := LocaleVariants("de_DE.UTF-8@euro"), []string{"de_DE@euro", "de_DE", "de@euro", "de"}; !reflect.DeepEqual(got, want) {
		t.Errorf("variants %q, want %q", got, want)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"LANG": "fr_FR.UTF-8"}, []string{"fr_FR", "fr"}},
		{map[string]string{"LANG": "fr_FR", "LC_ALL": "de_AT"}, []string{"de_AT", "de"}},
		{map[string]string{"LANG": "fr_FR", "LANGUAGE": "it:de"}, []string{"it", "de", "fr_FR", "fr"}},
		{map[string]string{"LANG": "C", "LANGUAGE": "it"}, nil},
		{map[string]string{}, nil},
	}
	for _, tt := range tests {
		if got := UserLocales(env(tt.env)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestKeyFileWriter(t *testing.T) {
	var kf KeyFile
	for _, kv := range [][3]string{{"g", "a", " lead"}, {"g", "b", "x\ny\tz\\"}, {"h", "c[de]", "ä"}} {
		if err := kf.SetString(kv[0], kv[1], kv[2]); err != nil {
			t.Fatal(err)
		}
	}
	want := "[g]\na=\\slead\nb=x\\ny\\tz\\\\\n\n[h]\nc[de]=ä\n"
	if got := string(kf.Bytes()); got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
	for _, bad := range [][3]string{{"a]", "k", "v"}, {"g", "#k", "v"}, {"g", "k=", "v"}, {"g", " k", "v"}, {"g", "k", "\xff"}} {
		if err := kf.SetString(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("SetString%q accepted", bad)
		}
	}
	if err := kf.SetValue("g", "k", "a\nb"); err == nil {
		t.Error("raw value with a newline accepted")
	}
}

// FuzzParseKeyFile checks that the parser never panics and that what the
// writer writes from a parsed file reads back identically.
func FuzzParseKeyFile(f *testing.F) {
	for _, s := range []string{
		"[install]\nrepo_deb_3 = deb http://x.example/m bora extras\npackage = a;b\n",
		"# c\n[g]\nk[de]=v\\s\\n\nk=1\n[g]\nk=2\n",
		"[Desktop Entry]\nType=Application\nMimeType=application/x-install-instructions;\n",
		"[g]\r\nk=\\;a\\\\\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := ParseKeyFile(data)
		if err != nil {
			return
		}
		for _, g := range kf.Groups() {
			for _, k := range kf.Keys(g) {
				kf.String(g, k)
				kf.StringList(g, k)
			}
		}
		out := kf.Bytes()
		back, err := ParseKeyFile(out)
		if err != nil {
			t.Fatalf("written file does not parse: %v\n%q", err, out)
		}
		if !reflect.DeepEqual(back.Groups(), kf.Groups()) {
			t.Fatalf("groups %q, read back %q", kf.Groups(), back.Groups())
		}
		for _, g := range kf.Groups() {
			if !reflect.DeepEqual(back.Keys(g), kf.Keys(g)) {
				t.Fatalf("[%s] keys %q, read back %q", g, kf.Keys(g), back.Keys(g))
			}
			for _, k := range kf.Keys(g) {
				v1, _ := kf.Value(g, k)
				v2, _ := back.Value(g, k)
				if v1 != v2 {
					t.Fatalf("[%s] %s = %q, read back %q", g, k, v1, v2)
				}
			}
		}
		// Every value set with SetString reads back as given.
		var w KeyFile
		for _, g := range kf.Groups() {
			for _, k := range kf.Keys(g) {
				v, _ := kf.Value(g, k)
				if err := w.SetString(g, k, v); err != nil {
					t.Fatalf("SetString(%q, %q, %q): %v", g, k, v, err)
				}
				r, err := ParseKeyFile(w.Bytes())
				if err != nil {
					t.Fatalf("SetString output does not parse: %v", err)
				}
				if got, err := r.String(g, k); err != nil || got != v {
					t.Fatalf("SetString %q read back %q, %v", v, got, err)
				}
			}
		}
	})
}
