package install

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/deb/unpack"
)

// Suffixes of the files the engine keeps beside a target.
const (
	tmpSuffix  = ".aim-tmp" // a staged new file
	oldSuffix  = ".aim-old" // the replaced file, until commit
	distSuffix = ".aim-new" // a package's conffile kept aside for the user
)

// hostPath returns where the absolute in-root path p lives on the host:
// its parent resolved inside root (symlinks followed as if root were
// "/"), joined with its last component.
func hostPath(root, p string) (string, error) {
	return rootfs.Root(root).JoinNoFollow(p)
}

// begin writes the journal of the transaction before anything changes.
func (x *txn) begin() error {
	var steps []db.JournalStep
	for _, s := range x.steps {
		st := db.JournalStep{TxID: x.id, Action: s.c.Action.String(), Package: s.c.Name,
			Phase: db.JournalStaging, Deb: s.archive, Old: filePaths(s.oldFiles), Purge: x.tx.Purge}
		steps = append(steps, st)
	}
	if err := x.e.DB.AddJournal(steps); err != nil {
		return err
	}
	for i, s := range x.steps {
		s.journal = steps[i]
	}
	x.started = true
	return nil
}

// filePaths lists paths for the journal, directories with a trailing "/".
func filePaths(files []db.File) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		if f.Type == 'd' {
			out = append(out, strings.TrimSuffix(f.Path, "/")+"/")
		} else {
			out = append(out, f.Path)
		}
	}
	return out
}

// stageAll unpacks every new archive into staging files and marks the
// journal staged.
func (x *txn) stageAll() error {
	c, _ := x.countSteps()
	for i, s := range x.steps {
		if !s.c.Action.unpacks() {
			s.journal.Phase = db.JournalStaged
			continue
		}
		x.reportStep(&c, 0.4+0.2*float64(i)/float64(len(x.steps)), PhaseUnpack, "unpacking", s)
		err := x.stage(s)
		s.journal.New = filePaths(s.newFiles)
		if err != nil {
			return fmt.Errorf("unpack %s: %w", s.c.Name, err)
		}
		s.journal.Phase = db.JournalStaged
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

// stage extracts s's data into staging files and its control members
// into its control directory.
func (x *txn) stage(s *step) error {
	f, err := os.Open(s.archive)
	if err != nil {
		return err
	}
	defer f.Close()
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		return err
	}
	defer ar.Close()
	data, err := ar.Data()
	if err != nil {
		return err
	}
	s.entries, err = unpack.ExtractStaged(data, x.e.Root, tmpSuffix, unpack.Options{Chown: os.Geteuid() == 0})
	s.newFiles = filesOf(s.entries, s.ctrl.Conffiles())
	if err == nil {
		err = x.e.faultAt("stage " + s.c.Name)
	}
	if err != nil {
		return err
	}
	return x.writeControl(s)
}

// filesOf turns unpacked entries into file records.
func filesOf(entries []unpack.Entry, conffiles []string) []db.File {
	conf := map[string]bool{}
	for _, c := range conffiles {
		conf[path.Clean("/"+c)] = true
	}
	out := make([]db.File, 0, len(entries))
	for _, e := range entries {
		if e.Path == "." {
			continue
		}
		p := "/" + e.Path
		f := db.File{Path: p, Mode: e.Mode.Perm() | e.Mode&(os.ModeSetuid|os.ModeSetgid|os.ModeSticky),
			Size: e.Size, SHA256: e.SHA256, Link: e.Link, Conffile: conf[p]}
		f.Type = typeLetter(e.Type)
		out = append(out, f)
	}
	return out
}

func typeLetter(t byte) byte {
	switch t {
	case '5':
		return 'd'
	case '2':
		return 'l'
	case '1':
		return 'h'
	case '6':
		return 'p'
	}
	return 'f'
}

// ctrlDir returns the host directory of a package's control members
// during transaction txid.
func ctrlDir(root, txid, pkg string) string {
	return filepath.Join(root, tmpDir, txid, pkg)
}

// writeControl writes s's control members (scripts, conffiles, triggers,
// checkrm, ...) to its control directory.
func (x *txn) writeControl(s *step) error {
	s.ctrlDir = ctrlDir(x.e.Root, x.id, s.c.Name)
	if err := os.MkdirAll(s.ctrlDir, 0o755); err != nil {
		return err
	}
	for _, m := range s.ctrl.Members {
		if !m.IsRegular() || strings.Contains(m.Name, "/") {
			continue
		}
		mode := os.FileMode(0o644)
		if m.Mode.Perm()&0o111 != 0 {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(s.ctrlDir, m.Name), m.Data, mode); err != nil {
			return err
		}
	}
	return nil
}

// faultAt returns the injected failure for point, if any.
func (e *Engine) faultAt(point string) error {
	if e.fault == nil {
		return nil
	}
	return e.fault(point)
}
