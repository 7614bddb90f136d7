package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/deb/unpack"
	"aim/hooks"
	"aim/repo"
)

// txn is the state of one Run.
type txn struct {
	e       *Engine
	t       *Task
	tx      *Transaction
	tr      *hooks.Transcript
	ctx     context.Context
	id      string
	scripts *hooks.Runner
	steps   []*step
	flags   map[string]bool
	kept    []string
	started bool // the journal was written
	// ldconfig is set when ldconfig must run once the backups are gone.
	ldconfig bool
	// placed holds the paths replaceFiles put in place, so that the
	// second instance of a Multi-Arch: same package to ship a shared
	// file finds it placed.
	placed map[string]bool
	// displacing is held by displace, which staging calls from several
	// goroutines at once (see stageAll).
	displacing sync.Mutex
	// paths resolves in-root paths while staging, for displace and the
	// extractors of every package staged at once (see stageAll).
	paths *rootfs.Resolver
	// flushed is closed when the early flush of the staged files that
	// apply starts (see flushEarly) has returned.
	flushed chan struct{}
	// clock times the phases for the transcript's timing note.
	clock *phaseClock
}

// step is one change with what the engine learnt about it.
type step struct {
	c Change
	// key names the instance (see Key); arch is its architecture as
	// installed or to install ("" when neither is known yet).
	key, arch string
	old       *db.InstalledPackage // the installed version, for Upgrade and Remove
	oldFiles  []db.File
	archive   string              // the local .deb
	cached    string              // its name in the archives cache, when fetched
	ctrl      *deb.ControlArchive // the new version's control members
	read      *readArchive        // the archive they were read from
	ctrlDir   string              // host dir holding them during the transaction
	entries   []unpack.Entry
	newFiles  []db.File
	conf      map[string]string // new conffiles: path -> shipped hash
	journal   db.JournalStep
	// how far apply got, for the unwind
	oldPrerm, preinst, replaced, oldPostrm, removed bool
	// cfgVersion is the version whose conffiles a removal left behind,
	// for Install and Purge of a package in the config-files state.
	cfgVersion string
	takeover   map[string][]string // owner -> paths moved to this package
	// dirs are the old version's directories before a removal.
	dirs []keptDir
}

func (s *step) version() string { return s.c.Version }

// oldArch is the architecture of the instance as installed, else of the
// one to install.
func (s *step) oldArch() string {
	if s.old != nil {
		return s.old.Architecture
	}
	return s.arch
}

func (s *step) oldVersion() string {
	if s.old == nil {
		return ""
	}
	return s.old.Version.String()
}

// prepare fetches and reads every archive and checks, without changing
// anything, that the transaction can run.
func (x *txn) prepare() error {
	for _, c := range x.tx.Changes {
		s, err := x.load(c)
		if err != nil {
			return err
		}
		x.steps = append(x.steps, s)
	}
	if err := x.checkSpace(true); err != nil {
		return err
	}
	if err := x.fetchAll(); err != nil {
		return err
	}
	if err := x.readAll(); err != nil {
		return err
	}
	if err := x.checkSpace(false); err != nil {
		return err
	}
	x.mergeFlags()
	if err := x.checkScripts(); err != nil {
		return err
	}
	return x.checkrm()
}

// load reads the installed state of c's package.
func (x *txn) load(c Change) (*step, error) {
	s := &step{c: c, key: x.e.key(c.Name, c.Arch), arch: c.Arch}
	old, err := x.instance(c)
	switch {
	case errors.Is(err, db.ErrNotFound):
		if c.Action != Install && c.Action != Purge {
			return nil, fmt.Errorf("%s %s: not installed by aim", c.Action, c.Name)
		}
		if c.Action == Purge && c.Arch == "" {
			s.key = x.removedKey(c.Name)
		}
		if err := x.loadConfigFiles(s); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		s.old = old
		if s.arch == "" || c.Action == Remove {
			s.key, s.arch = x.e.key(c.Name, old.Architecture), old.Architecture
		}
		if err := x.adoptInfo(s); err != nil {
			return nil, err
		}
		if s.oldFiles, err = x.e.DB.Files(c.Name, old.Architecture); err != nil {
			return nil, err
		}
		if c.Action == Purge {
			return nil, fmt.Errorf("purge %s: still installed (remove it with --purge)", c.Name)
		}
		if c.Action == Install {
			s.c.Action = Upgrade
		}
	}
	if c.Action == Remove && s.old == nil {
		return nil, fmt.Errorf("remove %s: not installed", c.Name)
	}
	if c.Action.unpacks() && c.Path == "" {
		name, err := deb.Identity{Package: c.Name, Version: c.Version, Architecture: c.Arch}.FileName()
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", c.Name, err)
		}
		s.cached = name
	}
	return s, nil
}

