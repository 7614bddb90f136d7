package install

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/deb/unpack"
)

// maxStageWorkers bounds how many archives stageAll stages at once.
const maxStageWorkers = 4

// stageWorkers is how many archives stageAll stages at once: one a core
// and one more, at most maxStageWorkers. Each worker waits at times (for
// its decompressor process, for system calls that are slow in a
// virtual machine), and the extra one keeps the cores busy meanwhile:
// on 2 cores, staging the 29 packages of bench/real.sh took 0.965 s
// with 3 workers against 1.026 s with 2 (medians of 5 alternating
// runs), and the whole install was faster in 7 of 8 alternating pairs.
var stageWorkers = min(runtime.GOMAXPROCS(0)+1, maxStageWorkers)

// errNotStaged stands for a package not staged because one before it in
// the plan failed.
var errNotStaged = errors.New("not staged")

// stageAll unpacks every new archive into staging files and marks the
// journal staged.
//
// Archives are staged stageWorkers at a time, the outcome being that of
// staging them one after another in plan order: progress is reported in
// plan order, the error returned is that of the first package in the
// plan that failed (none after it is started once it failed), a staged
// file that several packages ship holds the last one's contents (see
// restageShared) and a directory that several ship gets the last one's
// owner and mode (see redoDirAttrs). Staging writes only staged files
// and directories, and moves only what stands in a directory's way
// (displace, which runs one at a time), so nothing else of the tree
// depends on the order; the conflict checks and the renames into place
// that follow stay serial and in plan order.
func (x *txn) stageAll() error {
	var todo []*step
	for _, s := range x.steps {
		if s.c.Action.unpacks() {
			todo = append(todo, s)
		} else {
			s.journal.Phase = db.JournalStaged
		}
	}
	c, _ := x.countSteps()
	// Until the renames into place, nothing replaces a directory or a
	// symlink that a path resolves through but displace, which reports
	// what it moves: one Resolver serves every package staged.
	x.paths = rootfs.Root(x.e.Root).Resolver()
	defer func() { x.paths = nil }()
	err := x.stageConcurrently(todo, func(i int) {
		x.reportStep(&c, 0.4+0.2*float64(i)/float64(len(todo)), PhaseUnpack, "unpacking", todo[i])
	})
	if err == nil {
		err = x.restageShared(todo)
	}
	if err == nil {
		err = x.redoDirAttrs(todo)
	}
	if err == nil {
		err = checkUnchanged(todo)
	}
	if err != nil {
		return err
	}
	return x.e.DB.Update(func(tx *db.Tx) error {
		for _, s := range x.steps {
			if err := tx.UpdateJournal(&s.journal); err != nil {
				return err
			}
		}
		return nil
	})
}

// stageConcurrently stages todo with up to stageWorkers goroutines,
// calling report(i) (from the calling goroutine, in order) as it begins
// to wait for todo[i]. Workers start the largest archives first (see
// largestFirst). Once a package fails no package after it in todo is
// started; the error is that of the first failed package in todo's
// order.
func (x *txn) stageConcurrently(todo []*step, report func(i int)) error {
	order := largestFirst(todo)
	done := make([]chan error, len(todo))
	for i := range done {
		done[i] = make(chan error, 1)
	}
	var next atomic.Int64
	var failedAt atomic.Int64
	failedAt.Store(int64(len(todo)))
	var wg sync.WaitGroup
	workers := stageWorkers
	if x.e.stageWorkers > 0 {
		workers = x.e.stageWorkers
	}
	for w := 0; w < min(workers, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(todo) {
					return
				}
				i := order[k]
				if int64(i) > failedAt.Load() {
					done[i] <- errNotStaged
					continue
				}
				err := x.stageStep(todo[i])
				if err != nil {
					for f := failedAt.Load(); int64(i) < f && !failedAt.CompareAndSwap(f, int64(i)); f = failedAt.Load() {
					}
				}
				done[i] <- err
			}
		}()
	}
	var first error
	for i := range todo {
		if first == nil {
			report(i)
		}
		if err := <-done[i]; err != nil && first == nil {
			first = err
		}
	}
	wg.Wait()
	return first
}

