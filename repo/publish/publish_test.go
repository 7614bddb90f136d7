package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"aim/db"
	"aim/deb"
	"aim/repo"
	"aim/repo/pgp"
	"aim/repo/sources"
)

const testSecretKey = "../../testdata/keys/ed25519.secret.asc"

// testNow is the publishing time of most tests (the test keys are
// recent: a fixed date could precede them).
var testNow = time.Now().UTC().Truncate(time.Second)

// elfHeader returns the start of an ELF file of the given class (1 or 2),
// byte order (1 little, 2 big) and machine.
func elfHeader(class, data byte, machine uint16) []byte {
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = class, data, 1
	if data == 1 {
		h[18], h[19] = byte(machine), byte(machine>>8)
	} else {
		h[18], h[19] = byte(machine>>8), byte(machine)
	}
	return h
}

// amd64ELF is the header of an x86-64 executable.
var amd64ELF = elfHeader(2, 1, 62)

// buildTestDeb builds a package with the given control fields and files
// into dir and returns its path.
func buildTestDeb(t testing.TB, dir, name, version, arch, section string, files map[string][]byte) string {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: T <t@example.org>\nDescription: %s for tests\n", name, version, arch, name)
	if section != "" {
		control += "Section: " + section + "\n"
	}
	fsys := fstest.MapFS{
		"DEBIAN":                            {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control":                    {Data: []byte(control), Mode: 0o644},
		"usr":                               {Mode: fs.ModeDir | 0o755},
		"usr/share":                         {Mode: fs.ModeDir | 0o755},
		"usr/share/doc":                     {Mode: fs.ModeDir | 0o755},
		"usr/share/doc/" + name:             {Mode: fs.ModeDir | 0o755},
		"usr/share/doc/" + name + "/README": {Data: []byte(name + " " + version + "\n"), Mode: 0o644},
	}
	for p, data := range files {
		for d := filepath.Dir(p); d != "."; d = filepath.Dir(d) {
			fsys[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		}
		fsys[p] = &fstest.MapFile{Data: data, Mode: 0o755}
	}
	epoch := time.Unix(1700000000, 0)
	var b bytes.Buffer
	if _, err := deb.Build(fsys, &b, deb.BuildOptions{Compression: deb.Zstd, SourceDateEpoch: &epoch}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, debFileName(name, version, arch))
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func testSigner(t testing.TB) *pgp.Signer {
	t.Helper()
	s, err := pgp.LoadSigner(testSecretKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newTestRepo makes a repository for amd64 and arm64 and opens it.
func newTestRepo(t testing.TB, flat bool) *Repo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	s := Settings{Dists: []string{"stable"}, Components: []string{"main"}, Architectures: []string{"amd64", "arm64"},
		Origin: "Test", Label: "Test repository", Flat: flat}
	if _, err := Init(dir, s); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// addTestPackages adds the usual three packages: a user app (all), a
// library (amd64, with an amd64 ELF) and a tool for arm64 only.
func addTestPackages(t testing.TB, r *Repo) {
	t.Helper()
	src := t.TempDir()
	files := []string{
		buildTestDeb(t, src, "demo-app", "1.0", "all", "user/games", nil),
		buildTestDeb(t, src, "libdemo1", "2.0-1", "amd64", "libs", map[string][]byte{"usr/lib/libdemo.so.1": amd64ELF}),
		buildTestDeb(t, src, "armtool", "0.5", "arm64", "utils", map[string][]byte{"usr/bin/armtool": elfHeader(2, 1, 183)}),
	}
	if _, err := r.Add(files, AddOptions{}); err != nil {
		t.Fatal(err)
	}
}

// addFillers adds n small packages, enough for compressed indexes of
// several chunks (see chunkParagraphs).
func addFillers(t testing.TB, r *Repo, n int) {
	t.Helper()
	src := t.TempDir()
	var files []string
	for i := range n {
		files = append(files, buildTestDeb(t, src, fmt.Sprintf("filler%d", i), "1", "all", "misc", nil))
	}
	if _, err := r.Add(files, AddOptions{}); err != nil {
		t.Fatal(err)
	}
}

func publish(t testing.TB, r *Repo, now time.Time, validFor time.Duration) []Result {
	t.Helper()
	res, err := r.Publish(Options{Signer: testSigner(t), Now: now, ValidFor: validFor})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// updateFrom runs aim's own update against the repository served over
// HTTP, trusting key.asc, and returns the candidate versions by name.
func updateFrom(t *testing.T, r *Repo, flat bool) map[string]string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(r.Dir)))
	defer srv.Close()
	root := t.TempDir()
	key, err := os.ReadFile(filepath.Join(r.Dir, "key.asc"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, repo.TrustedKeysDir), 0o755)
	os.WriteFile(filepath.Join(root, repo.TrustedKeysDir, "repo.asc"), key, 0o644)
	src := sources.Source{Name: "test", Types: []string{"deb"}, URIs: []string{srv.URL}, Suites: []string{"stable"}, Components: []string{"main"}, Enabled: true}
	if flat {
		src.Suites, src.Components = []string{"./"}, nil
	}
	u := newUpdater(t, root)
	u.Now = func() time.Time { return testNow.Add(time.Minute) }
	if _, err := u.Update(context.Background(), []sources.Source{src}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range []string{"demo-app", "libdemo1", "armtool", "filler0", "filler299"} {
		got[n] = cachedVersion(t, root, n)
	}
	return got
}

func TestPublishReadByAimUpdate(t *testing.T) {
	for _, flat := range []bool{false, true} {
		t.Run(fmt.Sprintf("flat=%v", flat), func(t *testing.T) {
			r := newTestRepo(t, flat)
			addTestPackages(t, r)
			addFillers(t, r, 300)
			publish(t, r, testNow, 0)
			got := updateFrom(t, r, flat)
			// The updater's native architecture is amd64: armtool is not
			// listed in the dists form, and in the flat form is seen but
			// has another architecture.
			if got["demo-app"] != "1.0" || got["libdemo1"] != "2.0-1" || got["filler0"] != "1" || got["filler299"] != "1" {
				t.Errorf("versions after update: %v", got)
			}
			if c, err := r.Check(testNow); err != nil || hasProblem(c) {
				t.Errorf("check: %v %v", c, err)
			}
		})
	}
}

func hasProblem(findings []CheckFinding) bool {
	return slices.ContainsFunc(findings, func(f CheckFinding) bool { return f.Problem })
}

// treeState maps every file below dir to its contents and mtime.
func treeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, StateDir) {
			return err
		}
		b, _ := os.ReadFile(p)
		fi, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(sum[:]) + " " + fi.ModTime().String()
		return nil
	})
	return out
}

