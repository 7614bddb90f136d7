package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sourcesFixture copies repo's sources test root into a temporary root.
func sourcesFixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	src := "../../repo/sources/testdata/basic"
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return writeTestFile(filepath.Join(root, rel), string(data))
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func writeTestFile(name, data string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, []byte(data), 0o644)
}

const sourceListGolden = `NAME       ENABLED  TYPES        URI                                                      SUITE               COMPONENTS              FILE
sources:2  yes      deb          http://deb.example.org/debian                            bookworm            main,contrib            /etc/aim/sources.list:2
sources:3  yes      deb-src      http://deb.example.org/debian                            bookworm            main                    /etc/aim/sources.list:3
sources:4  no       deb          http://deb.example.org/debian                            bookworm-backports  main                    /etc/aim/sources.list:4
sources:6  yes      deb          https://apps.example.com/apt                             stable              user                    /etc/aim/sources.list:6
sources:7  yes      deb          file:/srv/local-repo                                     ./                  -                       /etc/aim/sources.list:7
apps       yes      deb          https://apps.example.net/debian                          stable,testing      main                    /etc/aim/sources.list.d/apps.sources:2
bad:2      yes      deb          http://ok.example.org/debian                             stable              main                    /etc/aim/sources.list.d/bad.list:2
broken:2   yes      deb          http://good.example.org/debian                           flat/               -                       /etc/aim/sources.list.d/broken.sources:5
multi:1    yes      deb,deb-src  http://a.example.org/debian,http://b.example.org/debian  bookworm            main,non-free-firmware  /etc/aim/sources.list.d/multi.sources:1
multi:2    no       deb          http://c.example.org/debian                              sid                 main                    /etc/aim/sources.list.d/multi.sources:7
`

const sourceListErrorsGolden = `aim: /etc/aim/sources.list.d/bad.list:1: unsupported URI scheme "cdrom" in "cdrom:[Debian" (aim reads http, https and file)
aim: /etc/aim/sources.list.d/bad.list:3: suite "stable" needs a component (or a final "/" for a flat repository)
aim: /etc/aim/sources.list.d/bad.list:4: flat suite "./" (ending in "/") takes no components
aim: /etc/aim/sources.list.d/bad.list:5: missing "]" after options
aim: /etc/aim/sources.list.d/bad.list:6: unknown type "foo" (expected deb or deb-src)
aim: /etc/aim/sources.list.d/bad.list:7: unsupported URI scheme "mirror+http" in "mirror+http://mirror.example.org/list" (aim reads http, https and file)
aim: /etc/aim/sources.list.d/bad.list:8: signed-by keyring /etc/aim/keyrings/missing.gpg does not exist
aim: /etc/aim/sources.list.d/bad.list:9: option arch: invalid architecture name "x_y": character '_' not allowed
aim: /etc/aim/sources.list.d/broken.sources:2: invalid character ' ' in field name "URIs http"
aim: /etc/aim/sources.list.d/broken.sources:10: URIs: unsupported URI scheme "tor+http" in "tor+http://hidden.example.onion/debian" (aim reads http, https and file)
`

