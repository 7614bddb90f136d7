package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/hooks"
)

// Recovered says what Recover did.
type Recovered struct {
	// RolledBack and RolledForward name the packages of the interrupted
	// transaction, by what happened to it.
	RolledBack, RolledForward []string
	// Unconfigured names the packages rolled forward whose postinst
	// configure did not finish: half-configured until the next Run.
	Unconfigured []string
	// Unwound lists the error-unwind scripts run while rolling back
	// ("PKG SCRIPT ARGS..."); Notes says which of them failed, and why
	// pending configuration did not finish.
	Unwound, Notes []string
	// Configured names the half-configured packages (of this or an
	// earlier interruption) whose postinst configure Open finished;
	// Triggered those whose pending triggers it ran.
	Configured, Triggered []string
	// Interrupted lists the tasks an interruption left running, which
	// Open ended as Failed.
	Interrupted []string
}

// Recover brings the root back to a consistent state after a transaction
// that did not end (a crash, a kill): one that reached its commit point
// is finished (roll forward), any other is undone (roll back: staged files
// deleted, replaced and removed files restored, new files deleted; the
// database already holds the state before). A transaction interrupted
// after every package was unpacked (while postinsts or triggers ran) is
// rolled forward, its new packages left half-configured: the next Run
// runs their postinst configure first (see halfconf.go). Rolling back
// runs dpkg's error-unwind scripts for the scripts the journal says had
// started (see unwind.go): postrm abort-install or abort-upgrade after a
// new preinst, postinst abort-upgrade or abort-remove after an old
// prerm; their failures are listed in Notes and do not stop the
// recovery. A crash during recovery is recovered again, and may run an
// unwind script a second time. Recover runs scripts with a default
// runner for root (chrooted when running as root); Engine.Recover uses
// the engine's. Recover does nothing when the journal is empty; the
// caller holds the writer lock.
func Recover(root string, d *db.DB) (*Recovered, error) {
	r, err := hooks.NewRunner(root, false)
	if err != nil {
		return nil, err
	}
	return recoverWith(context.Background(), root, d, r, nil)
}

// Recover is the package's Recover with the engine's script runner.
func (e *Engine) Recover(ctx context.Context) (*Recovered, error) {
	return recoverWith(ctx, e.Root, e.DB, e.Scripts, e.fault)
}

// recoverWith recovers with runner; fault, when not nil, injects
// failures (tests).
func recoverWith(ctx context.Context, root string, d *db.DB, runner *hooks.Runner, fault func(string) error) (*Recovered, error) {
	steps, err := d.Journal()
	if err != nil || len(steps) == 0 {
		return &Recovered{}, err
	}
	r := &Recovered{}
	for _, txSteps := range byTx(steps) {
		if err := recoverTx(ctx, root, d, runner, fault, txSteps, r); err != nil {
			return r, fmt.Errorf("recover interrupted transaction %s: %w", txSteps[0].TxID, err)
		}
	}
	return r, nil
}

func byTx(steps []db.JournalStep) [][]db.JournalStep {
	var out [][]db.JournalStep
	idx := map[string]int{}
	for _, s := range steps {
		i, ok := idx[s.TxID]
		if !ok {
			i = len(out)
			idx[s.TxID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], s)
	}
	return out
}

func recoverTx(ctx context.Context, root string, d *db.DB, runner *hooks.Runner, fault func(string) error, steps []db.JournalStep, r *Recovered) error {
	if steps[0].Phase == phaseUnpacked && !rollingBack(d, steps[0].TxID) {
		names, err := rollForwardUnpacked(d, steps[0].TxID)
		if err != nil {
			return err
		}
		r.Unconfigured = append(r.Unconfigured, names...)
		steps[0].Phase = db.JournalCommitted
	}
	if steps[0].Phase == db.JournalCommitted {
		for _, s := range steps {
			r.RolledForward = append(r.RolledForward, s.Package)
		}
		if err := finishCommitted(root, d, steps); err != nil {
			return err
		}
		if journalNeedsLdconfig(root, steps) {
			r.Notes = append(r.Notes, runLdconfig(root, runner.Chroot))
		}
		return nil
	}
	u, err := newUndoer(root, d, steps[0].TxID, steps, fault)
	if err != nil {
		return err
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if err := undoWithScripts(ctx, u, runner, steps[i], r); err != nil {
			return err
		}
		r.RolledBack = append(r.RolledBack, steps[i].Package)
	}
	return forget(root, d, steps[0].TxID)
}