func TestRepublishWithoutChangeWritesNothing(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	publish(t, r, testNow, 7*24*time.Hour)
	before := treeState(t, r.Dir)
	time.Sleep(10 * time.Millisecond)
	res := publish(t, r, testNow.Add(time.Hour), 7*24*time.Hour)
	if res[0].Outcome != Unchanged || len(res[0].Written) != 0 {
		t.Fatalf("second publish: %+v", res)
	}
	after := treeState(t, r.Dir)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("tree changed:\n%v\n%v", before, after)
	}
	// Four days later Valid-Until is due: only the Release files change.
	res = publish(t, r, testNow.Add(4*24*time.Hour), 7*24*time.Hour)
	want := []string{"dists/stable/Release", "dists/stable/Release.gpg", "dists/stable/InRelease"}
	if res[0].Outcome != Resigned || !slices.Equal(res[0].Written, want) {
		t.Fatalf("publish with Valid-Until due: %+v", res)
	}
	rel := r.readRelease("dists/stable")
	if !rel.ValidUntil.Equal(testNow.Add(11 * 24 * time.Hour)) {
		t.Errorf("Valid-Until %v", rel.ValidUntil)
	}
	// Adding an arm64 package rewrites the arm64 index only.
	res = publish(t, r, testNow.Add(4*24*time.Hour), 7*24*time.Hour)
	if res[0].Outcome != Unchanged {
		t.Errorf("publish without add: %+v", res)
	}
	if _, err := r.Add([]string{buildTestDeb(t, t.TempDir(), "armonly", "1", "arm64", "", map[string][]byte{"bin/a": elfHeader(2, 1, 183)})}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	res = publish(t, r, testNow.Add(5*24*time.Hour), 7*24*time.Hour)
	for _, w := range res[0].Written {
		if strings.Contains(w, "binary-amd64") {
			t.Errorf("an arm64 package rewrote %s", w)
		}
	}
	if res[0].Outcome != Updated {
		t.Errorf("outcome %q", res[0].Outcome)
	}
}

