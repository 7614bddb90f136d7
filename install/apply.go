package install

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"aim/db"
	"aim/deb/rootfs"
	"aim/hooks"
)

// apply makes every change up to and including the commit; on error the
// caller rolls back.
func (x *txn) apply() error {
	if err := x.checkTriggerMembers(); err != nil {
		return err
	}
	if err := x.begin(); err != nil {
		return err
	}
	if err := x.stageAll(); err != nil {
		return err
	}
	x.clock.mark("stage")
	x.flushEarly()
	if err := x.checkConflicts(); err != nil {
		return err
	}
	x.clock.mark("check")
	_, removals := x.countSteps()
	for i, s := range x.steps {
		progress := 0.6 + 0.2*float64(i)/float64(len(x.steps))
		if s.c.Action.unpacks() {
			x.t.step(progress, s.c.Action.String()+" "+s.key)
		} else {
			phase := PhaseRemove
			if s.c.Action == Purge {
				phase = PhasePurge
			}
			x.reportStep(&removals, progress, phase, s.c.Action.String(), s)
		}
		var err error
		switch s.c.Action {
		case Remove:
			err = x.remove(s)
		case Purge:
			err = x.purge(s)
		default:
			err = x.unpack(s)
		}
		if err != nil {
			return err
		}
	}
	x.clock.mark("unpack")
	if err := x.markUnpacked(); err != nil {
		return err
	}
	x.clock.mark("mark")
	if err := x.configure(); err != nil {
		return err
	}
	x.clock.mark("configure")
	failed, err := x.triggers()
	if err != nil {
		return err
	}
	x.clock.mark("triggers")
	if err := x.commit(failed); err != nil {
		return err
	}
	x.clock.mark("commit")
	return nil
}

// script runs a maintainer script of pkg from dir (a control directory,
// or the info directory with the "PKG." prefix). arch is the instance's
// architecture, the script's DPKG_MAINTSCRIPT_ARCH as under dpkg ("" for
// the engine's native one).
func (x *txn) script(pkg, arch, name, path string, args []string) error {
	_, err := x.scripts.Run(x.ctx, hooks.Script{Package: pkg, Name: name, Path: path, Args: args, Arch: arch})
	if err == nil {
		err = x.e.faultAt(name + " " + pkg)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", pkg, name, err)
	}
	return nil
}

// infoPath is the host path of an installed package's control member.
func (x *txn) infoPath(pkg, member string) string {
	return rootfs.Root(x.e.Root).Path(InfoDir, pkg+"."+member)
}

// unpack installs or upgrades one package: old prerm, new preinst, files
// renamed into place, old files removed, old postrm.
func (x *txn) unpack(s *step) error {
	newV, oldV := s.version(), s.oldVersion()
	if s.c.Action == Upgrade {
		s.oldPrerm = true
		if err := x.saveUnwind(s); err != nil {
			return err
		}
		if err := x.script(s.c.Name, s.arch, "prerm", x.infoPath(s.key, "prerm"), hooks.PrermUpgrade(newV)); err != nil {
			return err
		}
	}
	args := hooks.PreinstInstall()
	if s.cfgVersion != "" {
		args = hooks.PreinstInstallRemoved(s.cfgVersion, newV)
	}
	if s.c.Action == Upgrade {
		args = hooks.PreinstUpgrade(oldV, newV)
	}
	s.preinst = true
	if err := x.saveUnwind(s); err != nil {
		return err
	}
	if err := x.script(s.c.Name, s.arch, "preinst", filepath.Join(s.ctrlDir, "preinst"), args); err != nil {
		return err
	}
	s.replaced = true
	if err := x.replaceFiles(s); err != nil {
		return fmt.Errorf("install files of %s: %w", s.c.Name, err)
	}
	if s.c.Action != Upgrade {
		return nil
	}
	if err := x.dropOldFiles(s); err != nil {
		return fmt.Errorf("remove old files of %s: %w", s.c.Name, err)
	}
	s.oldPostrm = true
	if err := x.saveUnwind(s); err != nil {
		return err
	}
	return x.script(s.c.Name, s.arch, "postrm", x.infoPath(s.key, "postrm"), hooks.PostrmUpgrade(newV))
}

