package sources

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const basicRoot = "testdata/basic"

func TestLoadSources(t *testing.T) {
	srcs, err := Load(basicRoot, "")
	var got []string
	for _, s := range srcs {
		got = append(got, s.Name+" "+s.File+":"+strconv.Itoa(s.Line)+" "+strings.Join(s.URIs, ",")+" "+onOff(s.Enabled))
	}
	want := []string{
		"sources:2 /etc/aim/sources.list:2 http://deb.example.org/debian on",
		"sources:3 /etc/aim/sources.list:3 http://deb.example.org/debian on",
		"sources:4 /etc/aim/sources.list:4 http://deb.example.org/debian off",
		"sources:6 /etc/aim/sources.list:6 https://apps.example.com/apt on",
		"sources:7 /etc/aim/sources.list:7 file:/srv/local-repo on",
		"apps /etc/aim/sources.list.d/apps.sources:2 https://apps.example.net/debian on",
		"bad:2 /etc/aim/sources.list.d/bad.list:2 http://ok.example.org/debian on",
		"broken:2 /etc/aim/sources.list.d/broken.sources:5 http://good.example.org/debian on",
		"multi:1 /etc/aim/sources.list.d/multi.sources:1 http://a.example.org/debian,http://b.example.org/debian on",
		"multi:2 /etc/aim/sources.list.d/multi.sources:7 http://c.example.org/debian off",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sources:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantErrs := []string{
		`/etc/aim/sources.list.d/bad.list:1: unsupported URI scheme "cdrom" in "cdrom:[Debian" (aim reads http, https and file)`,
		`/etc/aim/sources.list.d/bad.list:3: suite "stable" needs a component (or a final "/" for a flat repository)`,
		`/etc/aim/sources.list.d/bad.list:4: flat suite "./" (ending in "/") takes no components`,
		`/etc/aim/sources.list.d/bad.list:5: missing "]" after options`,
		`/etc/aim/sources.list.d/bad.list:6: unknown type "foo" (expected deb or deb-src)`,
		`/etc/aim/sources.list.d/bad.list:7: unsupported URI scheme "mirror+http" in "mirror+http://mirror.example.org/list" (aim reads http, https and file)`,
		`/etc/aim/sources.list.d/bad.list:8: signed-by keyring /etc/aim/keyrings/missing.gpg does not exist`,
		`/etc/aim/sources.list.d/bad.list:9: option arch: invalid architecture name "x_y": character '_' not allowed`,
		`/etc/aim/sources.list.d/broken.sources:2: invalid character ' ' in field name "URIs http"`,
		`/etc/aim/sources.list.d/broken.sources:10: URIs: unsupported URI scheme "tor+http" in "tor+http://hidden.example.onion/debian" (aim reads http, https and file)`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	var se *Error
	if !errors.As(err, &se) || se.File != "/etc/aim/sources.list.d/bad.list" || se.Line != 1 || se.Name != "bad:1" {
		t.Errorf("errors.As: %#v", se)
	}
}

func TestLoadSourcesDetails(t *testing.T) {
	srcs, _ := Load(basicRoot, "")
	apps := Find(srcs, "apps")
	if len(apps) != 1 || !strings.HasPrefix(apps[0].SignedBy.Key, armorPublicBegin+"\n\n") ||
		apps[0].Extra[0].Name != "X-Repolib-Name" || !reflect.DeepEqual(apps[0].Suites, []string{"stable", "testing"}) {
		t.Errorf("apps: %+v", apps)
	}
	if s := Find(srcs, "sources:7"); len(s) != 1 || !s[0].Trusted {
		t.Errorf("sources:7: %+v", s)
	}
	if s := Find(srcs, "http://deb.example.org/debian/"); len(s) != 3 {
		t.Errorf("by URI: %d sources, want 3", len(s))
	}
	if s := Find(srcs, "nope"); len(s) != 0 {
		t.Errorf("nope: %+v", s)
	}
}

func TestLoadSourcesMissing(t *testing.T) {
	srcs, err := Load(t.TempDir(), "")
	if srcs != nil || err != nil {
		t.Errorf("empty root: %v, %v", srcs, err)
	}
}

func TestLoadSourcesUnreadable(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, Dir)
	mustWrite(t, filepath.Join(dir, "a.list"), "deb http://a.example/d s main\n")
	if err := os.Mkdir(filepath.Join(dir, "b.list"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "c.sources"), strings.Repeat("#", maxSourcesFileSize+1))
	mustWrite(t, filepath.Join(dir, "d.list"), "deb http://d.example/d s main\n")
	srcs, err := Load(root, "")
	if len(srcs) != 2 || srcs[0].Name != "a:1" || srcs[1].Name != "d:1" {
		t.Errorf("sources %+v", srcs)
	}
	want := "/etc/aim/sources.list.d/b.list: not a regular file\n/etc/aim/sources.list.d/c.sources: larger than 4194304 bytes"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestSourceNames(t *testing.T) {
	one, _ := ParseDeb822("/etc/aim/sources.list.d/one.sources", []byte("# c\n\nTypes: deb\nURIs: http://h/\nSuites: s/\n\n# trailing\n"))
	if len(one) != 1 || one[0].Name != "one" || one[0].Line != 3 {
		t.Errorf("one paragraph: %+v", one)
	}
	list, _ := ParseList("/etc/aim/sources.list.d/my.repo.list", []byte("\n#deb http://h/ s/\n## deb-src http://h/ s/\n"))
	if len(list) != 2 || list[0].Name != "my.repo:2" || list[1].Name != "my.repo:3" || list[0].Enabled || list[1].Types[0] != "deb-src" {
		t.Errorf("list: %+v", list)
	}
}

func mustWrite(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
