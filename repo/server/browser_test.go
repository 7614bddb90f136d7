package server

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/repo/installfile"
)

// TestBrowserDownloadsPage drives the Downloads page in headless Chromium
// (through chromedriver's WebDriver API) the way a person does: on a
// phone-sized window it searches as they type, opens an app, checks its
// Install link and downloads the .install file by clicking it; on a
// desktop window without JavaScript it searches through the form and
// browses a category. Screenshots of both are saved as test artifacts.
func TestBrowserDownloadsPage(t *testing.T) {
	d := startDriver(t)
	_, ts, _ := testServer(t)
	t.Run("phone", func(t *testing.T) { browsePhone(t, d, ts.URL) })
	t.Run("desktop-no-javascript", func(t *testing.T) { browseWithoutScript(t, d, ts.URL) })
}

// amd64Apps are the apps the test repository lists for amd64, in page
// order.
var amd64Apps = []string{"app-conf", "app-evil", "app-game", "app-icony"}

// shownApps returns the ids of the app entries the page shows.
func shownApps(b *browser) []string {
	b.t.Helper()
	var out []string
	for _, e := range b.findAll("li.app") {
		if e.displayed() {
			out = append(out, e.attr("id"))
		}
	}
	slices.Sort(out)
	return out
}

func browsePhone(t *testing.T, d *driver, base string) {
	dl := t.TempDir()
	b := d.newBrowser(t, browserOptions{width: 412, height: 915, mobile: true, downloads: dl})
	b.open(base + "/?architecture=amd64")
	if got := shownApps(b); !slices.Equal(got, amd64Apps) {
		t.Fatalf("apps shown: %v, want %v", got, amd64Apps)
	}
	checkRendering(t, b, 412)
	b.screenshot("downloads-phone.png")

	// Typing filters the list at once, without a reload.
	b.find("#q").typeText("ICON")
	if got := shownApps(b); !slices.Equal(got, []string{"app-icony"}) {
		t.Errorf("apps shown after typing ICON: %v", got)
	}
	if c := b.find("#count").text(); c != "1 app" {
		t.Errorf("count after typing: %q", c)
	}
	if u := b.url(); strings.Contains(u, "q=") {
		t.Errorf("typing reloaded the page: %s", u)
	}

	// Opening the app shows its description.
	desc := b.find("#app-icony .description")
	if desc.displayed() {
		t.Errorf("description shown before the app is opened")
	}
	b.find("#app-icony summary").click()
	if !desc.displayed() || !strings.Contains(desc.text(), "An app that iconys.") {
		t.Errorf("opened app: description %q shown=%v", desc.text(), desc.displayed())
	}
	if name := b.find("#app-icony .name").text(); name != "Icon App" {
		t.Errorf("app name %q", name)
	}
	b.screenshot("downloads-phone-search.png")

	// The Install link points at the server's .install file; clicking it
	// downloads one that aim can read.
	inst := b.find("#app-icony a.install")
	href := inst.prop("href")
	u, err := url.Parse(href)
	if err != nil || u.Path != "/install/icony.install" || !strings.HasPrefix(href, base+"/") {
		t.Fatalf("Install link %q, want %s/install/icony.install", href, base)
	}
	if inst.attr("type") != InstallMIMEType {
		t.Errorf("Install link type %q", inst.attr("type"))
	}
	inst.click()
	saved := filepath.Join(dl, "icony.install")
	if err := waitFor(10*time.Second, func() bool { _, err := os.Stat(saved); return err == nil }); err != nil {
		t.Fatalf("clicking Install downloaded no %s: %v", saved, err)
	}
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	checkInstallFile(t, data, base, "icony")
	resp, body := get(t, "GET", href)
	if ct := resp.Header.Get("Content-Type"); ct != InstallMIMEType || string(body) != string(data) {
		t.Errorf("GET %s: %s, %q; the browser saved %q", href, ct, body, data)
	}
	for _, e := range b.consoleLog() {
		if e.Level == "SEVERE" || e.Level == "WARNING" {
			t.Errorf("browser console: %s %s", e.Level, e.Message)
		}
	}
}

