package publish

// This file keeps package sets beside the live database: snapshots the
// maintainer names (aim repo snapshot), and the sets the last publishes
// served (for aim repo rollback). A package set is a directory laid out
// as the state directory: DIST/COMPONENT.packages for every dist and
// component. Pool files any set names stay in the pool.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"aim/deb"
	"aim/deb/rootfs"
)

const (
	// snapshotsDir, below StateDir, holds one package set per snapshot.
	snapshotsDir = "snapshots"
	// publishedDir, below StateDir, holds the package sets of the last
	// publishes, numbered in order.
	publishedDir = "published"
	// publishedKeep is how many published sets are kept: how far
	// rollbacks go back.
	publishedKeep = 5
	// snapshotInfo is a snapshot's creation time (RFC 3339).
	snapshotInfo = "created"
)

// Snapshot describes a frozen package set.
type Snapshot struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Packages counts the packages of every dist.
	Packages int `json:"packages"`
}

// SnapshotChange is one difference between two package sets.
type SnapshotChange struct {
	Dist         string `json:"dist"`
	Package      string `json:"package"`
	Architecture string `json:"architecture"`
	// Old and New are the versions in the first and the second set; one
	// is empty for a package only one holds.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// ErrNoSnapshot is returned for a snapshot name the repository has not.
var ErrNoSnapshot = errors.New("no such snapshot")

// CheckSnapshotName refuses names that are not a word of letters, digits,
// '.', '_', '+' and '-' starting with a letter or digit.
func CheckSnapshotName(name string) error {
	if name == "" || len(name) > 100 {
		return fmt.Errorf("snapshot name %q: want 1 to 100 characters", name)
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && strings.ContainsRune("._+-", c)
		if !ok {
			return fmt.Errorf("snapshot name %q: only letters, digits, '.', '_', '+' and '-', starting with a letter or digit", name)
		}
	}
	return nil
}

func (r *Repo) liveSet() string { return filepath.Join(r.Dir, StateDir) }

func (r *Repo) snapshotSet(name string) string {
	return filepath.Join(r.Dir, StateDir, snapshotsDir, name)
}

// packageSets lists the directories of every package set: the live
// database, the snapshots and the published sets.
func (r *Repo) packageSets() ([]string, error) {
	sets := []string{r.liveSet()}
	for _, sub := range []string{snapshotsDir, publishedDir} {
		entries, err := os.ReadDir(filepath.Join(r.Dir, StateDir, sub))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				sets = append(sets, filepath.Join(r.Dir, StateDir, sub, e.Name()))
			}
		}
	}
	return sets, nil
}