func TestSourceList(t *testing.T) {
	root := sourcesFixture(t)
	code, out, errs := runAim("", "source", "list", "--root", root)
	if code != 1 || out != sourceListGolden || errs != sourceListErrorsGolden {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	code, out, _ = runAim("", "--json", "source", "list", "--root", root)
	var got sourceListJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(got.Sources) != 10 || len(got.Errors) != 10 {
		t.Fatalf("%d sources, %d errors", len(got.Sources), len(got.Errors))
	}
	apps, flat, first := got.Sources[5], got.Sources[4], got.Errors[0]
	if apps.Name != "apps" || !apps.InlineKey || apps.Format != "deb822" || len(apps.Architectures) != 1 ||
		!flat.Trusted || flat.Components == nil || len(flat.Components) != 0 ||
		first.File != "/etc/aim/sources.list.d/bad.list" || first.Line != 1 || first.Name != "bad:1" || !strings.HasPrefix(first.Message, "unsupported URI scheme") {
		t.Errorf("apps %+v\nflat %+v\nfirst error %+v", apps, flat, first)
	}
	if code, out, errs := runAim("", "source", "list", "--root", t.TempDir()); code != 0 || out != "no sources\n" || errs != "" {
		t.Errorf("empty root: exit %d, %q, %q", code, out, errs)
	}
}

// TestSourceLifecycle adds, disables, enables and removes a source and
// checks each transcript.
func TestSourceLifecycle(t *testing.T) {
	root := t.TempDir()
	steps := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"source", "add", "deb", "[arch=amd64]", "https://apps.example.org/debian", "stable", "main"}, 0,
			"added source apps.example.org-stable (/etc/aim/sources.list.d/apps.example.org-stable.sources:1)\n", ""},
		{[]string{"source", "add", "deb https://apps.example.org/debian/ stable main contrib", "--name", "again"}, 1, "",
			"aim: https://apps.example.org/debian/ stable is already configured as source apps.example.org-stable (/etc/aim/sources.list.d/apps.example.org-stable.sources:1)\n"},
		{[]string{"source", "add", "deb-src https://apps.example.org/debian stable main", "--name", "apps-src"}, 0,
			"added source apps-src (/etc/aim/sources.list.d/apps-src.sources:1)\n", ""},
		{[]string{"source", "disable", "https://apps.example.org/debian"}, 0,
			"disabled source apps-src (/etc/aim/sources.list.d/apps-src.sources:1)\n" +
				"disabled source apps.example.org-stable (/etc/aim/sources.list.d/apps.example.org-stable.sources:1)\n", ""},
		{[]string{"source", "list"}, 0,
			"NAME                     ENABLED  TYPES    URI                              SUITE   COMPONENTS  FILE\n" +
				"apps-src                 no       deb-src  https://apps.example.org/debian  stable  main        /etc/aim/sources.list.d/apps-src.sources:1\n" +
				"apps.example.org-stable  no       deb      https://apps.example.org/debian  stable  main        /etc/aim/sources.list.d/apps.example.org-stable.sources:1\n", ""},
		{[]string{"source", "enable", "apps-src", "apps-src"}, 0,
			"enabled source apps-src (/etc/aim/sources.list.d/apps-src.sources:1)\n" +
				"source apps-src (/etc/aim/sources.list.d/apps-src.sources:1) is already enabled\n", ""},
		{[]string{"-q", "source", "remove", "apps.example.org-stable"}, 0, "", ""},
		{[]string{"source", "remove", "apps.example.org-stable"}, 1, "", "aim: source \"apps.example.org-stable\": no such source\n"},
		{[]string{"--json", "source", "remove", "apps-src"}, 0,
			"{\n  \"removed\": [\n    {\n      \"name\": \"apps-src\",\n      \"file\": \"/etc/aim/sources.list.d/apps-src.sources\",\n      \"line\": 1,\n      \"changed\": true\n    }\n  ]\n}\n", ""},
		{[]string{"source", "list"}, 0, "no sources\n", ""},
	}
	for _, s := range steps {
		code, out, errs := runAim("", append(s.args, "--root", root)...)
		if code != s.code || out != s.out || errs != s.err {
			t.Errorf("aim %q: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\n%s\n%s", s.args, code, out, errs, s.code, s.out, s.err)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(root, "etc/aim/sources.list.d"))
	if len(ents) != 0 {
		t.Errorf("%d files left in sources.list.d", len(ents))
	}
}

func TestSourceAddFileAndKey(t *testing.T) {
	root := t.TempDir()
	dir := t.TempDir()
	good := filepath.Join(dir, "vendor.sources")
	bad := filepath.Join(dir, "bad.list")
	if err := writeTestFile(good, "Types: deb\nURIs: http://vendor.example.com/apt\nSuites: stable\nComponents: main\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeTestFile(bad, "deb ftp://x.example/ s main\ndeb http://ok.example/ s main\nrpm http://x.example/ s main\n"); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runAim("", "source", "add", good, "--root", root); code != 0 || out != "added source vendor (/etc/aim/sources.list.d/vendor.sources:1)\n" {
		t.Errorf("add file: exit %d, %q, %q", code, out, errs)
	}
	code, _, errs := runAim("", "source", "add", bad, "--root", root)
	wantErrs := "aim: " + bad + ":1: unsupported URI scheme \"ftp\" in \"ftp://x.example/\" (aim reads http, https and file)\n" +
		"aim: " + bad + ":3: unknown type \"rpm\" (expected deb or deb-src)\n"
	if code != 1 || errs != wantErrs {
		t.Errorf("add bad file: exit %d, stderr:\n%s\nwant\n%s", code, errs, wantErrs)
	}
	code, out, errs := runAim("", "--json", "source", "add", "deb https://k.example/apt stable main", "--signed-by", "../../testdata/keys/ed25519.asc", "--root", root)
	var got struct{ Added []sourceJSON }
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("add with key: exit %d, %v, %s %s", code, err, out, errs)
	}
	if len(got.Added) != 1 || strings.Join(got.Added[0].SignedBy, ",") != "/etc/aim/keyrings/k.example-stable.asc" {
		t.Errorf("added %+v", got.Added)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/k.example-stable.asc")); err != nil {
		t.Error(err)
	}
	for _, args := range [][]string{
		{"source", "add"},
		{"source", "add", "a", "b"},
		{"source", "enable"},
		{"source", "list", "x"},
	} {
		if code, _, errs := runAim("", append(args, "--root", root)...); code != 2 || !strings.HasPrefix(errs, "aim: ") {
			t.Errorf("aim %q: exit %d, %q; want usage error", args, code, errs)
		}
	}
	if code, _, errs := runAim("", "source", "add", filepath.Join(dir, "missing.list"), "--root", root); code != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d, %q", code, errs)
	}
}

// TestSourceAddMistypedLine checks that a mistyped source line is not
// taken as a file name.
func TestSourceAddMistypedLine(t *testing.T) {
	_, errs, code := aim(t, "--root", t.TempDir(), "source", "add", "dbe file:///srv/repo stable main")
	if code != 2 || !strings.Contains(errs, "does not start with deb or deb-src") {
		t.Errorf("exit %d, %q", code, errs)
	}
}
