package repo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"aim/db"
	"aim/deb"
	"aim/repo/pgp"
	"aim/repo/sources"
)

// debianMirror builds a local copy of the real signed Debian release with
// the workspace's debian-mirror script, copies its keyring below root, and
// returns the source for it. It skips when the script fails.
func debianMirror(tb testing.TB, root string) sources.Source {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "shared", "bin", "debian-mirror")
	dir := filepath.Join(tb.TempDir(), "mirror")
	out, err := exec.Command(script, dir).Output()
	if err != nil {
		tb.Skipf("debian-mirror unavailable: %v", err)
	}
	line := strings.TrimSpace(string(out))
	src, err := sources.ParseLine(line)
	if err != nil {
		tb.Fatalf("parse %q: %v", line, err)
	}
	for i, k := range src.SignedBy.Keyrings {
		data, err := os.ReadFile(k)
		if err != nil {
			tb.Fatal(err)
		}
		in := filepath.Join("etc/aim/keyrings", filepath.Base(k))
		os.MkdirAll(filepath.Join(root, "etc/aim/keyrings"), 0o755)
		if err := os.WriteFile(filepath.Join(root, in), data, 0o644); err != nil {
			tb.Fatal(err)
		}
		src.SignedBy.Keyrings[i] = "/" + in
	}
	src.Name = "debian"
	return *src
}

func newUpdater(tb testing.TB, root string) *Updater {
	tb.Helper()
	d, err := db.Open(root)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	f := NewFetcher()
	f.RetryDelay = time.Millisecond
	return &Updater{Root: root, DB: d, Fetcher: f, Arch: "amd64"}
}

func TestUpdateDebianMirror(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	root := t.TempDir()
	src := debianMirror(t, root)
	u := newUpdater(t, root)
	var events []UpdateEvent
	u.Event = func(e UpdateEvent) { events = append(events, e) }
	res, err := u.Update(context.Background(), []sources.Source{src})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Indexes != 1 {
		t.Fatalf("results %+v", res)
	}
	var triedXZ, gotPlain bool
	for _, e := range events {
		triedXZ = triedXZ || strings.HasSuffix(e.URL, "Packages.xz")
		gotPlain = gotPlain || strings.Contains(e.URL, "binary-amd64/by-hash/SHA256/")
	}
	if !triedXZ || !gotPlain {
		t.Errorf("expected a fall back from Packages.xz to the uncompressed index by hash: %+v", events)
	}
	c, err := OpenCache(filepath.Join(root, CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkEveryPackage(t, c, filepath.Join(root, ListsDir))

	// A second update finds the Release unchanged and fetches no index.
	events = nil
	res, err = u.Update(context.Background(), []sources.Source{src})
	if err != nil || !res[0].Unchanged {
		t.Fatalf("second update: %+v %v", res, err)
	}
	for _, e := range events {
		if e.What == "get" && !strings.HasSuffix(e.URL, "InRelease") {
			t.Errorf("second update fetched %s", e.URL)
		}
	}
}

// checkEveryPackage checks that every paragraph of the lists' Packages
// files is in the cache under its name and version.
func checkEveryPackage(t *testing.T, c *Cache, lists string) {
	files, _ := filepath.Glob(filepath.Join(lists, "*Packages"))
	if len(files) == 0 {
		t.Fatal("no Packages list stored")
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := deb.NewParagraphReader(bytes.NewReader(data))
		for {
			p, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			found := false
			for _, a := range c.Lookup(p.Get("Package")) {
				found = found || a.Version == p.Get("Version")
			}
			if !found {
				t.Fatalf("%s %s is not in the cache", p.Get("Package"), p.Get("Version"))
			}
		}
	}
	t.Logf("%d packages found", n)
}

func TestUpdateDebianMirrorWrongKey(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	root := t.TempDir()
	src := debianMirror(t, root)
	// Trust an unrelated key for this source instead of Debian's.
	other, err := os.ReadFile("../testdata/keys/ed25519.asc")
	if err != nil {
		t.Skip("no test key")
	}
	src.SignedBy = sources.SignedBy{Key: string(other)}
	u := newUpdater(t, root)
	_, err = u.Update(context.Background(), []sources.Source{src})
	var unknown *pgp.UnknownSignerError
	if !errors.As(err, &unknown) || unknown.ID() == "" {
		t.Fatalf("got %v, want an unknown signer error", err)
	}
	if _, err := os.Stat(filepath.Join(root, CacheFile)); err != nil {
		t.Errorf("cache not written after a failed update: %v", err)
	}
}

func BenchmarkUpdateDebianMirror(b *testing.B) {
	root := b.TempDir()
	src := debianMirror(b, root)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		os.RemoveAll(filepath.Join(root, "var"))
		u := newUpdater(b, root)
		b.StartTimer()
		if _, err := u.Update(context.Background(), []sources.Source{src}); err != nil {
			b.Fatal(err)
		}
	}
}
