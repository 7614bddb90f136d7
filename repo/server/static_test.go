package server

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// poolFile returns the pool path of the first .deb below dir/pool.
func poolFile(t *testing.T, dir string) string {
	t.Helper()
	var found string
	filepath.WalkDir(filepath.Join(dir, "pool"), func(p string, d os.DirEntry, err error) error {
		if err == nil && found == "" && strings.HasSuffix(p, ".deb") {
			found, _ = filepath.Rel(dir, p)
		}
		return nil
	})
	if found == "" {
		t.Fatal("no pool file")
	}
	return filepath.ToSlash(found)
}

func TestStaticContentTypes(t *testing.T) {
	_, ts, dir := testServer(t)
	for path, want := range map[string]string{
		"/dists/stable/InRelease":                     "text/plain; charset=utf-8",
		"/dists/stable/Release":                       "text/plain; charset=utf-8",
		"/dists/stable/Release.gpg":                   "application/pgp-signature",
		"/dists/stable/main/binary-amd64/Packages":    "text/plain; charset=utf-8",
		"/dists/stable/main/binary-amd64/Packages.gz": "application/gzip",
		"/dists/stable/main/binary-amd64/Packages.xz": "application/x-xz",
		"/key.asc":                "application/pgp-keys",
		"/" + poolFile(t, dir):    "application/vnd.debian.binary-package",
		"/install/game.install":   InstallMIMEType,
		"/":                       "text/html; charset=utf-8",
		"/api/v1/apps/icony/icon": "image/png",
		"/static/page.css":        "text/css; charset=utf-8",
	} {
		resp, body := get(t, "GET", ts.URL+path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want || len(body) == 0 {
			t.Errorf("GET %s: %d %q (%d bytes), want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body), want)
		}
	}
	byHash, _ := filepath.Glob(filepath.Join(dir, "dists/stable/main/binary-amd64/by-hash/SHA256/*"))
	kinds := map[string]bool{}
	for _, f := range byHash {
		rel, _ := filepath.Rel(dir, f)
		resp, _ := get(t, "GET", ts.URL+"/"+filepath.ToSlash(rel))
		kinds[resp.Header.Get("Content-Type")] = resp.StatusCode == 200
	}
	if !kinds["application/gzip"] || !kinds["application/x-xz"] || !kinds["text/plain; charset=utf-8"] {
		t.Errorf("by-hash files: types %v", kinds)
	}
}

func TestStaticConditionalRangeHead(t *testing.T) {
	_, ts, dir := testServer(t)
	url := ts.URL + "/" + poolFile(t, dir)
	resp, body := get(t, "GET", url)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lm == "" || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("headers %v", resp.Header)
	}
	if resp, _ := get(t, "GET", url, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", url, "If-Modified-Since", lm); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", url, "If-None-Match", `"other"`); resp.StatusCode != 200 {
		t.Errorf("other ETag: %d", resp.StatusCode)
	}
	resp, part := get(t, "GET", url, "Range", "bytes=2-9")
	if resp.StatusCode != http.StatusPartialContent || string(part) != string(body[2:10]) ||
		resp.Header.Get("Content-Range") != "bytes 2-9/"+strconv.Itoa(len(body)) {
		t.Errorf("range: %d %q %q", resp.StatusCode, part, resp.Header.Get("Content-Range"))
	}
	if resp, _ := get(t, "GET", url, "Range", "bytes=2-9", "If-Range", `"stale"`); resp.StatusCode != 200 {
		t.Errorf("If-Range with a stale ETag: %d, want the whole file", resp.StatusCode)
	}
	resp, head := get(t, "HEAD", url)
	if resp.StatusCode != 200 || len(head) != 0 || resp.ContentLength != int64(len(body)) || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, length %d", resp.StatusCode, len(head), resp.ContentLength)
	}
	if resp, _ := get(t, "POST", url); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to a file: %d", resp.StatusCode)
	}
}

// rawGet sends path unmodified (no client-side cleaning) and returns the
// status.
func rawGet(t *testing.T, addr, path string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	buf := make([]byte, 64<<10)
	n, _ := c.Read(buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	return line + "\n" + string(buf[:n])
}

func TestStaticRefusesPrivateAndOutside(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(outside, []byte("TOPSECRET"), 0o644)
	var tokenFile string
	_, ts, dir := testServer(t, func(c *Config) {
		tokenFile = filepath.Join(c.Dir, "dists", "token")
		os.WriteFile(tokenFile, []byte("TOPSECRET"), 0o600)
		c.Private = []string{tokenFile}
	})
	os.Symlink(outside, filepath.Join(dir, "pool", "link.deb"))
	os.Symlink(filepath.Dir(outside), filepath.Join(dir, "dists", "linkdir"))
	os.Symlink("../aim-repo.conf", filepath.Join(dir, "pool", "conf.deb"))
	os.WriteFile(filepath.Join(dir, "pool", ".aim-tmp-1"), []byte("TOPSECRET"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("TOPSECRET"), 0o644)
	addr := strings.TrimPrefix(ts.URL, "http://")
	for _, p := range []string{
		"/aim-repo.conf", "/aim-repo.state/lock", "/aim-repo.state/", "/aim-repo.state/stable/main.packages",
		"/pool/link.deb", "/dists/linkdir/secret.txt", "/pool/conf.deb", "/pool/.aim-tmp-1", "/notes.txt",
		"/dists/token", "/pool/../aim-repo.conf", "/pool/%2e%2e/aim-repo.conf", "/pool/..%2faim-repo.conf",
		"/dists/stable/../../aim-repo.conf", "/%2e%2e/%2e%2e" + outside, "/pool/..%5caim-repo.conf",
		"/dists", "/dists/", "/pool/", "//etc/passwd", "/pool/%00",
	} {
		got := rawGet(t, addr, p)
		status, _, _ := strings.Cut(got, "\n")
		if strings.Contains(got, "TOPSECRET") || strings.Contains(got, "dists = stable") || strings.Contains(status, " 200 ") {
			t.Errorf("GET %s: %s", p, status)
		}
	}
}
