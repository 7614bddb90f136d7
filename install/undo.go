package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"aim/db"
)

// undoKey prefixes the meta key (undoKey+TXID) of a rollback's journal:
// the new files of the transaction that the rollback deletes, by
// package, decided once from the tree as the interrupted transaction
// left it and written before the rollback changes anything. Every other
// undo action (delete a staged file, rename a backup back) is decided
// by what is on disk and does nothing when done twice; deleting a file
// is not: once a backup was renamed back, the restored file looks just
// like a new one. With the decision on record, a rollback interrupted
// any number of times (a crash, a kill of the recovery itself) never
// deletes a file it restored. The key goes with the journal (see forget).
const undoKey = "undo:"

// undoer rolls back the steps of one transaction.
type undoer struct {
	root  string
	d     *db.DB
	fault func(point string) error
	// del holds, by package, the new files the rollback deletes.
	del map[string][]string
}

// newUndoer returns the undoer of transaction txid: its recorded
// decisions, or, on the first rollback, decisions made now from the tree
// and recorded before anything changes.
func newUndoer(root string, d *db.DB, txid string, steps []db.JournalStep, fault func(string) error) (*undoer, error) {
	u := &undoer{root: root, d: d, fault: fault}
	data, err := d.Meta(undoKey + txid)
	if err == nil {
		if err := json.Unmarshal([]byte(data), &u.del); err != nil {
			return nil, fmt.Errorf("%s%s: %w", undoKey, txid, err)
		}
		return u, nil
	}
	if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	u.del = map[string][]string{}
	staging := true
	for _, st := range steps {
		if p := u.newlyCreated(st); len(p) > 0 {
			u.del[st.Package] = p
		}
		staging = staging && st.Phase == db.JournalStaging
	}
	if staging {
		// Nothing was put in place: no decision to keep, and none to
		// write on a disk that staging may have filled.
		return u, nil
	}
	enc, err := json.Marshal(u.del)
	if err != nil {
		return nil, err
	}
	if err := d.SetMeta(undoKey+txid, string(enc)); err != nil {
		return nil, fmt.Errorf("journal the rollback of %s: %w", txid, err)
	}
	return u, nil
}

// newlyCreated lists the new paths of st that the transaction created:
// a file stands there with neither a staged file (not yet renamed into
// place) nor a backup (nothing was replaced) beside it. Before staging
// finished no file was put in place, so none is listed.
func (u *undoer) newlyCreated(st db.JournalStep) []string {
	if st.Phase == db.JournalStaging {
		return nil
	}
	var out []string
	for _, p := range st.New {
		if strings.HasSuffix(p, "/") {
			continue
		}
		host, err := hostPath(u.root, p)
		if err != nil || exists(host+tmpSuffix) || exists(host+oldSuffix) {
			continue
		}
		if exists(host) && !isDir(host) {
			out = append(out, p)
		}
	}
	return out
}

// rollingBack reports whether a rollback of transaction txid began (it
// recorded its decisions): it must then be finished, never rolled
// forward, whatever phase the transaction had reached.
func rollingBack(d *db.DB, txid string) bool {
	_, err := d.Meta(undoKey + txid)
	return err == nil
}

// at is the injected failure for point, if any.
func (u *undoer) at(point string) error {
	if u.fault == nil {
		return nil
	}
	return u.fault(point)
}

// step puts back every path one step may have touched. Done twice, or
// after an interrupted attempt, it ends in the same state.
func (u *undoer) step(st db.JournalStep) error {
	newPaths := st.New
	if st.Phase == db.JournalStaging && st.Deb != "" {
		newPaths = listArchive(st.Deb) // staging may have begun: find its files
	}
	seen := map[string]bool{}
	var dirs []string
	for _, p := range newPaths {
		if strings.HasSuffix(p, "/") {
			dirs = append(dirs, strings.TrimSuffix(p, "/"))
			continue
		}
		seen[p] = true
		if err := u.undoNew(p); err != nil {
			return err
		}
	}
	for _, p := range u.del[st.Package] {
		if err := u.deleteNew(p); err != nil {
			return err
		}
	}
	for _, p := range st.Old {
		if strings.HasSuffix(p, "/") || seen[p] {
			continue
		}
		if err := u.restoreBackup(p); err != nil {
			return err
		}
	}
	if err := removeDirs(u.root, u.d, dirs); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := u.restoreBackup(d); err != nil { // a file displaced by a directory
			return err
		}
	}
	return nil
}

// undoNew deletes the staged file of new path p and restores what p
// replaced.
func (u *undoer) undoNew(p string) error {
	host, err := hostPath(u.root, p)
	if err != nil {
		return nil // the parent does not resolve: nothing was written
	}
	if exists(host + tmpSuffix) {
		if err := u.at("undo staged " + p); err != nil {
			return err
		}
		if err := removeIfExists(host + tmpSuffix); err != nil {
			return err
		}
	}
	return u.restoreBackup(p)
}

// deleteNew deletes a file the transaction created.
func (u *undoer) deleteNew(p string) error {
	host, err := hostPath(u.root, p)
	if err != nil || !exists(host) || isDir(host) {
		return nil
	}
	if err := u.at("undo delete " + p); err != nil {
		return err
	}
	return removeIfExists(host)
}

// restoreBackup renames p's backup, if any, back to p.
func (u *undoer) restoreBackup(p string) error {
	host, err := hostPath(u.root, p)
	if err != nil || !exists(host+oldSuffix) {
		return nil
	}
	if err := u.at("undo restore " + p); err != nil {
		return err
	}
	return restore(host)
}

// restore renames host.aim-old back to host. When both are links to the
// same file, rename does nothing, so the backup is then removed. An
// empty directory created at host in its place is removed first.
func restore(host string) error {
	if isDir(host) {
		os.Remove(host) // fails, as it should, when not empty
	}
	if err := os.Rename(host+oldSuffix, host); err != nil {
		return fmt.Errorf("restore %s: %w", host, err)
	}
	return removeIfExists(host + oldSuffix)
}