// undoWithScripts undoes one step of an interrupted transaction with the
// error-unwind scripts its journal record asks for.
func undoWithScripts(ctx context.Context, u *undoer, runner *hooks.Runner, st db.JournalStep, r *Recovered) error {
	root := u.root
	rec, ok, err := loadUnwind(u.d, st.TxID, st.Package)
	if err != nil {
		return err
	}
	var before, after []hooks.Script
	if ok {
		before, after = unwindScripts(rec, root, st.Package, ctrlDir(root, st.TxID, st.Package))
	}
	r.record(runUnwind(ctx, runner, before))
	restoreDirs(root, rec.Dirs)
	if err := u.step(st); err != nil {
		return err
	}
	r.record(runUnwind(ctx, runner, after))
	return nil
}

func (r *Recovered) record(ran, notes []string) {
	r.Unwound = append(r.Unwound, ran...)
	r.Notes = append(r.Notes, notes...)
}

// forget removes the transaction's control directories and, in one
// database transaction, its journal and unwind records; also writes
// more records in that transaction (a failed task's final state).
func forget(root string, d *db.DB, txid string, also ...func(*db.Tx) error) error {
	if err := os.RemoveAll(rootfs.Root(root).Path(tmpDir, txid)); err != nil {
		return err
	}
	steps, err := d.Journal()
	if err != nil {
		return err
	}
	var pkgs []string
	for _, st := range steps {
		if st.TxID == txid {
			pkgs = append(pkgs, st.Package)
		}
	}
	return d.Update(func(tx *db.Tx) error {
		if err := forgetUnwind(tx, txid, pkgs); err != nil {
			return err
		}
		if err := tx.DeleteMeta(pendingKey + txid); err != nil {
			return err
		}
		if err := tx.DeleteMeta(pendingTriggersKey + txid); err != nil {
			return err
		}
		if err := tx.DeleteMeta(undoKey + txid); err != nil {
			return err
		}
		for _, fn := range also {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return tx.ClearJournal(txid)
	})
}

// removeDirs removes, deepest first, the directories no package lists
// (aim's, or dpkg's in its var/lib/dpkg/info/*.list files) that are empty.
func removeDirs(root string, d *db.DB, dirs []string) error {
	sort.Slice(dirs, func(i, j int) bool { return dirs[i] > dirs[j] })
	var dpkg map[string]bool // read once, when an unowned directory needs it
	for _, dir := range dirs {
		owners, err := d.Owners(dir)
		if err != nil {
			return err
		}
		if len(owners) > 0 || dir == "/" || dir == "" {
			continue
		}
		host, err := hostPath(root, dir)
		if err != nil || !isDir(host) {
			continue
		}
		if dpkg == nil {
			if dpkg, err = dpkgPaths(root); err != nil {
				return err
			}
		}
		if dpkg[path.Clean("/"+dir)] {
			continue
		}
		os.Remove(host) // fails, as it should, when not empty
	}
	return nil
}

// finishCommitted completes the cleanup of a committed transaction.
func finishCommitted(root string, d *db.DB, steps []db.JournalStep) error {
	hosts := rootfs.Root(root).Resolver() // the cleanup moves no directory or symlink
	left := leftovers{}
	for _, st := range steps {
		for _, p := range st.New {
			left.add(hosts, p)
		}
		for _, p := range st.Old {
			if !strings.HasSuffix(p, "/") {
				left.add(hosts, p)
			}
		}
	}
	if err := left.drop(); err != nil {
		return err
	}
	for _, st := range steps {
		var dirs []string
		newSet := map[string]bool{}
		for _, p := range st.New {
			newSet[p] = true
		}
		for _, p := range st.Old {
			if strings.HasSuffix(p, "/") && !newSet[p] {
				dirs = append(dirs, strings.TrimSuffix(p, "/"))
			}
		}
		if err := removeDirs(root, d, dirs); err != nil {
			return err
		}
		if err := moveInfo(root, d, st); err != nil {
			return err
		}
	}
	return forget(root, d, steps[0].TxID)
}

// moveInfo installs a committed package's control members into the info
// directory (removing those of the old version), or removes them for a
// removed or purged package. A package removed into the config-files
// state (conffiles or a postrm left) keeps PKG.postrm, as dpkg does, for
// its purge.
func moveInfo(root string, d *db.DB, st db.JournalStep) error {
	info := rootfs.Root(root).Path(InfoDir)
	src := ctrlDir(root, st.TxID, st.Package)
	gone := st.Action == Remove.String() || st.Action == Purge.String()
	if !gone && !isDir(src) {
		return nil // already moved by an earlier, interrupted cleanup
	}
	keep := ""
	if st.Action == Remove.String() && !st.Purge {
		name, arch := SplitKey(st.Package)
		conf, err := d.Conffiles(name, arch)
		if err != nil {
			return err
		}
		_, merr := d.Meta(configFilesKey + name)
		if merr != nil && !errors.Is(merr, db.ErrNotFound) {
			return merr
		}
		if len(conf) > 0 || merr == nil {
			keep = filepath.Join(info, st.Package+".postrm")
		}
	}
	if gone {
		return removeInfo(info, st.Package, keep, nil)
	}
	if err := os.MkdirAll(info, 0o755); err != nil {
		return err
	}
	names, err := infoManifest(src)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Rename(filepath.Join(src, n), filepath.Join(info, st.Package+"."+n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := removeInfo(info, st.Package, "", names); err != nil {
		return err
	}
	return os.RemoveAll(src)
}

// infoManifest returns the names of the control members in src, read
// from the manifest written beside them (by writeControl, made durable by
// the commit's syncfs; a control directory an older aim wrote gets it the
// first time): a cleanup interrupted while moving them then still knows
// which members in the info directory are the new ones, and keeps them.
func infoManifest(src string) ([]string, error) {
	manifest := filepath.Join(src, infoManifestName)
	if data, err := os.ReadFile(manifest); err == nil {
		return strings.Fields(string(data)), nil
	}
	members, err := os.ReadDir(src)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range members {
		names = append(names, m.Name())
	}
	if err := rootfs.WriteFile(manifest, []byte(strings.Join(names, "\n")), 0o644); err != nil {
		return nil, err
	}
	return names, nil
}

// infoManifestName is the manifest's name in a control directory; no
// control member has it (member names hold no newline).
const infoManifestName = "members\n"

// removeInfo removes pkg's control members in the info directory but
// keep and those named in members. A name after "PKG." that holds a dot
// is another package's member (NAME.MORE.MEMBER: Debian names may hold
// dots, member names never do), so python3's removal leaves python3.11's.
func removeInfo(info, pkg, keep string, members []string) error {
	want := map[string]bool{}
	for _, n := range members {
		want[filepath.Join(info, pkg+"."+n)] = true
	}
	old, _ := filepath.Glob(filepath.Join(info, pkg+".*"))
	for _, p := range old {
		if p == keep || want[p] || !isMemberOf(filepath.Base(p), pkg) {
			continue
		}
		if err := removeIfExists(p); err != nil {
			return err
		}
	}
	return nil
}

// isMemberOf reports whether the info file base is one of pkg's control
// members (PKG.MEMBER), or one aim set aside (PKG.MEMBER.aim-SUFFIX, as
// forcedSuffix). A member name holds no dot, so PKG.MORE.MEMBER is the
// member of another package whose name continues with a dot.
func isMemberOf(base, pkg string) bool {
	rest, ok := strings.CutPrefix(base, pkg+".")
	if !ok {
		return false
	}
	if i := strings.Index(rest, ".aim-"); i >= 0 {
		rest = rest[:i]
	}
	return rest != "" && !strings.Contains(rest, ".")
}

// listArchive lists the paths of an archive's data, directories with a
// trailing "/"; nil when it cannot be read.
func listArchive(p string) []string {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		return nil
	}
	defer ar.Close()
	data, err := ar.Data()
	if err != nil {
		return nil
	}
	var out []string
	for {
		h, err := data.Next()
		if err != nil {
			return out
		}
		name, err := deb.CleanEntryName(h.Name)
		if err != nil || name == "." {
			continue
		}
		if h.Typeflag == '5' {
			name += "/"
		}
		out = append(out, "/"+name)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func isDir(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}

func removeIfExists(p string) error {
	// unlink first, alone: most names tried are missing, and os.Remove
	// would try rmdir after every failed unlink.
	err := syscall.Unlink(p)
	for err == syscall.EINTR {
		err = syscall.Unlink(p)
	}
	if err == nil || err == syscall.ENOENT {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
