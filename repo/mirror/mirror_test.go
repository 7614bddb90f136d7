package mirror_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/repo/mirror"
	"aim/repo/pgp"
	"aim/repo/publish"
	"aim/repo/publish/publishtest"
)

// TestMirrorFilterWithDeps mirrors one app of a signed upstream with what
// it needs, follows an upstream upgrade, and refuses a tampered or
// foreign-signed upstream without changing the repository.
func TestMirrorFilterWithDeps(t *testing.T) {
	up := newRepo(t, "upstream", "amd64", "arm64")
	src := t.TempDir()
	add := func(files ...string) {
		t.Helper()
		if _, err := up.Add(files, publish.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	add(buildDeb(t, src, "app", "1.0", "all", "libfoo | libfoo-alt, virtual-base"),
		buildDeb(t, src, "libfoo", "1.0", "amd64", "libbase (>= 2)"),
		buildDeb(t, src, "libfoo", "1.0", "arm64", "libbase (>= 2)"),
		buildDeb(t, src, "libbase", "1.5", "all", ""),
		buildDeb(t, src, "libbase", "2.1", "all", ""),
		publishtest.BuildDeb(t, src, "base-impl", "1", "all", "Provides: virtual-base"), buildDeb(t, src, "other", "1", "all", ""))
	publishAt(t, up, testNow.Add(-time.Hour))
	url := serve(t, up.Dir)

	r := newRepo(t, "fleet", "amd64", "arm64")
	if err := mirror.Create(r, mirror.Config{Name: "up", URL: url, Suite: "stable", Components: []string{"main"}, Filter: "app", WithDeps: true}, armoredKey(t)); err != nil {
		t.Fatal(err)
	}
	res, err := mirror.Update(t.Context(), r, "up", mirror.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"app 1.0 all", "base-impl 1 all", "libbase 2.1 all", "libfoo 1.0 amd64", "libfoo 1.0 arm64"}
	if got := names(t, r); !slices.Equal(sorted(got), want) || res.Downloaded != 5 {
		t.Fatalf("after the first update: %v (%d downloaded), want %v", got, res.Downloaded, want)
	}

	// Upstream upgrades app; the mirror follows and drops the old one.
	if _, err := up.Remove("", []string{"app"}); err != nil {
		t.Fatal(err)
	}
	add(buildDeb(t, src, "app", "2.0", "all", "libfoo"))
	publishAt(t, up, testNow.Add(-30*time.Minute))
	res, err = mirror.Update(t.Context(), r, "up", mirror.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"app 2.0 all", "libbase 2.1 all", "libfoo 1.0 amd64", "libfoo 1.0 arm64"}
	if got := names(t, r); !slices.Equal(sorted(got), want) || res.Downloaded != 1 || len(res.Removed) != 2 {
		t.Fatalf("after the upgrade: %v (%d downloaded, removed %v), want %v", got, res.Downloaded, res.Removed, want)
	}
	if res, err := mirror.Update(t.Context(), r, "up", mirror.UpdateOptions{}); err != nil || res.Downloaded != 0 || len(res.Added)+len(res.Removed) != 0 {
		t.Fatalf("update without upstream change: %+v, %v", res, err)
	}

	// A tampered InRelease is refused as aim update refuses it.
	in := filepath.Join(up.Dir, "dists/stable/InRelease")
	good, _ := os.ReadFile(in)
	os.WriteFile(in, []byte(strings.Replace(string(good), "Origin: upstream", "Origin: evil", 1)), 0o644)
	os.Chtimes(in, time.Now().Add(time.Minute), time.Now().Add(time.Minute)) // not a 304
	if _, err := mirror.Update(t.Context(), r, "up", mirror.UpdateOptions{}); err == nil {
		t.Error("update from a tampered upstream succeeded")
	}
	os.WriteFile(in, good, 0o644)

	// Signed by a key the mirror does not trust.
	other, err := os.ReadFile("../../testdata/keys/rsa.asc")
	if err != nil {
		t.Fatal(err)
	}
	if err := mirror.Create(r, mirror.Config{Name: "foreign", URL: url, Suite: "stable", Components: []string{"main"}, Filter: "other"}, other); err != nil {
		t.Fatal(err)
	}
	var unknown *pgp.UnknownSignerError
	if _, err := mirror.Update(t.Context(), r, "foreign", mirror.UpdateOptions{}); !errors.As(err, &unknown) {
		t.Errorf("update of an upstream signed by another key: %v", err)
	}
	if err := mirror.Create(r, mirror.Config{Name: "missing", URL: url, Suite: "stable", Components: []string{"main"}, Filter: "nosuch"}, armoredKey(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := mirror.Update(t.Context(), r, "missing", mirror.UpdateOptions{}); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("update with a filter naming no upstream package: %v", err)
	}
	if got := names(t, r); !slices.Equal(sorted(got), want) {
		t.Errorf("failed updates changed the repository: %v", got)
	}
	if _, err := mirror.Update(t.Context(), r, "nope", mirror.UpdateOptions{}); !errors.Is(err, mirror.ErrNoMirror) {
		t.Errorf("update of an unknown mirror: %v", err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
