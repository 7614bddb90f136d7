package install

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"aim/db"
	"aim/deb/rootfs"
	"aim/deb/unpack"
)

// Suffixes of the files the engine keeps beside a target. The staging
// and backup suffixes hold a newline, which no package file name can
// (dpkg refuses such names, and so does staging here: see checkMember),
// so that a staged file or a backup never collides with a file a
// package ships, be it called README.aim-old. The kept conffile is for
// the user to see and keeps a plain name, like dpkg's .dpkg-dist.
const (
	tmpSuffix  = ".aim-tmp\n" // a staged new file
	oldSuffix  = ".aim-old\n" // the replaced file, until commit
	distSuffix = ".aim-new"   // a package's conffile kept aside for the user
)

// checkMember refuses a data member that staging must not write: a
// name holding a newline (dpkg refuses them too, and the staging names
// rely on it), or one in aim's or dpkg's own directories.
func checkMember(name string, isDir bool) error {
	if strings.ContainsRune(name, '\n') {
		return fmt.Errorf("%q: a newline is not allowed in a file name", name)
	}
	return rootfs.CheckMember(name, isDir)
}

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
		st := db.JournalStep{TxID: x.id, Action: s.c.Action.String(), Package: s.key,
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

// stage extracts s's data into staging files and its control members
// into its control directory.
func (x *txn) stage(s *step) error {
	f, ar, err := s.read.openData(s.archive)
	if err != nil {
		return err
	}
	defer f.Close()
	defer ar.Close()
	data, err := ar.Data()
	if err != nil {
		return err
	}
	opts := unpack.Options{Chown: os.Geteuid() == 0, Check: x.stageCheck(s), Paths: x.paths}
	full := x.boundSize(s, &opts)
	s.entries, err = unpack.ExtractStaged(data, x.e.Root, tmpSuffix, opts)
	s.newFiles = filesOf(s.entries, s.ctrl.Conffiles())
	var le *unpack.LimitError
	if errors.As(err, &le) && !le.File && le.Limit == full {
		err = fmt.Errorf("%w: %w", syscall.ENOSPC, err) // explained as a SpaceError
	}
	if err == nil {
		err = x.e.faultAt("stage " + s.c.Name)
	}
	if err != nil {
		return err
	}
	return x.writeControl(s)
}

// boundSize bounds what s may unpack (a bomb, or a package understating
// its size): well past its Installed-Size (see unpack.SizeLimit), and
// never past the space free now. It returns the free space when that is
// the bound, else -1.
func (x *txn) boundSize(s *step, opts *unpack.Options) int64 {
	n, _ := kib(s.ctrl.Control, "Installed-Size")
	opts.MaxTotalSize = unpack.SizeLimit(n >> 10)
	free, err := freeSpace(x.e.Root)
	if err != nil || free <= 0 || opts.MaxTotalSize > 0 && opts.MaxTotalSize <= free {
		return -1
	}
	opts.MaxTotalSize = free
	return free
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
	return rootfs.Root(root).Path(tmpDir, txid, pkg)
}

// writeControl writes s's control members (scripts, conffiles, triggers,
// checkrm, ...) to its control directory, with the manifest that lists
// them (see infoManifest). Nothing is synced here: the syncfs before the
// commit makes them durable, before anything relies on them.
func (x *txn) writeControl(s *step) error {
	s.ctrlDir = ctrlDir(x.e.Root, x.id, s.key)
	if err := os.MkdirAll(s.ctrlDir, 0o755); err != nil {
		return err
	}
	var names []string
	for _, m := range s.ctrl.Members {
		if !m.IsRegular() || strings.ContainsAny(m.Name, "/\n") {
			continue
		}
		mode := os.FileMode(0o644)
		if m.Mode.Perm()&0o111 != 0 {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(s.ctrlDir, m.Name), m.Data, mode); err != nil {
			return err
		}
		names = append(names, m.Name)
	}
	return os.WriteFile(filepath.Join(s.ctrlDir, infoManifestName), []byte(strings.Join(names, "\n")), 0o644)
}

// faultAt returns the injected failure for point, if any.
func (e *Engine) faultAt(point string) error {
	if e.fault == nil {
		return nil
	}
	return e.fault(point)
}
