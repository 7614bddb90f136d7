package debiantest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// archive is one line of apt-get download --print-uris.
type archive struct {
	name    string // package name
	version string
	file    string // file name apt-get download writes
	size    int64
	sha256  string // hex; empty when apt gave another hash
}

// Debs returns the archives of the named packages from Suite itself (not
// its -updates or -security suites, so that they match MinbaseRoot's
// packages), name → path of the .deb in the shared cache. A name may pin
// its own version or release (NAME=VERSION, NAME/RELEASE), as apt-get
// download takes it. Archives already in the cache with the right size and
// hash are reused; the others are fetched with apt-get download. The test
// is skipped when apt cannot reach the archive.
func Debs(t testing.TB, names ...string) map[string]string {
	t.Helper()
	needTool(t, "apt-get")
	dir := filepath.Join(CacheDir(t), "debs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	unlock := lockCache(t, CacheDir(t))
	defer unlock()
	want := printURIs(t, names)
	var missing []string
	versions := map[string]string{}
	for _, a := range want {
		versions[a.name] = a.version
		if !cached(filepath.Join(dir, a.file), a) {
			missing = append(missing, a.name)
		}
	}
	if len(missing) > 0 {
		download(t, dir, missing, versions)
	}
	paths := make(map[string]string, len(want))
	for _, a := range want {
		p := filepath.Join(dir, a.file)
		if !cached(p, a) {
			t.Fatalf("debiantest: apt-get download left no valid %s", a.file)
		}
		paths[a.name] = p
	}
	return paths
}

// updateOnce runs apt-get update at most once per test binary.
var updateOnce = sync.OnceValues(func() ([]byte, error) {
	return run("", "apt-get", "update", "-qq")
})

// printURIs asks apt which archives the names resolve to, running apt-get
// update once when the lists are missing or do not know a name.
func printURIs(t testing.TB, names []string) []archive {
	t.Helper()
	args := []string{"download", "--print-uris", "-qq"}
	for _, n := range names {
		if !strings.ContainsAny(n, "=/") {
			n += "/" + Suite
		}
		args = append(args, n)
	}
	out, err := run("", "apt-get", args...)
	if err != nil || !listsPresent() {
		if uout, uerr := updateOnce(); uerr != nil {
			t.Skipf("debiantest: the Debian archive cannot be reached (%v):\n%s", uerr, uout)
		}
		out, err = run("", "apt-get", args...)
	}
	if err != nil {
		t.Fatalf("debiantest: %v\n%s", err, out)
	}
	as, err := parseURIs(out)
	if err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	if len(as) != len(names) {
		t.Fatalf("debiantest: apt-get download --print-uris gave %d archives for %d names:\n%s", len(as), len(names), out)
	}
	return as
}

// listsPresent reports whether apt has any package lists.
func listsPresent() bool {
	m, _ := filepath.Glob("/var/lib/apt/lists/*_Packages*")
	return len(m) > 0
}

// parseURIs reads lines of the form 'URI' FILE SIZE HASH.
func parseURIs(out []byte) ([]archive, error) {
	var as []archive
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || !strings.HasPrefix(f[0], "'") {
			continue
		}
		name, _, ok := strings.Cut(f[1], "_")
		size, err := strconv.ParseInt(f[2], 10, 64)
		if !ok || err != nil || filepath.Base(f[1]) != f[1] {
			return nil, fmt.Errorf("unexpected apt-get line %q", sc.Text())
		}
		version, _, _ := strings.Cut(strings.TrimPrefix(f[1], name+"_"), "_")
		version, err = url.PathUnescape(version)
		if err != nil {
			return nil, fmt.Errorf("unexpected apt-get line %q", sc.Text())
		}
		a := archive{name: name, version: version, file: f[1], size: size}
		if h, ok := strings.CutPrefix(f[3], "SHA256:"); ok {
			a.sha256 = strings.ToLower(h)
		}
		as = append(as, a)
	}
	return as, sc.Err()
}

// cached reports whether path holds the archive a describes.
func cached(path string, a archive) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil || n != a.size {
		return false
	}
	return a.sha256 == "" || hex.EncodeToString(h.Sum(nil)) == a.sha256
}

// download fetches the named packages into dir through a temporary
// directory, so a half-written archive never carries a final name.
func download(t testing.TB, dir string, names []string, versions map[string]string) {
	t.Helper()
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	defer os.RemoveAll(tmp)
	args := []string{"download", "-qq"}
	for _, n := range names {
		args = append(args, n+"="+versions[n])
	}
	if out, err := run(tmp, "apt-get", args...); err != nil {
		t.Skipf("debiantest: the Debian archive cannot be reached (%v):\n%s", err, out)
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".deb") {
			if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(dir, e.Name())); err != nil {
				t.Fatalf("debiantest: %v", err)
			}
		}
	}
}