// adoptInfo renames the control members that an aim of schema version 2
// kept for a foreign architecture's package under its bare name
// (InfoDir/NAME.MEMBER) to the instance's key, when that instance is the
// package's only one (so the members are its own).
func (x *txn) adoptInfo(s *step) error {
	if s.key == s.c.Name {
		return nil
	}
	all, err := x.e.DB.Instances(s.c.Name)
	if err != nil || len(all) != 1 {
		return err
	}
	old, err := filepath.Glob(filepath.Join(rootfs.Root(x.e.Root).Path(InfoDir), s.c.Name+".*"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if !isMemberOf(filepath.Base(p), s.c.Name) {
			continue // another package's (NAME.MORE.MEMBER)
		}
		member := strings.TrimPrefix(filepath.Base(p), s.c.Name+".")
		if err := os.Rename(p, x.infoPath(s.key, member)); err != nil {
			return fmt.Errorf("%s: %w", s.key, err)
		}
	}
	return nil
}

// removedKey is the key of a removed package whose postrm stays for its
// purge: NAME, or the one NAME:ARCH of a foreign instance that left one.
func (x *txn) removedKey(name string) string {
	if exists(x.infoPath(name, "postrm")) {
		return name
	}
	kept, _ := filepath.Glob(filepath.Join(rootfs.Root(x.e.Root).Path(InfoDir), name+":*.postrm"))
	if len(kept) == 1 {
		return strings.TrimSuffix(filepath.Base(kept[0]), ".postrm")
	}
	return name
}

// instance returns the installed instance c changes: the one of c's
// architecture, or the only one when c names none or moves it between
// the native architecture and all. An instance of another architecture
// is not c's: c's package is installed beside it. The error wraps
// db.ErrNotFound when there is none.
func (x *txn) instance(c Change) (*db.InstalledPackage, error) {
	if c.Arch == "" {
		return x.e.DB.Installed(c.Name, "")
	}
	all, err := x.e.DB.Instances(c.Name)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Architecture == c.Arch {
			return &all[i], nil
		}
	}
	for i := range all {
		if x.e.sameSlot(all[i].Architecture, c.Arch) {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("installed package %s: %w", x.e.key(c.Name, c.Arch), db.ErrNotFound)
}

// fetchAll downloads the archives not yet in the cache.
func (x *txn) fetchAll() error {
	dir := rootfs.Root(x.e.Root).Path(ArchivesDir)
	f, fetched := x.downloadReporter(x.remoteSize())
	for _, s := range x.steps {
		if !s.c.Action.unpacks() {
			continue
		}
		if s.c.Path != "" {
			s.archive = s.c.Path
			continue
		}
		p, err := x.fetch(f, filepath.Join(dir, s.cached), s.c)
		if err != nil {
			return err
		}
		fetched(s.c.Size)
		s.archive = p
	}
	return nil
}

// fetch returns the cached archive of c at dest, downloading it with f
// when it is not already there with the right size and hash.
func (x *txn) fetch(f *repo.Fetcher, dest string, c Change) (string, error) {
	if c.URL == "" || c.SHA256 == "" {
		return "", fmt.Errorf("fetch %s: no archive location or hash", c.Name)
	}
	if ok, _ := fileMatches(dest, c.Size, c.SHA256); ok {
		return dest, nil
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("fetch %s: %w", c.Name, err)
	}
	_, err := f.Fetch(x.ctx, repo.Request{URL: c.URL, Dest: dest, Size: c.Size, SHA256: c.SHA256})
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", c.Name, err)
	}
	return dest, nil
}

// readAll reads the control data of every new archive, unless the
// caller read it already from the same, unchanged file.
func (x *txn) readAll() error {
	var unread []*step
	var paths []string
	for _, s := range x.steps {
		if !s.c.Action.unpacks() {
			continue
		}
		s.read = s.c.read
		if s.read == nil || s.archive != s.c.Path || !s.read.unchanged(s.archive) {
			unread, paths = append(unread, s), append(paths, s.archive)
		}
	}
	read, bad, err := readControls(paths)
	if ae := (*archiveError)(nil); errors.As(err, &ae) {
		return fmt.Errorf("%s: read %s: %w", unread[bad].c.Name, paths[bad], ae.err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", unread[bad].c.Name, err)
	}
	for i, s := range unread {
		s.read = read[i]
	}
	for _, s := range x.steps {
		if !s.c.Action.unpacks() {
			continue
		}
		id := deb.IdentityOf(s.read.ctrl.Control)
		if id.Package != s.c.Name {
			return fmt.Errorf("%s: archive %s holds package %q", s.c.Name, s.archive, id.Package)
		}
		s.ctrl = s.read.ctrl
		if s.c.Version == "" {
			s.c.Version = id.Version
		}
		if s.arch != id.Architecture && s.c.Arch == "" {
			s.arch, s.key = id.Architecture, x.e.key(s.c.Name, id.Architecture)
		}
	}
	return nil
}

// checkScripts refuses, before anything changes, packages with scripts
// going into a root where they cannot run.
func (x *txn) checkScripts() error {
	for _, s := range x.steps {
		if s.ctrl == nil || !hasScripts(s.ctrl) {
			continue
		}
		if err := hooks.CheckRoot(x.scripts.Root, x.scripts.Chroot); err != nil {
			return fmt.Errorf("%s has maintainer scripts: %w", s.c.Name, err)
		}
	}
	return nil
}

func hasScripts(c *deb.ControlArchive) bool {
	for _, n := range []string{"preinst", "postinst", "prerm", "postrm"} {
		if _, ok := c.Member(n); ok {
			return true
		}
	}
	return false
}

// checkrm runs the checkrm of every package upgraded or removed; exit
// status 111 cancels the whole transaction.
func (x *txn) checkrm() error {
	for _, s := range x.steps {
		var args []string
		switch s.c.Action {
		case Remove:
			args = hooks.CheckrmRemove()
		case Upgrade:
			args = hooks.CheckrmUpgrade(s.c.Version)
		default:
			continue
		}
		p := hooks.CheckrmPath(x.e.Root, s.c.Name)
		if _, err := x.scripts.RunCheckrm(x.ctx, s.c.Name, p, args); err != nil {
			return err
		}
	}
	return nil
}

// mergeFlags collects Maemo-Flags and moves packages that need a reboot
// to the end (keeping their order).
func (x *txn) mergeFlags() {
	x.flags = map[string]bool{}
	var first, last []*step
	for _, s := range x.steps {
		reboot := false
		if s.ctrl != nil {
			for _, f := range strings.FieldsFunc(s.ctrl.Control.Get("Maemo-Flags"), isFlagSep) {
				x.flags[f] = true
				reboot = reboot || f == "reboot" || f == "flash-and-reboot"
			}
		}
		if reboot {
			last = append(last, s)
		} else {
			first = append(first, s)
		}
	}
	x.steps = append(first, last...)
}

func isFlagSep(r rune) bool { return r == ',' || r == ' ' || r == '\t' }

// result builds the Result of a committed transaction.
func (x *txn) result() *Result {
	r := &Result{KeptConffiles: x.kept}
	for _, s := range x.steps {
		switch s.c.Action {
		case Install:
			r.Installed = append(r.Installed, s.key)
		case Upgrade:
			r.Upgraded = append(r.Upgraded, s.key)
		case Remove:
			r.Removed = append(r.Removed, s.key)
		case Purge:
			r.Purged = append(r.Purged, s.key)
		}
	}
	for f := range x.flags {
		r.Flags = append(r.Flags, f)
	}
	sort.Strings(r.Flags)
	r.Reboot = x.flags["reboot"] || x.flags["flash-and-reboot"]
	r.CloseApps = x.flags["close-apps"]
	return r
}

// kib reads a size field in KiB.
func kib(p *deb.Paragraph, field string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(p.Get(field)), 10, 64)
	return n * 1024, err == nil && n >= 0
}
