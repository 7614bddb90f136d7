package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"aim/db"
	"aim/hooks"
)

// unwindKey prefixes the meta keys (unwindKey+TXID+":"+PKG) that record,
// during a transaction, which maintainer scripts of a package have
// started. The record is written before the script runs, so that a
// rollback, by the process itself or by Recover after a crash, runs the
// error-unwind counterparts dpkg would: postrm abort-install or
// abort-upgrade for a new preinst, postinst abort-upgrade or abort-remove
// for an old prerm, old preinst abort-upgrade for an old postrm upgrade.
// A record is written only when the counterpart script exists. The keys
// go with the transaction's journal (see forget).
const unwindKey = "unwind:"

// unwindRecord is what a rollback needs to unwind one package.
type unwindRecord struct {
	Action                       string
	New, Old, Cfg                string
	OldPrerm, Preinst, OldPostrm bool
	// Dirs are the directories of a package being removed or purged,
	// put back by a rollback when a script deleted them.
	Dirs []keptDir `json:",omitempty"`
}

// unwindOf returns s's record as apply has got so far.
func (x *txn) unwindOf(s *step) unwindRecord {
	return unwindRecord{Action: s.c.Action.String(), New: s.version(), Old: s.oldVersion(), Cfg: s.cfgVersion,
		OldPrerm: s.oldPrerm, Preinst: s.preinst, OldPostrm: s.oldPostrm, Dirs: s.dirs}
}

// saveUnwind records s's started scripts in the journal before the one
// just marked runs, when its unwind script exists, and the directories
// of a removal.
func (x *txn) saveUnwind(s *step) error {
	rec := x.unwindOf(s)
	before, after := unwindScripts(rec, x.e.Root, s.key, s.ctrlDir)
	if !anyExists(before) && !anyExists(after) && len(rec.Dirs) == 0 {
		return nil
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := x.e.DB.SetMeta(unwindKey+x.id+":"+s.key, string(data)); err != nil {
		return fmt.Errorf("journal scripts of %s: %w", s.key, err)
	}
	return nil
}

func anyExists(scripts []hooks.Script) bool {
	for _, s := range scripts {
		if exists(s.Path) {
			return true
		}
	}
	return false
}

// loadUnwind returns the record of pkg in transaction txid; ok is false
// when none was written.
func loadUnwind(d *db.DB, txid, pkg string) (rec unwindRecord, ok bool, err error) {
	data, err := d.Meta(unwindKey + txid + ":" + pkg)
	if errors.Is(err, db.ErrNotFound) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	if err := json.Unmarshal([]byte(data), &rec); err != nil {
		return rec, false, fmt.Errorf("%s%s:%s: %w", unwindKey, txid, pkg, err)
	}
	return rec, true, nil
}

// unwindScripts returns the error-unwind calls for a package whose
// scripts r records: those to run before its files are put back, and
// those to run after. newCtrl is the directory holding the new
// version's control members.
func unwindScripts(r unwindRecord, root, pkg, newCtrl string) (before, after []hooks.Script) {
	info := func(m string) string { return infoPathOf(root, pkg, m) }
	mk := func(name, path string, args []string) hooks.Script {
		return hooks.Script{Package: pkg, Name: name, Path: path, Args: args}
	}
	if r.OldPostrm {
		before = append(before, mk("preinst", info("preinst"), hooks.PreinstAbortUpgrade(r.New)))
	}
	switch r.Action {
	case Purge.String():
		return before, nil
	case Remove.String():
		if r.OldPrerm {
			after = append(after, mk("postinst", info("postinst"), hooks.PostinstAbortRemove()))
		}
		return before, after
	}
	if r.Preinst && newCtrl != "" {
		args := hooks.PostrmAbortInstall()
		if r.Cfg != "" {
			args = hooks.PostrmAbortInstallRemoved(r.Cfg, r.New)
		}
		if r.Action == Upgrade.String() {
			args = hooks.PostrmAbortUpgrade(r.Old, r.New)
		}
		after = append(after, mk("postrm", filepath.Join(newCtrl, "postrm"), args))
	}
	if r.OldPrerm {
		after = append(after, mk("postinst", info("postinst"), hooks.PostinstAbortUpgrade(r.New)))
	}
	return before, after
}

// runUnwind runs unwind scripts; a failure is only returned as a note,
// since the rollback must go on.
func runUnwind(ctx context.Context, r *hooks.Runner, scripts []hooks.Script) (ran, notes []string) {
	for _, s := range scripts {
		desc := strings.Join(append([]string{s.Package, s.Name}, s.Args...), " ")
		res, err := r.Run(ctx, s)
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("unwind: %s: %v", desc, err))
		case res.Ran:
			ran = append(ran, desc)
		}
	}
	return ran, notes
}

// forgetUnwind deletes the unwind records of transaction txid.
func forgetUnwind(tx *db.Tx, txid string, pkgs []string) error {
	for _, p := range pkgs {
		if err := tx.DeleteMeta(unwindKey + txid + ":" + p); err != nil {
			return err
		}
	}
	return nil
}