// replaceFiles renames every staged file of s into place, keeping what it
// replaces as PATH.aim-old, and handles conffiles the user changed.
func (x *txn) replaceFiles(s *step) error {
	oldConf, err := x.e.DB.Conffiles(s.c.Name, s.oldArch())
	if err != nil {
		return err
	}
	s.conf = map[string]string{}
	dirs := rootfs.Root(x.e.Root).Resolver()
	for _, f := range s.newFiles {
		if f.Type == 'd' {
			continue
		}
		host, err := dirs.JoinNoFollow(f.Path)
		if err != nil {
			return err
		}
		// What is put in place may replace a symlink a path resolved
		// through (a directory cannot be renamed over).
		dirs.Changed(f.Path)
		if err := x.e.faultAt("write " + f.Path); err != nil {
			return err
		}
		if f.Conffile {
			s.conf[f.Path] = f.SHA256
		}
		if x.placed[f.Path] && !exists(host+tmpSuffix) {
			// Shared with an instance of another architecture placed
			// before in this transaction (checkConflicts made sure both
			// are identical): both staged it at the same path.
			continue
		}
		x.placed[f.Path] = true
		if f.Conffile {
			err = x.replaceConffile(s, f, host, oldConf[f.Path])
		} else {
			err = replaceFile(host)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	return nil
}

// replaceFile backs up what stands at host and renames the staged file
// over it. It first renames without replacing (renameat2 with
// RENAME_NOREPLACE): where nothing stands, as for most files of an
// install, that one system call does it all, with no lstat to look for
// something to back up. It calls rename(2) itself: os.Rename would
// lstat host once more, after backup did, to refuse a directory there,
// which rename(2) refuses for a file anyway (EISDIR). Those lstat calls
// were system calls a file on the serial path of every install.
func replaceFile(host string) error {
	err := unix.Renameat2(unix.AT_FDCWD, host+tmpSuffix, unix.AT_FDCWD, host, unix.RENAME_NOREPLACE)
	if err == nil {
		return nil
	}
	if !errors.Is(err, syscall.EEXIST) && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOSYS) {
		return &os.LinkError{Op: "rename", Old: host + tmpSuffix, New: host, Err: err}
	}
	if err := backup(host); err != nil {
		return err
	}
	if err := syscall.Rename(host+tmpSuffix, host); err != nil {
		return &os.LinkError{Op: "rename", Old: host + tmpSuffix, New: host, Err: err}
	}
	return nil
}

// backup links host to host.aim-old when host exists and is not a
// directory, so that a rollback can restore it.
func backup(host string) error {
	fi, err := os.Lstat(host)
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.IsDir() {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.Link(host, host+oldSuffix); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// replaceConffile installs a conffile unless the user changed it; then
// the package's version goes to PATH.aim-new beside it.
func (x *txn) replaceConffile(s *step, f db.File, host, shipped string) error {
	cur, err := hashFile(host)
	if err != nil || cur == f.SHA256 || shipped != "" && cur == shipped {
		return replaceFile(host)
	}
	if err := backup(host); err != nil {
		return err
	}
	if shipped == f.SHA256 {
		// The package did not change it: keep the user's silently.
		return os.Remove(host + tmpSuffix)
	}
	if err := os.Rename(host+tmpSuffix, host+distSuffix); err != nil {
		return err
	}
	x.kept = append(x.kept, f.Path)
	x.tr.Note("%s: kept the changed conffile %s; the package's version is %s%s", s.key, f.Path, f.Path, distSuffix)
	return nil
}

// dropOldFiles moves away the files of the old version that the new one
// does not have.
func (x *txn) dropOldFiles(s *step) error {
	keep, err := x.sharedKept(s)
	if err != nil {
		return err
	}
	for _, f := range s.newFiles {
		keep[f.Path] = true
	}
	for _, f := range s.oldFiles {
		if f.Type == 'd' || keep[f.Path] {
			continue
		}
		if err := moveAway(x.e.Root, f.Path); err != nil {
			return err
		}
	}
	return nil
}

// sharedKept returns the paths that instances of s's package for other
// architectures keep: those the installed ones that the transaction
// leaves alone own, and those the ones it unpacks ship. Removing or
// upgrading s's instance leaves them in place: a shared file goes with
// the last instance that has it.
func (x *txn) sharedKept(s *step) (map[string]bool, error) {
	keep := map[string]bool{}
	changing := map[string]bool{}
	for _, t := range x.steps {
		changing[t.key] = true
		if t.c.Name != s.c.Name || t.key == s.key || !t.c.Action.unpacks() {
			continue
		}
		for _, f := range t.newFiles {
			keep[f.Path] = true
		}
	}
	all, err := x.e.DB.Instances(s.c.Name)
	if err != nil {
		return nil, err
	}
	for _, in := range all {
		if changing[x.e.key(in.Name, in.Architecture)] {
			continue
		}
		files, err := x.e.DB.Files(in.Name, in.Architecture)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			keep[f.Path] = true
		}
	}
	return keep, nil
}

// moveAway renames an installed file to PATH.aim-old (a missing file is
// fine: the user may have deleted it).
func moveAway(root, p string) error {
	host, err := hostPath(root, p)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(host)
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.IsDir() {
		return nil
	}
	if err := os.Rename(host, host+oldSuffix); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// remove removes one package: prerm, files moved away (conffiles stay
// unless purging), postrm.
func (x *txn) remove(s *step) error {
	s.oldPrerm, s.dirs = true, dirsOf(x.e.Root, s.oldFiles)
	if err := x.saveUnwind(s); err != nil {
		return err
	}
	if err := x.script(s.c.Name, s.arch, "prerm", x.infoPath(s.key, "prerm"), hooks.PrermRemove()); err != nil {
		return err
	}
	keep, err := x.sharedKept(s)
	if err != nil {
		return err
	}
	s.removed = true
	for _, f := range s.oldFiles {
		if f.Type == 'd' || f.Conffile && !x.tx.Purge || keep[f.Path] {
			continue
		}
		if err := moveAway(x.e.Root, f.Path); err != nil {
			return fmt.Errorf("remove %s: %w", s.c.Name, err)
		}
	}
	if err := x.script(s.c.Name, s.arch, "postrm", x.infoPath(s.key, "postrm"), hooks.PostrmRemove()); err != nil {
		return err
	}
	if !x.tx.Purge {
		return nil
	}
	return x.script(s.c.Name, s.arch, "postrm", x.infoPath(s.key, "postrm"), hooks.PostrmPurge())
}

// configure runs the postinst of every new package in plan order.
func (x *txn) configure() error {
	c, _ := x.countSteps()
	for i, s := range x.steps {
		if !s.c.Action.unpacks() {
			continue
		}
		x.reportStep(&c, 0.8+0.1*float64(i)/float64(len(x.steps)), PhaseConfigure, "configuring", s)
		args := hooks.PostinstConfigure(cmp.Or(s.oldVersion(), s.cfgVersion))
		if err := x.script(s.c.Name, s.arch, "postinst", filepath.Join(s.ctrlDir, "postinst"), args); err != nil {
			return err
		}
	}
	return nil
}

// commit makes the files durable, then records the new state (with the
// packages whose noawait triggers failed left triggers-pending) and
// marks the journal committed in one database transaction: the commit
// point.
func (x *txn) commit(failed []triggerFailure) error {
	if x.flushed != nil {
		<-x.flushed
	}
	// The records are written while syncfs runs, and committed once it
	// returned: nothing written in a database transaction is durable or
	// seen before its commit, so the files are still on disk before the
	// records that name them.
	synced := make(chan error, 1)
	go func() { synced <- rootfs.SyncFS(x.e.Root) }()
	return x.e.DB.Update(func(tx *db.Tx) error {
		if err := x.recordCommit(tx, failed); err != nil {
			return err
		}
		if err := <-synced; err != nil {
			return err
		}
		return x.e.faultAt("commit")
	})
}

// recordCommit writes what the commit records: each step's outcome,
// the triggers left pending, the signatures, and the journal's end.
func (x *txn) recordCommit(tx *db.Tx, failed []triggerFailure) error {
	for _, s := range x.steps {
		if err := recordPending(tx, x.pendingOf(s), x.tx.Purge); err != nil {
			return err
		}
	}
	if err := addTriggersPending(tx, failed); err != nil {
		return err
	}
	var names []string
	for _, s := range x.steps {
		names = append(names, s.key)
	}
	if err := forgetHalfConfigured(tx, names); err != nil {
		return err
	}
	if err := x.recordSignatures(tx); err != nil {
		return err
	}
	if err := tx.DeleteMeta(pendingKey + x.id); err != nil {
		return err
	}
	if err := tx.DeleteMeta(pendingTriggersKey + x.id); err != nil {
		return err
	}
	return tx.SetJournalPhase(x.id, db.JournalCommitted)
}

// recordSignatures records the accepted signatures of the packages the
// transaction installs and forgets those of every other package it
// changes.
func (x *txn) recordSignatures(tx *db.Tx) error {
	for _, s := range x.steps {
		key := SignatureKey(s.c.Name)
		if v := x.tx.Signatures[s.c.Name]; v != "" && s.c.Action.unpacks() {
			if err := tx.SetMeta(key, v); err != nil {
				return err
			}
		} else if err := tx.DeleteMeta(key); err != nil {
			return err
		}
	}
	return nil
}

// flushEarly starts writing the staged files to disk in the background,
// so that the maintainer scripts that follow overlap the writeback and
// the syncfs before the commit has little left to do. It does not make
// anything durable by itself: commit waits for it and then syncs again,
// which covers whatever was written since.
func (x *txn) flushEarly() {
	x.flushed = make(chan struct{})
	go func() {
		defer close(x.flushed)
		rootfs.SyncFS(x.e.Root) // best effort; commit's own syncfs reports errors
	}()
}