func TestPublishReproducible(t *testing.T) {
	epoch := testNow.Unix()
	var trees []map[string]string
	for range 2 {
		r := newTestRepo(t, false)
		addTestPackages(t, r)
		publish(t, r, time.Unix(epoch, 0), 24*time.Hour)
		tree := treeState(t, r.Dir)
		for k, v := range tree {
			tree[k] = strings.Fields(v)[0] // contents only
		}
		trees = append(trees, tree)
	}
	if fmt.Sprint(trees[0]) != fmt.Sprint(trees[1]) {
		t.Errorf("two publications differ:\n%v\n%v", trees[0], trees[1])
	}
}

// TestPublishIsAtomic publishes new generations while readers check that
// whatever InRelease they read is validly signed and names indexes they
// can fetch by hash with the right contents.
func TestPublishIsAtomic(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	publish(t, r, testNow, 0)
	kr := testSigner(t).PublicKey()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	reads := 0
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := readGeneration(r.Dir, kr); err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
				}
				mu.Lock()
				reads++
				mu.Unlock()
			}
		}()
	}
	src := t.TempDir()
	for i := range 12 {
		deb := buildTestDeb(t, src, "gen", fmt.Sprint(i), "all", "", nil)
		if _, err := r.Add([]string{deb}, AddOptions{}); err != nil {
			t.Fatal(err)
		}
		publish(t, r, testNow.Add(time.Duration(i)*time.Minute), 0)
	}
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d reads saw a mix, first: %s", len(failures), reads, failures[0])
	}
	t.Logf("%d consistent reads", reads)
	// Earlier generations stay for Keep publishes, then go.
	files, _ := filepath.Glob(filepath.Join(r.Dir, "dists/stable/main/binary-amd64/by-hash/SHA256/*"))
	if len(files) != 3*(1+3) {
		t.Errorf("%d by-hash files, want 3 per generation for 4 generations", len(files))
	}
}

// readGeneration reads InRelease as a client would, then every index it
// lists through by-hash.
func readGeneration(dir string, kr *pgp.Keyring) error {
	in, err := os.ReadFile(filepath.Join(dir, "dists/stable/InRelease"))
	if err != nil {
		return err
	}
	v, err := pgp.VerifyClearSigned(in, kr, testNow.Add(time.Hour))
	if err != nil {
		return err
	}
	rel, err := repo.ParseRelease(v.Text)
	if err != nil {
		return err
	}
	for _, f := range rel.Files {
		for _, p := range byHashPaths("dists/stable", f) {
			b, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return err
			}
			if fileEntry(f.Path, b).SHA256 != f.SHA256 {
				return fmt.Errorf("%s: wrong contents", p)
			}
		}
	}
	return nil
}

// newUpdater returns an Updater for root with a quick retry, native
// architecture amd64.
func newUpdater(tb testing.TB, root string) *repo.Updater {
	tb.Helper()
	d, err := db.Open(root)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	f := repo.NewFetcher()
	f.RetryDelay = time.Millisecond
	return &repo.Updater{Root: root, DB: d, Fetcher: f, Arch: "amd64"}
}

// cachedVersion returns the first version of name in root's cache.
func cachedVersion(t *testing.T, root, name string) string {
	t.Helper()
	c, err := repo.OpenCache(filepath.Join(root, repo.CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if l := c.Lookup(name); len(l) > 0 {
		return l[0].Version
	}
	return ""
}