// setFiles reads every DIST/COMPONENT.packages file of the set in base,
// by its path below base; missing ones are absent.
func (r *Repo) setFiles(base string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, d := range r.Settings.Dists {
		for _, c := range r.Settings.Components {
			p := setFile(base, d, c)
			data, err := os.ReadFile(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			rel, _ := filepath.Rel(base, p)
			out[rel] = data
		}
	}
	return out, nil
}

// writeSet makes dst (which must not exist) a copy of the set files,
// atomically: they are written to a temporary directory renamed to dst.
func writeSet(dst string, files map[string][]byte, extra map[string][]byte) error {
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	for _, m := range []map[string][]byte{files, extra} {
		for rel, data := range m {
			p := filepath.Join(tmp, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// restoreSet makes the live database hold the set in base.
func (r *Repo) restoreSet(base string) error {
	files, err := r.setFiles(base)
	if err != nil {
		return err
	}
	for _, d := range r.Settings.Dists {
		for _, c := range r.Settings.Components {
			rel, _ := filepath.Rel(base, setFile(base, d, c))
			live := r.stateFile(d, c)
			data, ok := files[rel]
			if !ok {
				if err := os.Remove(live); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(live), 0o755); err != nil {
				return err
			}
			if err := rootfs.WriteFile(live, data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", live, err)
			}
		}
	}
	return nil
}

// CreateSnapshot freezes the current package set of every dist as name.
func (r *Repo) CreateSnapshot(name string, now time.Time) (*Snapshot, error) {
	if err := CheckSnapshotName(name); err != nil {
		return nil, err
	}
	dst := r.snapshotSet(name)
	if _, err := os.Stat(dst); err == nil {
		return nil, fmt.Errorf("snapshot %s exists already (drop it first)", name)
	}
	files, err := r.setFiles(r.liveSet())
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, err
	}
	info := map[string][]byte{snapshotInfo: []byte(now.UTC().Format(time.RFC3339) + "\n")}
	if err := writeSet(dst, files, info); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	return r.snapshot(name)
}

// snapshot describes the snapshot name.
func (r *Repo) snapshot(name string) (*Snapshot, error) {
	base := r.snapshotSet(name)
	data, err := os.ReadFile(filepath.Join(base, snapshotInfo))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("snapshot %s: %w", name, ErrNoSnapshot)
	}
	if err != nil {
		return nil, err
	}
	created, err := time.Parse(time.RFC3339, strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: created: %w", name, err)
	}
	s := &Snapshot{Name: name, Created: created}
	for _, d := range r.Settings.Dists {
		st, err := r.loadStateIn(base, d)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		s.Packages += len(st.packages(r.Settings.Components))
	}
	return s, nil
}

// Snapshots lists the repository's snapshots by name.
func (r *Repo) Snapshots() ([]Snapshot, error) {
	entries, err := os.ReadDir(filepath.Join(r.Dir, StateDir, snapshotsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	out := []Snapshot{}
	for _, e := range entries {
		if !e.IsDir() || CheckSnapshotName(e.Name()) != nil {
			continue
		}
		s, err := r.snapshot(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

// DropSnapshot deletes the snapshot name; its package files leave the
// pool at the next publish when nothing else names them.
func (r *Repo) DropSnapshot(name string) error {
	if err := CheckSnapshotName(name); err != nil {
		return err
	}
	if _, err := r.snapshot(name); err != nil {
		return err
	}
	return os.RemoveAll(r.snapshotSet(name))
}

// UseSnapshot makes the live database the snapshot's package set, for
// the next Publish to serve.
func (r *Repo) UseSnapshot(name string) error {
	if err := CheckSnapshotName(name); err != nil {
		return err
	}
	if _, err := r.snapshot(name); err != nil {
		return err
	}
	return r.restoreSet(r.snapshotSet(name))
}

// DiffSnapshots lists what differs from snapshot a to snapshot b, by
// dist, package and architecture.
func (r *Repo) DiffSnapshots(a, b string) ([]SnapshotChange, error) {
	for _, n := range []string{a, b} {
		if err := CheckSnapshotName(n); err != nil {
			return nil, err
		}
		if _, err := r.snapshot(n); err != nil {
			return nil, err
		}
	}
	out := []SnapshotChange{}
	for _, d := range r.Settings.Dists {
		va, err := r.versions(r.snapshotSet(a), d)
		if err != nil {
			return nil, err
		}
		vb, err := r.versions(r.snapshotSet(b), d)
		if err != nil {
			return nil, err
		}
		keys := map[[2]string]bool{}
		for k := range va {
			keys[k] = true
		}
		for k := range vb {
			keys[k] = true
		}
		var sorted [][2]string
		for k := range keys {
			sorted = append(sorted, k)
		}
		slices.SortFunc(sorted, func(x, y [2]string) int { return strings.Compare(x[0]+"\x00"+x[1], y[0]+"\x00"+y[1]) })
		for _, k := range sorted {
			if o, n := strings.Join(va[k], ", "), strings.Join(vb[k], ", "); o != n {
				out = append(out, SnapshotChange{Dist: d, Package: k[0], Architecture: k[1], Old: o, New: n})
			}
		}
	}
	return out, nil
}

// versions maps each package name and architecture of dist in the set
// base to its versions.
func (r *Repo) versions(base, dist string) (map[[2]string][]string, error) {
	st, err := r.loadStateIn(base, dist)
	if err != nil {
		return nil, err
	}
	out := map[[2]string][]string{}
	for _, p := range st.packages(r.Settings.Components) {
		k := [2]string{p.Name, p.Architecture}
		out[k] = append(out[k], p.Version)
	}
	for k := range out {
		slices.SortFunc(out[k], func(x, y string) int {
			a, _ := deb.ParseVersionLax(x)
			b, _ := deb.ParseVersionLax(y)
			return deb.CompareVersions(a, b)
		})
	}
	return out, nil
}

// publishedSets returns the numbers of the recorded published sets, in
// order.
func (r *Repo) publishedSets() ([]int, error) {
	entries, err := os.ReadDir(filepath.Join(r.Dir, StateDir, publishedDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() && n > 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (r *Repo) publishedSet(n int) string {
	return filepath.Join(r.Dir, StateDir, publishedDir, strconv.Itoa(n))
}

// recordPublished records the live package set as the last published
// one, unless it is that already, and keeps the last publishedKeep.
func (r *Repo) recordPublished() error {
	nums, err := r.publishedSets()
	if err != nil {
		return err
	}
	live, err := r.setFiles(r.liveSet())
	if err != nil {
		return err
	}
	if len(nums) > 0 {
		last, err := r.setFiles(r.publishedSet(nums[len(nums)-1]))
		if err != nil {
			return err
		}
		if samePackageSet(live, last) {
			return nil
		}
	}
	next := 1
	if len(nums) > 0 {
		next = nums[len(nums)-1] + 1
	}
	if err := os.MkdirAll(filepath.Join(r.Dir, StateDir, publishedDir), 0o755); err != nil {
		return err
	}
	if err := writeSet(r.publishedSet(next), live, nil); err != nil {
		return fmt.Errorf("record published set: %w", err)
	}
	nums = append(nums, next)
	for len(nums) > publishedKeep {
		if err := os.RemoveAll(r.publishedSet(nums[0])); err != nil {
			return err
		}
		nums = nums[1:]
	}
	return nil
}

// samePackageSet reports whether two package sets hold the same files, an empty file
// being as no file.
func samePackageSet(a, b map[string][]byte) bool {
	for _, m := range [][2]map[string][]byte{{a, b}, {b, a}} {
		for k, v := range m[0] {
			if !bytes.Equal(v, m[1][k]) {
				return false
			}
		}
	}
	return true
}

// ErrNothingToRollBack is returned by Rollback when fewer than two
// published package sets are recorded.
var ErrNothingToRollBack = errors.New("nothing to roll back to: no earlier published package set is recorded")

// Rollback puts back the package set published before the current one
// and publishes it at once, signed anew: each dist's Release gets a Date
// later than the one it replaces (opts.Now, or a second after the
// current Release when opts.Now is not later), since clients refuse a
// Release older than the one they have. Changes made to the database
// since the last publish are dropped with the rolled-back set. Repeated
// rollbacks go further back, up to the last five published sets.
func (r *Repo) Rollback(opts Options) ([]Result, error) {
	nums, err := r.publishedSets()
	if err != nil {
		return nil, err
	}
	if len(nums) < 2 {
		return nil, ErrNothingToRollBack
	}
	if err := r.restoreSet(r.publishedSet(nums[len(nums)-2])); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if err := os.RemoveAll(r.publishedSet(nums[len(nums)-1])); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	for _, d := range r.Settings.Dists {
		if old := r.readRelease(r.distDir(d)); old != nil && !opts.Now.After(old.Date) {
			opts.Now = old.Date.Add(time.Second)
		}
	}
	return r.Publish(opts)
}
