package aimconf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		want       Settings
		err        string
	}{
		{name: "empty", text: ""},
		{name: "comments", text: "# a phone\n\n   # indented\n"},
		{name: "every key", text: "architecture = amd64\nforeign-architectures = i386, armhf\ndistribution = fremantle\n" +
			"install-key = repo_deb_5\npackage-trust = Developer\nacknowledge-timeout = 90s\ndocuments-dir = home/user/MyDocs\n" +
			"dbus-allow-users = 1000,alice  bob\ndbus-allow-groups = wheel 27\n",
			want: Settings{Architecture: "amd64", ForeignArchitectures: []string{"i386", "armhf"}, Distribution: "fremantle",
				InstallKey: "repo_deb_5", PackageTrust: "developer", AcknowledgeTimeout: 90 * time.Second,
				DocumentsDir: "home/user/MyDocs", DBusAllowUsers: []string{"1000", "alice", "bob"}, DBusAllowGroups: []string{"wheel", "27"}}},
		{name: "keys are case-insensitive", text: "Architecture=armel\nPACKAGE-TRUST = none\n",
			want: Settings{Architecture: "armel", PackageTrust: "none"}},
		{name: "last wins", text: "distribution = a\ndistribution = b\n", want: Settings{Distribution: "b"}},
		{name: "unknown keys ignored", text: "colour = blue\n"},
		{name: "value with =", text: "install-key = a=b\n", want: Settings{InstallKey: "a=b"}},
		{name: "empty value", text: "documents-dir =\n"},
		{name: "no =", text: "# x\narchitecture amd64\n", err: `2: want "key = value", got "architecture amd64"`},
		{name: "no key", text: " = amd64\n", err: `1: want "key = value"`},
		{name: "bad trust", text: "package-trust = everyone\n", err: `1: package-trust = "everyone": want store, developer or none`},
		{name: "bad duration", text: "\nacknowledge-timeout = soon\n", err: `2: acknowledge-timeout = "soon": want a duration such as 10m`},
		{name: "foreign wildcard", text: "foreign-architectures = i386 any\n", err: `1: foreign-architectures = "i386 any": "any" is not`},
		{name: "foreign all", text: "foreign-architectures = all\n", err: `"all" is not`},
		{name: "foreign linux-any", text: "foreign-architectures = linux-any\n", err: `"linux-any" is a wildcard`},
		{name: "foreign bad name", text: "foreign-architectures = i386,_x\n", err: `invalid architecture name "_x"`},
		{name: "zero duration", text: "acknowledge-timeout = 0s\n", err: "want a duration"},
		{name: "negative duration", text: "acknowledge-timeout = -1m\n", err: "want a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.text))
			if tt.err != "" {
				var e *Error
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &e) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	s, err := Load(root)
	if err != nil || !reflect.DeepEqual(*s, Settings{}) {
		t.Fatalf("missing file: %+v %v", s, err)
	}
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	path := filepath.Join(root, File)
	os.WriteFile(path, []byte("architecture = amd64\n"), 0o644)
	if s, err = Load(root); err != nil || s.Architecture != "amd64" {
		t.Fatalf("load: %+v %v", s, err)
	}
	os.WriteFile(path, []byte("# c\n\npackage-trust = all\n"), 0o644)
	if _, err = Load(root); err == nil || err.Error() != path+`:3: package-trust = "all": want store, developer or none` {
		t.Errorf("bad value: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "architecture = amd64\n", "# c\nx\n", "acknowledge-timeout = 1h\r\n",
		"dbus-allow-users = ,, a\tb\n", "package-trust=STORE", "=\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !strings.Contains(err.Error(), "token too long") {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if s.AcknowledgeTimeout < 0 {
			t.Fatalf("negative timeout %v", s.AcknowledgeTimeout)
		}
		for _, l := range [][]string{s.ForeignArchitectures, s.DBusAllowUsers, s.DBusAllowGroups} {
			for _, v := range l {
				if v == "" || strings.ContainsAny(v, ", \t") {
					t.Fatalf("list item %q", v)
				}
			}
		}
	})
}

func TestForeign(t *testing.T) {
	tests := []struct {
		name, conf, dpkg string // dpkg "-" for no arch file
		want             []string
		err              string
	}{
		{name: "none", dpkg: "-"},
		{name: "aim.conf only", conf: "i386, arm64", dpkg: "-", want: []string{"i386", "arm64"}},
		{name: "dpkg only, native first", dpkg: "amd64\ni386\n", want: []string{"i386"}},
		{name: "both, no duplicates, aim.conf first", conf: "arm64 i386", dpkg: "amd64\ni386\n\narmhf\n",
			want: []string{"arm64", "i386", "armhf"}},
		{name: "native in aim.conf dropped", conf: "amd64, i386", dpkg: "-", want: []string{"i386"}},
		{name: "bad dpkg line", dpkg: "amd64\ni 386\n", err: "var/lib/dpkg/arch:2: "},
		{name: "wildcard in dpkg file", dpkg: "any\n", err: "var/lib/dpkg/arch:1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.dpkg != "-" {
				os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755)
				if err := os.WriteFile(filepath.Join(root, DpkgArchFile), []byte(tt.dpkg), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Parse([]byte("foreign-architectures = " + tt.conf + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Foreign(root, s, "amd64")
			if tt.err != "" {
				var e *Error
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &e) {
					t.Fatalf("error %v, want an *Error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Foreign = %q, want %q", got, tt.want)
			}
		})
	}
}
