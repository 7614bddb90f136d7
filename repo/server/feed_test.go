package server

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func appIDs(apps []App) []string {
	var ids []string
	for _, a := range apps {
		ids = append(ids, a.ID+"="+a.Version+"/"+a.Architecture)
	}
	return ids
}

func TestHello(t *testing.T) {
	_, ts, _ := testServer(t)
	for _, tc := range []struct{ query, status, errPart string }{
		{"architecture=amd64&tag=qt:5.12,platform:desktop", StatusOK, ""},
		{"", StatusOK, ""},
		{"architecture=arm64", StatusOK, ""},
		{"architecture=mips", StatusIncompatibleArch, "mips"},
		{"architecture=all", StatusIncompatibleArch, "all"},
		{"architecture=amd64&tag=qt,Bad-Tag", StatusMalformedTag, `"Bad-Tag"`},
		{"tag=qt:5..1", StatusMalformedTag, `"qt:5..1"`},
	} {
		var h Hello
		getJSON(t, ts.URL+"/api/v1/hello?"+tc.query, 200, &h)
		if h.Status != tc.status || !strings.Contains(h.Error, tc.errPart) || h.Dist != "stable" {
			t.Errorf("hello?%s: %+v, want %s mentioning %s", tc.query, h, tc.status, tc.errPart)
		}
	}
	var h Hello
	getJSON(t, ts.URL+"/api/v1/hello?tag=QT:5.12,qt:5.12.0", 200, &h)
	if !slices.Equal(h.Tags, []string{"qt:5.12"}) || !slices.Equal(h.Architectures, []string{"amd64", "arm64"}) {
		t.Errorf("simplified tags and architectures: %+v", h)
	}
}

func TestApps(t *testing.T) {
	_, ts, _ := testServer(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"architecture=amd64", []string{"conf=1.0/all", "evil=1.0/all", "game=2.0/amd64", "icony=1.0/all"}},
		{"architecture=arm64", []string{"armonly=1.0/arm64", "conf=1.0/all", "evil=1.0/all", "game=1.5/all", "icony=1.0/all"}},
		{"", []string{"armonly=1.0/arm64", "conf=1.0/all", "evil=1.0/all", "game=2.0/amd64", "icony=1.0/all"}},
		{"architecture=amd64&tag=", []string{"conf=1.0/all", "evil=1.0/all", "game=2.0/amd64"}},
		{"architecture=amd64&tag=qt:5.12,platform:desktop", []string{"conf=1.0/all", "evil=1.0/all", "game=2.0/amd64", "icony=1.0/all"}},
		{"architecture=amd64&tag=platform:desktop&tag=qt:5.12", []string{"conf=1.0/all", "evil=1.0/all", "game=2.0/amd64", "icony=1.0/all"}},
		{"architecture=amd64&tag=qt:5.12.0.1,platform:desktop", []string{"conf=1.0/all", "evil=1.0/all", "game=2.0/amd64"}},
		// conf conflicts with qt:5: a device that says qt:5 (or qt) is matched, qt:5.12 is not (the seed's rule).
		{"architecture=amd64&tag=qt:5,platform:desktop", []string{"evil=1.0/all", "game=2.0/amd64", "icony=1.0/all"}},
		{"architecture=amd64&tag=qt", []string{"evil=1.0/all", "game=2.0/amd64"}},
		{"architecture=amd64&tag=qt:6", []string{"conf=1.0/all", "evil=1.0/all", "game=2.0/amd64"}},
		{"architecture=amd64&category=games", []string{"game=2.0/amd64"}},
		{"architecture=amd64&category=GAMES", []string{"game=2.0/amd64"}},
		{"category=ringtones", []string{"evil=1.0/all"}},
		{"category=hidden", nil},
		{"q=ICON+app", []string{"icony=1.0/all"}},
		{"q=" + url.QueryEscape("<zzz>"), nil},
		{"architecture=amd64&q=game&category=games", []string{"game=2.0/amd64"}},
		{"architecture=mips", []string{"conf=1.0/all", "evil=1.0/all", "game=1.5/all", "icony=1.0/all"}},
	} {
		var got struct{ Apps []App }
		getJSON(t, ts.URL+"/api/v1/apps?"+tc.query, 200, &got)
		if ids := appIDs(got.Apps); !slices.Equal(ids, tc.want) {
			t.Errorf("apps?%s:\n got %v\nwant %v", tc.query, ids, tc.want)
		}
	}
	var bad map[string]string
	getJSON(t, ts.URL+"/api/v1/apps?tag=no!", 400, &bad)
	if !strings.Contains(bad["error"], `"no!"`) {
		t.Errorf("malformed tag: %v", bad)
	}
	getJSON(t, ts.URL+"/api/v1/apps?dist=nope", 400, &bad)
}

