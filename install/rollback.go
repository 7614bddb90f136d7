package install

import (
	"errors"
	"path/filepath"

	"aim/hooks"
)

// rollback undoes everything apply did, in reverse order, running the
// scripts' error-unwind forms as dpkg does. The database was not changed
// (the commit is apply's last step and is atomic).
func (x *txn) rollback() error {
	if !x.started {
		return nil
	}
	var errs []error
	for i := len(x.steps) - 1; i >= 0; i-- {
		if err := x.unwind(x.steps[i]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := forget(x.e.Root, x.e.DB, x.id); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// unwind undoes one step: its files first, then the unwind scripts.
func (x *txn) unwind(s *step) error {
	name, newV, oldV := s.c.Name, s.version(), s.oldVersion()
	if s.oldPostrm {
		x.unwindScript(name, "preinst", x.infoPath(name, "preinst"), hooks.PreinstAbortUpgrade(newV))
	}
	if err := undoStep(x.e.Root, x.e.DB, s.journal); err != nil {
		return err
	}
	if s.c.Action == Purge {
		return nil
	}
	if s.c.Action == Remove {
		if s.oldPrerm {
			x.unwindScript(name, "postinst", x.infoPath(name, "postinst"), hooks.PostinstAbortRemove())
		}
		return nil
	}
	if s.preinst {
		args := hooks.PostrmAbortInstall()
		if s.cfgVersion != "" {
			args = hooks.PostrmAbortInstallRemoved(s.cfgVersion, newV)
		}
		if s.c.Action == Upgrade {
			args = hooks.PostrmAbortUpgrade(oldV, newV)
		}
		x.unwindScript(name, "postrm", filepath.Join(s.ctrlDir, "postrm"), args)
	}
	if s.oldPrerm {
		x.unwindScript(name, "postinst", x.infoPath(name, "postinst"), hooks.PostinstAbortUpgrade(newV))
	}
	return nil
}

// unwindScript runs an error-unwind script; its failure is only noted.
func (x *txn) unwindScript(pkg, name, path string, args []string) {
	if _, err := x.scripts.Run(x.ctx, hooks.Script{Package: pkg, Name: name, Path: path, Args: args}); err != nil {
		x.tr.Note("unwind: %s %s: %v", pkg, name, err)
	}
}

// cleanup finishes a committed transaction: backups deleted, empty
// directories of removed files removed, control members installed.
func (x *txn) cleanup() error {
	steps, err := x.e.DB.Journal()
	if err != nil {
		return err
	}
	var mine = steps[:0]
	for _, st := range steps {
		if st.TxID == x.id {
			mine = append(mine, st)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	return finishCommitted(x.e.Root, x.e.DB, mine)
}
