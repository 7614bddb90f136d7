package install

import (
	"errors"

	"aim/db"
	"aim/hooks"
)

// rollback undoes everything apply did, in reverse order, running the
// scripts' error-unwind forms as dpkg does. The database was not changed
// (the commit is apply's last step and is atomic); the task's final
// state, Failed with cause, is written in the same database transaction
// that forgets the journal.
func (x *txn) rollback(cause error) error {
	if !x.started {
		return nil
	}
	var journal []db.JournalStep
	for _, s := range x.steps {
		journal = append(journal, s.journal)
	}
	u, err := newUndoer(x.e.Root, x.e.DB, x.id, journal, x.e.fault)
	if err != nil {
		return err
	}
	for i := len(x.steps) - 1; i >= 0; i-- {
		if err := x.unwind(u, x.steps[i]); err != nil {
			// The journal stays: the next aim run finishes the rollback.
			return err
		}
	}
	var errs []error
	if err := forget(x.e.Root, x.e.DB, x.id, func(tx *db.Tx) error {
		r := x.t.record()
		r.State, r.Error, r.Finished = Failed.String(), cause.Error(), r.Updated
		return tx.PutTask(r)
	}); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// unwind undoes one step: the unwind scripts due before its files are
// put back, the files, then the rest of the unwind scripts.
func (x *txn) unwind(u *undoer, s *step) error {
	rec := x.unwindOf(s)
	before, after := unwindScripts(rec, x.e.Root, s.key, s.ctrlDir)
	x.unwindScripts(before)
	restoreDirs(x.e.Root, rec.Dirs)
	if err := u.step(s.journal); err != nil {
		return err
	}
	x.unwindScripts(after)
	return nil
}

// unwindScripts runs error-unwind scripts; their failures are only
// noted.
func (x *txn) unwindScripts(scripts []hooks.Script) {
	_, notes := runUnwind(x.ctx, x.scripts, scripts)
	for _, n := range notes {
		x.tr.Note("%s", n)
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
