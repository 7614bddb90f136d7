package server

// A minimal W3C WebDriver client over net/http, enough to drive headless
// Chromium through chromedriver in the browser tests: sessions, navigation,
// elements, keys, clicks, scripts and screenshots.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const (
	chromiumBinary     = "/usr/bin/chromium"
	chromedriverBinary = "/usr/bin/chromedriver"
	// elementKey is the W3C key of a web element reference.
	elementKey = "element-6066-11e4-a52e-4f735466cecf"
)

// driver is a running chromedriver.
type driver struct {
	base   string
	client *http.Client
}

// startDriver starts chromedriver on a free loopback port, skipping the
// test when chromium or chromedriver is missing, and stops it when the
// test ends.
func startDriver(t *testing.T) *driver {
	t.Helper()
	for _, bin := range []string{chromiumBinary, chromedriverBinary} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("browser test needs %s (Debian packages chromium, chromium-driver)", bin)
		}
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command(chromedriverBinary, "--port="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromedriver: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	d := &driver{base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 30 * time.Second}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := d.call("GET", "/status", nil, &st); err == nil && st.Ready {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver not ready after 10s:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// call sends a WebDriver command and decodes the "value" of its answer
// into out (when out is not nil).
func (d *driver) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("webdriver %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return fmt.Errorf("webdriver %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	var ans struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return fmt.Errorf("webdriver %s %s: status %d: %w", method, path, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		json.Unmarshal(ans.Value, &e)
		return fmt.Errorf("webdriver %s %s: %s: %s", method, path, e.Error, e.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(ans.Value, out); err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	return nil
}

// browser is one WebDriver session: a headless Chromium window.
type browser struct {
	t  *testing.T
	d  *driver
	id string
}

// browserOptions describe a session's window.
type browserOptions struct {
	width, height int
	mobile        bool   // emulate a phone: the viewport is width x height
	noScript      bool   // disable JavaScript in pages
	downloads     string // directory downloads go to, "" for none
}

// newBrowser opens a session with a window of the given size; it is
// closed when the test ends.
func (d *driver) newBrowser(t *testing.T, o browserOptions) *browser {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
		fmt.Sprintf("--window-size=%d,%d", o.width, o.height)}
	opts := map[string]any{"binary": chromiumBinary, "args": args}
	if o.mobile {
		// A desktop window is at least 500px wide; a phone's viewport is
		// narrower and honours <meta name=viewport>.
		opts["mobileEmulation"] = map[string]any{"deviceMetrics": map[string]any{
			"width": o.width, "height": o.height, "pixelRatio": 1, "touch": true, "mobile": true}}
	}
	prefs := map[string]any{}
	if o.noScript {
		prefs["profile.managed_default_content_settings.javascript"] = 2
	}
	if o.downloads != "" {
		prefs["download.default_directory"] = o.downloads
		prefs["download.prompt_for_download"] = false
	}
	opts["prefs"] = prefs
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":        "chrome",
		"goog:loggingPrefs":  map[string]string{"browser": "ALL"},
		"goog:chromeOptions": opts,
	}}}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if err := d.call("POST", "/session", caps, &s); err != nil {
		t.Fatalf("new browser session: %v", err)
	}
	b := &browser{t: t, d: d, id: s.SessionID}
	t.Cleanup(func() { d.call("DELETE", "/session/"+b.id, nil, nil) })
	return b
}

// do sends a command of this session, failing the test on error.
func (b *browser) do(method, path string, in, out any) {
	b.t.Helper()
	if err := b.d.call(method, "/session/"+b.id+path, in, out); err != nil {
		b.t.Fatal(err)
	}
}

// open navigates to url and waits for the page to load.
func (b *browser) open(url string) {
	b.t.Helper()
	b.do("POST", "/url", map[string]string{"url": url}, nil)
}

// url returns the current page's URL.
func (b *browser) url() string {
	b.t.Helper()
	var u string
	b.do("GET", "/url", nil, &u)
	return u
}

// element is a reference to a DOM element of a session.
type element struct {
	b  *browser
	id string
}

// findAll returns the elements matching a CSS selector, maybe none.
func (b *browser) findAll(css string) []element {
	b.t.Helper()
	var refs []map[string]string
	b.do("POST", "/elements", map[string]string{"using": "css selector", "value": css}, &refs)
	var out []element
	for _, r := range refs {
		out = append(out, element{b, r[elementKey]})
	}
	return out
}

// find returns the one element matching a CSS selector.
func (b *browser) find(css string) element {
	b.t.Helper()
	els := b.findAll(css)
	if len(els) != 1 {
		b.t.Fatalf("%d elements match %q, want 1", len(els), css)
	}
	return els[0]
}

func (e element) get(what string, out any) {
	e.b.t.Helper()
	e.b.do("GET", "/element/"+e.id+"/"+what, nil, out)
}

// attr returns an attribute as written in the page ("" when absent).
func (e element) attr(name string) string {
	e.b.t.Helper()
	var v *string
	e.get("attribute/"+name, &v)
	if v == nil {
		return ""
	}
	return *v
}

// prop returns a DOM property as a string (a link's href is absolute).
func (e element) prop(name string) string {
	e.b.t.Helper()
	var v any
	e.get("property/"+name, &v)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// text returns the element's rendered text.
func (e element) text() string {
	e.b.t.Helper()
	var s string
	e.get("text", &s)
	return s
}

// displayed reports whether the element is shown.
func (e element) displayed() bool {
	e.b.t.Helper()
	var v bool
	e.get("displayed", &v)
	return v
}

// click clicks the element in the middle of it.
func (e element) click() {
	e.b.t.Helper()
	e.b.do("POST", "/element/"+e.id+"/click", map[string]any{}, nil)
}

// typeText sends keystrokes to the element.
func (e element) typeText(s string) {
	e.b.t.Helper()
	e.b.do("POST", "/element/"+e.id+"/value", map[string]string{"text": s}, nil)
}

// script runs JavaScript in the page and decodes its result into out.
func (b *browser) script(js string, out any) {
	b.t.Helper()
	b.do("POST", "/execute/sync", map[string]any{"script": js, "args": []any{}}, out)
}

// logEntry is a line of the browser's console log.
type logEntry struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// consoleLog returns the console messages since the last call.
func (b *browser) consoleLog() []logEntry {
	b.t.Helper()
	var out []logEntry
	b.do("POST", "/se/log", map[string]string{"type": "browser"}, &out)
	return out
}

// screenshot saves a PNG of the window as name in the artifact directory
// ($AIM_TEST_ARTIFACTS, else a temporary one) and logs its path.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	var enc string
	b.do("GET", "/screenshot", nil, &enc)
	png, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("AIM_TEST_ARTIFACTS")
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// waitFor polls cond every 50ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}