func TestAppEntry(t *testing.T) {
	_, ts, _ := testServer(t, func(c *Config) { c.BaseURL = "https://apps.example.org/repo/" })
	var a App
	getJSON(t, ts.URL+"/api/v1/apps/icony?architecture=amd64", 200, &a)
	want := App{ID: "icony", Name: "Icon App", Version: "1.0", Architecture: "all", Category: "office", CategoryName: "Office",
		Summary: "icony for tests", Description: "An app that iconys.", InstalledSize: 4096,
		Tags: []string{"platform:desktop", "qt:5.12.0"}, ConflictTags: []string{},
		IconURL:    "https://apps.example.org/repo/api/v1/apps/icony/icon?architecture=amd64",
		InstallURL: "https://apps.example.org/repo/install/icony.install?architecture=amd64"}
	if !strings.HasPrefix(a.DownloadURL, "https://apps.example.org/repo/pool/main/i/icony/icony_1.0_all.deb") || a.Size == 0 || len(a.SHA256) != 64 {
		t.Errorf("download: %+v", a)
	}
	a.DownloadURL, a.Size, a.SHA256 = "", 0, ""
	if !equalApp(a, want) {
		t.Errorf("app:\n got %+v\nwant %+v", a, want)
	}
	getJSON(t, ts.URL+"/api/v1/apps/armonly?architecture=amd64", 404, &map[string]string{})
	getJSON(t, ts.URL+"/api/v1/apps/sys", 404, &map[string]string{})
	getJSON(t, ts.URL+"/api/v1/apps/secret", 404, &map[string]string{})
	getJSON(t, ts.URL+"/api/v1/nothing", 404, &map[string]string{})

	resp, body := get(t, "GET", ts.URL+"/api/v1/apps/icony/icon")
	if resp.StatusCode != 200 || !bytes.Equal(body, testPNG(t)) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("icon: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	if resp, _ := get(t, "GET", ts.URL+"/api/v1/apps/icony/icon", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("icon revalidation: %d", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", ts.URL+"/api/v1/apps/game/icon"); resp.StatusCode != 404 {
		t.Errorf("icon of a package without one: %d", resp.StatusCode)
	}
}

func equalApp(a, b App) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Version == b.Version && a.Architecture == b.Architecture &&
		a.Category == b.Category && a.CategoryName == b.CategoryName && a.Summary == b.Summary &&
		a.Description == b.Description && a.InstalledSize == b.InstalledSize && slices.Equal(a.Tags, b.Tags) &&
		slices.Equal(a.ConflictTags, b.ConflictTags) && a.IconURL == b.IconURL && a.InstallURL == b.InstallURL
}

func TestCategories(t *testing.T) {
	_, ts, _ := testServer(t)
	var got struct{ Categories []CategoryJSON }
	getJSON(t, ts.URL+"/api/v1/categories", 200, &got)
	var ids []string
	for _, c := range got.Categories {
		ids = append(ids, c.ID+":"+c.Name)
	}
	want := []string{"accessories:Accessories", "communication:Communication", "games:Games", "multimedia:Multimedia",
		"office:Office", "other:Other", "programming:Programming", "support:Support", "themes:Themes", "tools:Tools",
		"ringtones:ringtones"}
	if !slices.Equal(ids, want) {
		t.Errorf("categories:\n got %v\nwant %v", ids, want)
	}
}

func TestInstallFile(t *testing.T) {
	_, ts, _ := testServer(t)
	host := strings.TrimPrefix(ts.URL, "http://")
	resp, body := get(t, "GET", ts.URL+"/install/icony.install")
	want := "[install]\ncatalogues=repository\npackage=icony\n\n[repository]\nname=Test Apps\nuri=http://" + host +
		"\ndist=stable\ncomponents=main\nkey_uri=http://" + host + "/key.asc\n"
	if resp.StatusCode != 200 || string(body) != want || resp.Header.Get("Content-Type") != InstallMIMEType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `filename="icony.install"`) {
		t.Errorf("catalogue form: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	_, body = get(t, "GET", ts.URL+"/install/game.install?distribution=bora")
	want = "[install]\nrepo_name=Test Apps\nrepo_deb_3=deb http://" + host + " stable main\npackage=game\nrepo_key_uri=http://" + host + "/key.asc\n"
	if string(body) != want {
		t.Errorf("classic form:\n%s\nwant\n%s", body, want)
	}
	for _, p := range []string{"/install/sys.install", "/install/nope.install", "/install/game.txt", "/install/armonly.install?architecture=amd64"} {
		if resp, _ := get(t, "GET", ts.URL+p); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	if resp := rawGet(t, host, "/install/game.install"); !strings.Contains(resp, "uri=http://x\n") {
		t.Errorf("Host header not used: %s", resp)
	}
}
