package publish

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/repo/pgp"
)

func TestReservedDistNames(t *testing.T) {
	for _, d := range []string{"snapshots", "published", "mirrors", "objstore"} {
		if _, err := Init(filepath.Join(t.TempDir(), "r"), Settings{Dists: []string{d}, Components: []string{"main"}, Architectures: []string{"amd64"}}); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("dist %s: %v", d, err)
		}
	}
}

func TestCheckSnapshotName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"v1", true}, {"2026-12-07", true}, {"rel_1.2+fix", true},
		{"", false}, {".hidden", false}, {"-x", false}, {"a/b", false}, {"..", false}, {"a b", false}, {strings.Repeat("x", 101), false},
	} {
		if err := CheckSnapshotName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckSnapshotName(%q): %v", tc.name, err)
		}
	}
}

// publishedVersions returns the versions of name the published amd64
// index lists, and checks InRelease's signature and Date.
func publishedVersions(t *testing.T, r *Repo, name string) ([]string, time.Time) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join(r.Dir, "dists/stable/InRelease"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgp.VerifyClearSigned(in, testSigner(t).PublicKey(), testNow.Add(24*time.Hour)); err != nil {
		t.Fatalf("InRelease: %v", err)
	}
	text, _ := os.ReadFile(filepath.Join(r.Dir, "dists/stable/main/binary-amd64/Packages"))
	var out []string
	for _, para := range strings.Split(string(text), "\n\n") {
		if strings.HasPrefix(para, "Package: "+name+"\n") {
			for _, line := range strings.Split(para, "\n") {
				if v, ok := strings.CutPrefix(line, "Version: "); ok {
					out = append(out, v)
				}
			}
		}
	}
	return out, r.readRelease("dists/stable").Date
}

// TestSnapshotsAndRollback freezes two package sets, diffs them, rolls a
// bad release back (re-signed with a later Date, the old package file
// still in the pool) and publishes a snapshot.
func TestSnapshotsAndRollback(t *testing.T) {
	r := newTestRepo(t, false)
	src := t.TempDir()
	add := func(version string) {
		t.Helper()
		if _, err := r.Add([]string{buildTestDeb(t, src, "demo-app", version, "all", "user/games", nil)}, AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Rollback(Options{Signer: testSigner(t), Now: testNow}); !errors.Is(err, ErrNothingToRollBack) {
		t.Fatalf("rollback of a repository never published: %v", err)
	}
	add("1.0")
	publish(t, r, testNow, 0)
	if _, err := r.CreateSnapshot("good", testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateSnapshot("good", testNow); err == nil {
		t.Error("a second snapshot of the same name was created")
	}
	if _, err := r.Remove("", []string{"demo-app=1.0"}); err != nil {
		t.Fatal(err)
	}
	add("2.0")
	publish(t, r, testNow.Add(time.Minute), 0)
	if _, err := r.CreateSnapshot("bad", testNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if v, _ := publishedVersions(t, r, "demo-app"); !slices.Equal(v, []string{"2.0"}) {
		t.Fatalf("published before the rollback: %v", v)
	}
	diff, err := r.DiffSnapshots("good", "bad")
	if err != nil || len(diff) != 1 || diff[0] != (SnapshotChange{Dist: "stable", Package: "demo-app", Architecture: "all", Old: "1.0", New: "2.0"}) {
		t.Errorf("diff good bad: %+v, %v", diff, err)
	}
	snaps, err := r.Snapshots()
	if err != nil || len(snaps) != 2 || snaps[0].Name != "bad" || snaps[1].Name != "good" || snaps[1].Packages != 1 || !snaps[1].Created.Equal(testNow) {
		t.Errorf("snapshots: %+v, %v", snaps, err)
	}

	// The rollback is signed with a Date after the bad release's even
	// when the clock says otherwise (SOURCE_DATE_EPOCH, a skewed clock).
	res, err := r.Rollback(Options{Signer: testSigner(t), Now: testNow})
	if err != nil || res[0].Outcome != Updated {
		t.Fatalf("rollback: %+v, %v", res, err)
	}
	v, date := publishedVersions(t, r, "demo-app")
	if !slices.Equal(v, []string{"1.0"}) || !date.After(testNow.Add(time.Minute)) {
		t.Fatalf("after the rollback: versions %v, Date %s", v, date)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "pool/main/d/demo-app/demo-app_1.0_all.deb")); err != nil {
		t.Fatalf("the rolled-back-to package file is not in the pool: %v", err)
	}
	if pkgs, _ := r.Packages(""); len(pkgs) != 1 || pkgs[0].Version != "1.0" {
		t.Errorf("database after the rollback: %+v", pkgs)
	}
	if _, err := r.Rollback(Options{Signer: testSigner(t), Now: testNow.Add(time.Hour)}); !errors.Is(err, ErrNothingToRollBack) {
		t.Errorf("a second rollback past the first publish: %v", err)
	}

	// Publishing a snapshot serves its package set.
	if err := r.UseSnapshot("bad"); err != nil {
		t.Fatal(err)
	}
	publish(t, r, testNow.Add(2*time.Hour), 0)
	if v, _ := publishedVersions(t, r, "demo-app"); !slices.Equal(v, []string{"2.0"}) {
		t.Errorf("after publishing snapshot bad: %v", v)
	}
	if err := r.UseSnapshot("none"); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("use of a missing snapshot: %v", err)
	}
	if err := r.DropSnapshot("good"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DiffSnapshots("good", "bad"); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("diff with a dropped snapshot: %v", err)
	}
}
