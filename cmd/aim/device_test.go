package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
	"aim/install/aimconf"
	"aim/repo/pgp"
	"aim/repo/publish"
	"aim/repo/server"
)

// deviceApp is a package of the device test's repository.
type deviceApp struct {
	name, version, arch, section string
	tags, conflictTags           string // Aim-Tags, Aim-Conflict-Tags
}

// deviceApps mixes architectures, tags and conflict tags. A device of
// architecture amd64 with tags qt:5.12 and platform:phone is offered
// exactly deviceOffer.
var deviceApps = []deviceApp{
	{"atlas", "1.0", "amd64", "user/office", "qt:5.12.0", ""},
	{"atlas", "1.2", "amd64", "user/office", "qt:5.12.0", ""},                   // the newest build
	{"board", "1.0", "arm64", "user/games", "", ""},                             // another architecture
	{"clock", "1.0", "all", "user/tools", "platform:phone", ""},                 // any architecture
	{"dice", "1.0", "amd64", "user/games", "", ""},                              // native beats all...
	{"dice", "2.0", "all", "user/games", "", ""},                                // ...even when newer
	{"easel", "1.0", "all", "user/office", "platform:desktop", ""},              // a tag the device lacks
	{"fax", "1.0", "all", "user/tools", "", "platform:phone"},                   // conflicts with the device
	{"gauge", "1.0", "amd64", "user/tools", "qt:6", ""},                         // needs another qt
	{"hydra", "1.0", "all", "user/tools", "", "qt:6"},                           // conflicts with another qt
	{"ink", "1.0", "all", "libs", "", ""},                                       // not a user package
	{"jot", "1.0", "all", "user/office", "", ""},                                // no tags: fits all
	{"kite", "1.0", "amd64", "user/hidden", "", ""},                             // hidden
	{"lens", "1.0", "amd64", "user/multimedia", "platform:phone,qt:5.12.3", ""}, // every tag matched
}

// deviceOffer is what the feed lists for the device, as id=version/arch.
var deviceOffer = []string{"atlas=1.2/amd64", "clock=1.0/all", "dice=1.0/amd64", "hydra=1.0/all", "jot=1.0/all", "lens=1.0/amd64"}

// deviceTags are the tags the device asks the feed with.
const deviceTags = "qt:5.12,platform:phone"