// largestFirst returns the indexes of todo, the largest archive first
// (plan order among equals, and for archives it cannot size): one worker
// ending on a big archive while the others have nothing left would make
// the staging last longer than the work needs, and the archives sizes
// are the best estimate of each one's work before it is read.
func largestFirst(todo []*step) []int {
	size := make([]int64, len(todo))
	order := make([]int, len(todo))
	for i, s := range todo {
		order[i] = i
		if s.read != nil && s.read.file != nil {
			size[i] = s.read.file.Size()
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size[b], size[a]) })
	return order
}

// stageStep stages s and records what it staged in its journal step.
func (x *txn) stageStep(s *step) error {
	err := x.stage(s)
	s.journal.New = filePaths(s.newFiles)
	if de := (*deb.DamagedError)(nil); errors.As(err, &de) {
		return fmt.Errorf("unpack %s (%s): %w", s.c.Name, s.archive, err)
	}
	if err != nil {
		return fmt.Errorf("unpack %s: %w", s.c.Name, err)
	}
	s.journal.Phase = db.JournalStaged
	return nil
}

// restageShared stages again, in plan order, every package that ships a
// file (not a directory) that a package before it in todo also ships
// with other contents, mode, owner or time: the staged file then holds
// the last package's, as when the packages were staged one after
// another. A file shipped identically (as the instances of a
// Multi-Arch: same package ship their shared files) is the same staged
// in either order and costs no second staging.
func (x *txn) restageShared(todo []*step) error {
	type shipper struct {
		e     unpack.Entry
		later []int // the packages after the first that ship the path
		vary  bool  // not every one ships it identically
	}
	paths := map[string]*shipper{}
	for i, s := range todo {
		for _, e := range s.entries {
			if e.Type == '5' {
				continue
			}
			if sh := paths[e.Path]; sh == nil {
				paths[e.Path] = &shipper{e: e}
			} else {
				sh.later = append(sh.later, i)
				sh.vary = sh.vary || !sameEntry(sh.e, e)
			}
		}
	}
	again := map[int]bool{}
	for _, sh := range paths {
		if sh.vary {
			for _, i := range sh.later {
				again[i] = true
			}
		}
	}
	for i, s := range todo {
		if again[i] {
			if err := x.stageStep(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameEntry reports whether a and b write the same thing.
func sameEntry(a, b unpack.Entry) bool {
	return a.Type == b.Type && a.Mode == b.Mode && a.Size == b.Size && a.SHA256 == b.SHA256 &&
		a.Link == b.Link && a.ModTime.Equal(b.ModTime) && a.UID == b.UID && a.GID == b.GID
}

// redoDirAttrs gives every directory that several packages of todo ship
// with different owners or modes the owner and mode of the last of them,
// as staging them one after another does.
func (x *txn) redoDirAttrs(todo []*step) error {
	type dirEntry struct {
		e      unpack.Entry
		differ bool
	}
	last := map[string]*dirEntry{}
	var order []string
	for _, s := range todo {
		for _, e := range s.entries {
			if e.Type != '5' || e.Path == "." {
				continue
			}
			d, ok := last[e.Path]
			if !ok {
				last[e.Path] = &dirEntry{e: e}
				order = append(order, e.Path)
				continue
			}
			d.differ = d.differ || d.e.Mode != e.Mode || d.e.UID != e.UID || d.e.GID != e.GID
			d.e = e
		}
	}
	for _, p := range order {
		if d := last[p]; d.differ {
			if err := setDirAttrs(x.e.Root, d.e); err != nil {
				return fmt.Errorf("directory %s: %w", p, err)
			}
		}
	}
	return nil
}

// setDirAttrs applies e's owner (when running as root) and mode to the
// directory e names, unless a symlink stands there (staging keeps a
// symlink to a directory untouched).
func setDirAttrs(root string, e unpack.Entry) error {
	host, err := hostPath(root, "/"+e.Path)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(host, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if os.Geteuid() == 0 {
		if err := f.Chown(e.UID, e.GID); err != nil {
			return err
		}
	}
	return f.Chmod(e.Mode & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky))
}

// checkUnchanged refuses an archive replaced or changed while the
// packages were staged: staging opened each when it began, so one
// replaced later (before the packages after it in the plan were staged,
// when staging went one at a time) is refused here as it was there.
func checkUnchanged(todo []*step) error {
	for _, s := range todo {
		if !s.read.unchanged(s.archive) {
			return fmt.Errorf("unpack %s: %s changed since its control data was read", s.c.Name, s.archive)
		}
	}
	return nil
}
