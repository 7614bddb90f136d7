package server

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"aim/deb"
	"aim/repo/pgp"
	"aim/repo/publish"
)

const testKey = "../../testdata/keys/ed25519.secret.asc"

// testToken is the upload token of test servers.
const testToken = "0123456789abcdef-test-token"

// testPNG is a 26x26 icon.
func testPNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 26, 26))
	img.Set(3, 3, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pkgSpec describes a test package: its control fields beyond the
// required ones.
type pkgSpec struct {
	name, version, arch, section string
	fields                       [][2]string
}

// buildDeb builds spec into dir and returns its path.
func buildDeb(t testing.TB, dir string, spec pkgSpec) string {
	t.Helper()
	p := &deb.Paragraph{}
	p.Set("Package", spec.name)
	p.Set("Version", spec.version)
	p.Set("Architecture", spec.arch)
	p.Set("Maintainer", "T <t@example.org>")
	if spec.section != "" {
		p.Set("Section", spec.section)
	}
	p.Set("Installed-Size", "4")
	p.Set("Description", spec.name+" for tests\n An app that "+spec.name+"s.")
	for _, f := range spec.fields {
		p.Set(f[0], f[1])
	}
	fsys := fstest.MapFS{
		"DEBIAN":                           {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control":                   {Data: []byte(p.String()), Mode: 0o644},
		"usr":                              {Mode: fs.ModeDir | 0o755},
		"usr/share":                        {Mode: fs.ModeDir | 0o755},
		"usr/share/" + spec.name:           {Mode: fs.ModeDir | 0o755},
		"usr/share/" + spec.name + "/data": {Data: []byte(spec.name + " " + spec.version + "\n"), Mode: 0o644},
	}
	epoch := time.Unix(1700000000, 0)
	var b bytes.Buffer
	if _, err := deb.Build(fsys, &b, deb.BuildOptions{Compression: deb.Gzip, SourceDateEpoch: &epoch}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, spec.name+"_"+spec.version+"_"+spec.arch+".deb")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// hostile is text no page may show unescaped.
const hostile = `<script>alert("x")</script>"><img src=x onerror=alert(1)>`

// testPackages are the packages of the test repository.
func testPackages(t testing.TB) []pkgSpec {
	icon := deb.EncodeIcon(testPNG(t))
	return []pkgSpec{
		{"game", "1.0", "amd64", "user/games", nil},
		{"game", "2.0", "amd64", "user/games", nil},
		{"game", "1.5", "all", "user/games", nil},
		{"icony", "1.0", "all", "user/office", [][2]string{{"Maemo-Display-Name", "Icon App"}, {"Maemo-Icon-26", icon},
			{"Aim-Tags", "qt:5.12.0,platform:desktop"}}},
		{"armonly", "1.0", "arm64", "user/tools", nil},
		{"conf", "1.0", "all", "user/tools", [][2]string{{"Aim-Conflict-Tags", "qt:5"}}},
		{"sys", "1.0", "all", "utils", nil},
		{"secret", "1.0", "all", "user/hidden", nil},
		{"evil", "1.0", "all", "user/ringtones", [][2]string{{"Maemo-Display-Name", hostile},
			{"Description", "evil " + hostile + "\n more " + hostile}}},
	}
}

// testRepo initialises, fills and publishes a repository in a new
// directory and returns it.
func testRepo(t testing.TB, specs []pkgSpec) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := publish.Init(dir, publish.Settings{Dists: []string{"stable"}, Components: []string{"main"},
		Architectures: []string{"amd64", "arm64"}, Label: "Test Apps"}); err != nil {
		t.Fatal(err)
	}
	debs := t.TempDir()
	var files []string
	for _, s := range specs {
		files = append(files, buildDeb(t, debs, s))
	}
	r, err := publish.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Add(files, publish.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(publish.Options{Signer: testSigner(t), Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func testSigner(t testing.TB) *pgp.Signer {
	t.Helper()
	s, err := pgp.LoadSigner(testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testServer serves a new test repository with uploads enabled and
// returns the server, its URL and the repository directory.
func testServer(t testing.TB, mod ...func(*Config)) (*Server, *httptest.Server, string) {
	t.Helper()
	dir := testRepo(t, testPackages(t))
	cfg := Config{Dir: dir, UploadToken: testToken, Signer: testSigner(t), Log: io.Discard, ReloadEvery: time.Millisecond}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts, dir
}

// get fetches url with the given request headers (name, value pairs).
func get(t testing.TB, method, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// getJSON fetches url, checks the status and content type, and decodes
// the body into v.
func getJSON(t testing.TB, url string, status int, v any) {
	t.Helper()
	resp, body := get(t, "GET", url)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d: %s", url, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: content type %q", url, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
}
