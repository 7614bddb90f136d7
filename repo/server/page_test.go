package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/db"
	"aim/repo"
	"aim/repo/sources"
)

func TestPage(t *testing.T) {
	_, ts, _ := testServer(t)
	resp, body := get(t, "GET", ts.URL+"/?architecture=amd64")
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("page: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{
		"<title>Test Apps</title>",
		`<a class="install" href="install/icony.install?architecture=amd64" type="application/x-install-instructions" download="icony.install">Install</a>`,
		`<img src="api/v1/apps/icony/icon?architecture=amd64" width="26" height="26" alt="">`,
		`<a class="deb" href="pool/main/i/icony/icony_1.0_all.deb">.deb</a>`,
		`<span class="name">Icon App</span> <span class="version">1.0</span>`,
		`href="./?architecture=amd64&amp;category=games"`,
		`name="q"`, `<script src="static/page.js"></script>`,
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") || strings.Contains(page, "armonly") {
		t.Errorf("page shows unescaped or foreign content:\n%s", page)
	}
	_, body = get(t, "GET", ts.URL+"/?category=games&q=%3Cb%3E")
	if !strings.Contains(string(body), `value="&lt;b&gt;"`) || !strings.Contains(string(body), "No apps found.") {
		t.Errorf("search echo not escaped or results wrong:\n%s", body)
	}
	_, body = get(t, "GET", ts.URL+"/?category=games")
	if !strings.Contains(string(body), "1 app<") || !strings.Contains(string(body), `class="current">Games</a>`) {
		t.Errorf("category page:\n%s", body)
	}
	if resp, js := get(t, "GET", ts.URL+"/static/page.js"); resp.StatusCode != 200 || !strings.Contains(string(js), "addEventListener") {
		t.Errorf("page.js: %d", resp.StatusCode)
	}
}

// TestUpdateThroughServer: aim's own updater reads the served repository
// and verifies it with the served key.
func TestUpdateThroughServer(t *testing.T) {
	_, ts, _ := testServer(t)
	root := t.TempDir()
	_, key := get(t, "GET", ts.URL+"/key.asc")
	os.MkdirAll(filepath.Join(root, "etc/aim/keyrings"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "etc/aim/keyrings/test.asc"), key, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := sources.ParseLine("deb [signed-by=/etc/aim/keyrings/test.asc] " + ts.URL + " stable main")
	if err != nil {
		t.Fatal(err)
	}
	src.Name = "test"
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u := &repo.Updater{Root: root, DB: d, Fetcher: repo.NewFetcher(), Arch: "amd64"}
	res, err := u.Update(context.Background(), []sources.Source{*src})
	if err != nil || len(res) != 1 || res[0].Err != nil || res[0].Indexes == 0 {
		t.Fatalf("update: %+v %v", res, err)
	}
	res, err = u.Update(context.Background(), []sources.Source{*src})
	if err != nil || !res[0].Unchanged {
		t.Errorf("second update: %+v %v", res, err)
	}
}
