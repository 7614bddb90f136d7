package mirror_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"aim/deb"
	"aim/install/debiantest"
	"aim/repo"
	"aim/repo/apttest"
	"aim/repo/mirror"
	"aim/repo/publish"
	"aim/repo/sources"
)

// realUpstream are the real Debian packages of the upstream repository:
// the closure of hello, jq and nano, and others the filter leaves out.
var (
	realClosure = []string{"hello", "jq", "libjq1", "libonig5", "nano", "libncursesw6", "libtinfo6", "libc6", "libgcc-s1", "gcc-12-base"}
	realOthers  = []string{"tree", "sl", "bc", "ed", "libreadline8", "readline-common", "less", "cowsay", "bsdextrautils",
		"libgdbm6", "libpipeline1", "libuchardet0", "zlib1g", "libzstd1", "liblzma5", "libbz2-1.0", "libmd0", "libselinux1",
		"libpcre2-8-0", "sed", "grep", "gzip", "mawk", "dash", "debianutils", "base-passwd"}
)

// TestMirrorRealDebianPackages publishes a few dozen real Debian packages
// with aim, mirrors three of them with what they need, publishes the
// mirror and has the real apt install them from it: simulated on an
// empty system (every dependency must come from the mirror), then for real
// with dpkg in a minbase bookworm root whose only source is the mirror.
func TestMirrorRealDebianPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	debs := debiantest.Debs(t, append(slices.Clone(realClosure), realOthers...)...)
	up := newRepo(t, "debian", "amd64")
	var files []string
	for _, p := range debs {
		files = append(files, p)
	}
	slices.Sort(files)
	if _, err := up.Add(files, publish.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	publishAt(t, up, testNow)
	r := newRepo(t, "fleet", "amd64")
	if err := mirror.Create(r, mirror.Config{Name: "debian", URL: serve(t, up.Dir), Suite: "stable", Components: []string{"main"},
		Filter: "hello, jq, nano", WithDeps: true}, armoredKey(t)); err != nil {
		t.Fatal(err)
	}
	res, err := mirror.Update(t.Context(), r, "debian", mirror.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Packages {
		got = append(got, p.Name)
	}
	want := sorted(realClosure)
	if !slices.Equal(sorted(got), want) || res.Downloaded != len(want) {
		t.Fatalf("mirrored %v (%d downloaded), want %v", got, res.Downloaded, want)
	}
	publishAt(t, r, testNow)
	key := filepath.Join(t.TempDir(), "fleet.asc")
	data, _ := os.ReadFile(filepath.Join(r.Dir, "key.asc"))
	os.WriteFile(key, data, 0o644)
	a := apttest.New(t, "deb [signed-by="+key+"] "+serve(t, r.Dir)+" stable main")
	if out, ok := a.Update(); !ok {
		t.Fatalf("apt-get update from the mirror:\n%s", out)
	}
	out, err := a.Run(a.Dir, "-s", "install", "hello", "jq", "nano")
	if err != nil {
		t.Fatalf("apt-get -s install from the mirror: %v\n%s", err, out)
	}
	for _, n := range want {
		if !strings.Contains(out, "Inst "+n+" (") {
			t.Errorf("apt does not install %s:\n%s", n, out)
		}
	}
	dl := t.TempDir()
	if out, err := a.Run(dl, "download", "jq", "libc6"); err != nil {
		t.Fatalf("apt-get download from the mirror: %v\n%s", err, out)
	}
	if out, err := a.Run(a.Dir, "-s", "install", "tree"); err == nil {
		t.Errorf("a package the filter left out is installable from the mirror:\n%s", out)
	}
	t.Run("InstallInMinbaseRoot", func(t *testing.T) {
		installFromMirror(t, serve(t, r.Dir), data, res.Packages)
	})
}

// TestMirrorResolvesAtFullScale selects from the real signed Debian
// release (63,000 packages, verified with Debian's keys as aim update
// verifies them): the filter with its dependencies for amd64 is closed
// under Depends and Pre-Depends, checked here against the index itself.
func TestMirrorResolvesAtFullScale(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "bin", "debian-mirror")
	dir := filepath.Join(t.TempDir(), "debian")
	out, err := exec.Command(script, dir).Output()
	if err != nil {
		t.Skipf("debian-mirror unavailable: %v", err)
	}
	src, err := sources.ParseLine(strings.TrimSpace(string(out)))
	if err != nil || len(src.SignedBy.Keyrings) != 1 {
		t.Fatalf("debian-mirror printed %q: %v", out, err)
	}
	keyring, err := os.ReadFile(src.SignedBy.Keyrings[0])
	if err != nil {
		t.Fatal(err)
	}
	r := newRepo(t, "fleet", "amd64")
	const filter = "openssh-server, python3, nano, jq, curl"
	if err := mirror.Create(r, mirror.Config{Name: "bookworm", URL: src.URIs[0], Suite: src.Suites[0], Components: []string{"main"},
		Filter: filter, WithDeps: true}, keyring); err != nil {
		t.Fatal(err)
	}
	res, err := mirror.Update(t.Context(), r, "bookworm", mirror.UpdateOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s with dependencies: %d packages", filter, len(res.Packages))
	cache, err := repo.OpenCache(filepath.Join(mirror.Dir(r, "bookworm"), "root", repo.CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	if cache.Len() < 50000 {
		t.Fatalf("the upstream cache has %d packages: not the full release", cache.Len())
	}
	checkClosed(t, cache, res.Packages, strings.Split(strings.ReplaceAll(filter, " ", ""), ","))
	if names(t, r) != nil {
		t.Error("a dry run changed the repository")
	}
}

// checkClosed checks that every name in roots is selected and that every
// Depends and Pre-Depends of a selected package is satisfied by a selected
// package (by name and version, or by Provides).
func checkClosed(t *testing.T, cache *repo.Cache, sel []mirror.Package, roots []string) {
	t.Helper()
	have := map[string][]deb.Version{}
	provided := map[string][]deb.Version{}
	var paras []*deb.Paragraph
	for _, p := range sel {
		var para *deb.Paragraph
		for _, a := range cache.Lookup(p.Name) {
			if a.Version == p.Version && a.Architecture == p.Architecture {
				para, _ = cache.Paragraph(a)
			}
		}
		if para == nil {
			t.Fatalf("selected %v is not in the upstream index", p)
		}
		paras = append(paras, para)
		v, _ := deb.ParseVersionLax(p.Version)
		have[p.Name] = append(have[p.Name], v)
		prov, _ := deb.ParseRelations(para.Get("Provides"))
		for _, alts := range prov {
			provided[alts[0].Name] = append(provided[alts[0].Name], alts[0].Version)
		}
	}
	for _, n := range roots {
		if len(have[n]) == 0 {
			t.Errorf("%s is not selected", n)
		}
	}
	satisfied := func(rel deb.Relation) bool {
		for _, v := range have[rel.Name] {
			if rel.SatisfiedBy(v) {
				return true
			}
		}
		for _, v := range provided[rel.Name] {
			if rel.Op == deb.OpNone || v != (deb.Version{}) && rel.SatisfiedBy(v) {
				return true
			}
		}
		return false
	}
	for _, para := range paras {
		for _, field := range []string{"Pre-Depends", "Depends"} {
			rels, err := deb.ParseRelations(para.Get(field))
			if err != nil {
				t.Fatalf("%s: %s: %v", para.Get("Package"), field, err)
			}
			for _, alts := range rels {
				if !slices.ContainsFunc(alts, satisfied) {
					t.Errorf("%s %s: %s %s is not satisfied by the selection", para.Get("Package"), para.Get("Version"), field, alts)
				}
			}
		}
	}
}