// buildDeviceApp builds a into dir: an executable usr/bin/NAME and a
// data file, with the tag fields in its control data.
func buildDeviceApp(t *testing.T, dir string, a deviceApp) string {
	t.Helper()
	p := &deb.Paragraph{}
	p.Set("Package", a.name)
	p.Set("Version", a.version)
	p.Set("Architecture", a.arch)
	p.Set("Maintainer", "T <t@example.org>")
	p.Set("Section", a.section)
	p.Set("Installed-Size", "4")
	if a.tags != "" {
		p.Set("Aim-Tags", a.tags)
	}
	if a.conflictTags != "" {
		p.Set("Aim-Conflict-Tags", a.conflictTags)
	}
	p.Set("Description", a.name+" for devices\n The "+a.name+" app, built for "+a.arch+".")
	fsys := fstest.MapFS{
		"DEBIAN/control":                 {Data: []byte(p.String()), Mode: 0o644},
		"usr/bin/" + a.name:              {Data: []byte("#!/bin/sh\necho " + a.name + " " + a.version + "\n"), Mode: 0o755},
		"usr/share/" + a.name + "/about": {Data: []byte(a.name + " " + a.version + " " + a.arch + "\n"), Mode: 0o644},
	}
	for _, d := range []string{"DEBIAN", "usr", "usr/bin", "usr/share", "usr/share/" + a.name} {
		fsys[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	}
	epoch := time.Unix(1700000000, 0)
	var b bytes.Buffer
	if _, err := deb.Build(fsys, &b, deb.BuildOptions{Compression: deb.Gzip, SourceDateEpoch: &epoch}); err != nil {
		t.Fatalf("build %s: %v", a.name, err)
	}
	out := filepath.Join(dir, a.name+"_"+a.version+"_"+a.arch+".deb")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// deviceRepo publishes deviceApps, signed with the test key, for amd64
// and arm64, and returns the repository's directory.
func deviceRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := publish.Init(dir, publish.Settings{Dists: []string{"stable"}, Components: []string{"main"},
		Architectures: []string{"amd64", "arm64"}, Label: "Device Apps"}); err != nil {
		t.Fatal(err)
	}
	debs := t.TempDir()
	var files []string
	for _, a := range deviceApps {
		files = append(files, buildDeviceApp(t, debs, a))
	}
	r, err := publish.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Add(files, publish.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	signer, err := pgp.LoadSigner(repoTestKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(publish.Options{Signer: signer, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// feedGet is what a Downloads app on the device does: a plain GET of a
// feed URL, decoded into v.
func feedGet(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %s %s\n%s", u, resp.Status, resp.Header.Get("Content-Type"), body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", u, err, body)
	}
}

// TestDeviceEndToEnd is the device's story: a deployment server hosts
// apps of several architectures and tags; a device of architecture amd64
// asks the feed which apps fit it, gets exactly those, opens the first
// one's .install URL with aim and has it installed, verified and listed.
func TestDeviceEndToEnd(t *testing.T) {
	srv, err := server.New(server.Config{Dir: deviceRepo(t), Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	root := emptyDeviceRoot(t)
	arch := deviceArch(t, root)
	query := "architecture=" + url.QueryEscape(arch) + "&tag=" + url.QueryEscape(deviceTags)

	var hello server.Hello
	feedGet(t, hs.URL+"/api/v1/hello?"+query, &hello)
	if hello.Status != server.StatusOK || !slices.Equal(hello.Tags, []string{"platform:phone", "qt:5.12"}) ||
		!slices.Contains(hello.Architectures, "amd64") {
		t.Fatalf("hello: %+v", hello)
	}
	var other server.Hello
	feedGet(t, hs.URL+"/api/v1/hello?architecture=armhf&tag="+url.QueryEscape(deviceTags), &other)
	if other.Status != server.StatusIncompatibleArch {
		t.Errorf("hello for armhf: %+v", other)
	}

	var feed struct{ Apps []server.App }
	feedGet(t, hs.URL+"/api/v1/apps?"+query, &feed)
	var got []string
	for _, a := range feed.Apps {
		got = append(got, fmt.Sprintf("%s=%s/%s", a.ID, a.Version, a.Architecture))
	}
	if !slices.Equal(got, deviceOffer) {
		t.Fatalf("apps for %s and %s:\n got %v\nwant %v", arch, deviceTags, got, deviceOffer)
	}
	// The same tags in another order, case and spelling give the same list.
	var again struct{ Apps []server.App }
	feedGet(t, hs.URL+"/api/v1/apps?architecture=amd64&tag=PLATFORM:PHONE&tag="+url.QueryEscape("qt:5.12.0,qt:5.12"), &again)
	if len(again.Apps) != len(feed.Apps) {
		t.Errorf("reordered tags: %d apps, want %d", len(again.Apps), len(feed.Apps))
	}
	first := feed.Apps[0]
	if !strings.HasPrefix(first.InstallURL, hs.URL+"/install/atlas.install") || !slices.Equal(first.Tags, []string{"qt:5.12.0"}) {
		t.Fatalf("first app: %+v", first)
	}

	out, errs, code := aim(t, "open", "--root", root, "-y", "--scripts-chrootless", "--trust-key", deviceKeyFingerprint(t), first.InstallURL)
	if code != 0 || !strings.Contains(out, "Done: 1 installed") {
		t.Fatalf("aim open %s: exit %d\n%s%s", first.InstallURL, code, out, errs)
	}
	if b, err := os.ReadFile(filepath.Join(root, "usr/share/atlas/about")); err != nil || string(b) != "atlas 1.2 amd64\n" {
		t.Errorf("installed atlas: %q %v", b, err)
	}
	files := aimOK(t, "--root", root, "files", "atlas")
	for _, want := range []string{"/usr/bin/atlas\n", "/usr/share/atlas/about\n"} {
		if !strings.Contains(files, want) {
			t.Errorf("aim files atlas lacks %s:\n%s", want, files)
		}
	}
	if out, errs, code := aim(t, "--root", root, "verify"); code != 0 {
		t.Errorf("aim verify: exit %d\n%s%s", code, out, errs)
	}
	list := aimOK(t, "--root", root, "list", "--user")
	if !strings.Contains(list, "atlas/stable 1.2 amd64 [installed]") {
		t.Errorf("aim list --user:\n%s", list)
	}
	// Only the opened app was installed: the rest of the offer is not.
	for _, other := range []string{"clock", "dice", "board"} {
		if _, err := os.Stat(filepath.Join(root, "usr/bin", other)); !os.IsNotExist(err) {
			t.Errorf("%s installed too: %v", other, err)
		}
	}
}

// emptyDeviceRoot returns a device root whose aim.conf sets its
// architecture to amd64.
func emptyDeviceRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("# a phone\narchitecture = amd64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// deviceArch reads the architecture from the root's aim.conf, as a
// Downloads app on the device would before asking the feed.
func deviceArch(t *testing.T, root string) string {
	t.Helper()
	cfg, err := aimconf.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Architecture
}

// deviceKeyFingerprint is the fingerprint of the repository's test key,
// the one a user checks before trusting it.
func deviceKeyFingerprint(t *testing.T) string {
	t.Helper()
	kr, err := pgp.LoadKeyring("../../testdata/keys/ed25519.asc")
	if err != nil {
		t.Fatal(err)
	}
	return kr.Keys()[0].Fingerprint
}