func browseWithoutScript(t *testing.T, d *driver, base string) {
	b := d.newBrowser(t, browserOptions{width: 1280, height: 900, noScript: true})
	b.open(base + "/?architecture=amd64")
	checkRendering(t, b, 1280)
	b.screenshot("downloads-desktop.png")

	// Typing does nothing without JavaScript; submitting the form asks the
	// server, which lists only the matches and keeps the architecture.
	b.find("#q").typeText("game")
	if got := shownApps(b); !slices.Equal(got, amd64Apps) {
		t.Errorf("without JavaScript typing changed the list: %v", got)
	}
	b.find(`form[role=search] button[type=submit]`).click()
	// The click starts a navigation; wait until the browser is on the new page.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !strings.Contains(b.url(), "q="); {
		time.Sleep(50 * time.Millisecond)
	}
	u, err := url.Parse(b.url())
	if err != nil || u.Query().Get("q") != "game" || u.Query().Get("architecture") != "amd64" {
		t.Fatalf("form submitted to %s", b.url())
	}
	if n := len(b.findAll("li.app")); n != 1 || len(b.findAll("#app-game")) != 1 {
		t.Errorf("server search for game lists %d apps: %v", n, shownApps(b))
	}
	if c := b.find("#count").text(); c != "1 app" {
		t.Errorf("count after search: %q", c)
	}
	if v := b.find("#q").prop("value"); v != "game" {
		t.Errorf("search box after submit holds %q", v)
	}
	// A category link narrows the list to that category.
	for _, a := range b.findAll("nav a") {
		if a.text() == "Office" {
			a.click()
			break
		}
	}
	if got := shownApps(b); !slices.Equal(got, []string{"app-icony"}) {
		t.Errorf("Office category shows %v (url %s)", got, b.url())
	}
	if cur := b.find("nav a.current").text(); cur != "Office" {
		t.Errorf("current category %q", cur)
	}
	if href := b.find("#app-icony a.install").prop("href"); !strings.HasPrefix(href, base+"/install/icony.install") {
		t.Errorf("Install link without JavaScript: %s", href)
	}
}

// checkRendering checks what a screenshot cannot be trusted to show: the
// stylesheet and icons loaded, nothing is wider than the window, the
// Install buttons are big enough to tap, and hostile names stayed text.
func checkRendering(t *testing.T, b *browser, width int) {
	t.Helper()
	var r struct {
		ScrollWidth  int     `json:"scrollWidth"`
		HeaderBg     string  `json:"headerBg"`
		IconWidth    int     `json:"iconWidth"`
		InstallH     float64 `json:"installH"`
		InstallW     float64 `json:"installW"`
		Injected     int     `json:"injected"`
		EvilName     string  `json:"evilName"`
		SearchHeight float64 `json:"searchHeight"`
	}
	b.script(`var i = document.querySelector("#app-icony a.install").getBoundingClientRect();
return {scrollWidth: document.documentElement.scrollWidth,
 headerBg: getComputedStyle(document.querySelector("header")).backgroundColor,
 iconWidth: document.querySelector("#app-icony img").naturalWidth,
 installH: i.height, installW: i.width,
 injected: document.querySelectorAll("img[src=x], main script").length,
 evilName: document.querySelector("#app-evil .name").textContent,
 searchHeight: document.getElementById("q").getBoundingClientRect().height};`, &r)
	if r.ScrollWidth > width {
		t.Errorf("page is %dpx wide in a %dpx window", r.ScrollWidth, width)
	}
	if r.HeaderBg == "" || r.HeaderBg == "rgba(0, 0, 0, 0)" {
		t.Errorf("stylesheet not applied: header background %q", r.HeaderBg)
	}
	if r.IconWidth != 26 {
		t.Errorf("icon not loaded: natural width %d", r.IconWidth)
	}
	if r.InstallH < 32 || r.InstallW < 48 || r.SearchHeight < 32 {
		t.Errorf("controls too small to tap: Install %.0fx%.0f, search box height %.0f", r.InstallW, r.InstallH, r.SearchHeight)
	}
	if r.Injected != 0 || !strings.HasPrefix(r.EvilName, "<script>") {
		t.Errorf("hostile name not shown as text: %d injected elements, name %q", r.Injected, r.EvilName)
	}
}

// checkInstallFile parses a served .install file the way aim open does
// and checks it installs id from the repository at base.
func checkInstallFile(t *testing.T, data []byte, base, id string) {
	t.Helper()
	in, err := installfile.Parse(data, installfile.Options{Distribution: "stable"})
	if err != nil {
		t.Fatalf("parse .install: %v\n%s", err, data)
	}
	if !slices.Equal(in.Packages, []string{id}) || len(in.Catalogues) != 1 {
		t.Fatalf(".install asks for %v from %d catalogues:\n%s", in.Packages, len(in.Catalogues), data)
	}
	c := in.Catalogues[0]
	if c.URI != base || c.Suite("") != "stable" || !slices.Equal(c.Components, []string{"main"}) || c.KeyURI != base+"/key.asc" {
		t.Errorf(".install catalogue %+v", c)
	}
}
