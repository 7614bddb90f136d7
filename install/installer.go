package install

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/hooks"
)

// Options say how Open opens a root. The zero value opens it for
// writing, waits for no other writer, and runs scripts chrooted.
type Options struct {
	// Arch is the native architecture packages are chosen for (aim.conf's
	// architecture); "" means the one aim was built for.
	Arch string
	// Foreign are the foreign architectures (aimconf.Foreign): updates
	// fetch their indexes too.
	Foreign []string
	// ReadOnly opens the root to decide only (aim install -s, the
	// service's plan()): no writer lock, no recovery, and Run refuses.
	ReadOnly bool
	// LockWait is how long Open waits while another process holds the
	// writer lock; 0 fails at once with a *db.LockedError.
	LockWait time.Duration
	// ChrootlessScripts runs maintainer scripts on the host with
	// DPKG_ROOT instead of chrooted into the root (recovery included).
	ChrootlessScripts bool
	// NoSessionLog leaves var/log/aim/session.log alone.
	NoSessionLog bool
	// KeepPending leaves pending configuration (half-configured packages,
	// pending triggers) for a later opening, for commands that only look
	// (aim verify). By default Open finishes it after recovery, as dpkg's
	// --configure -a, so every command that changes the system starts
	// from configured packages.
	KeepPending bool
	// Report, when not nil, is told what the Installer does (recovery,
	// decisions), in order, on the caller's goroutine.
	Report func(Notice)
}

// NoticeKind says what a Notice reports.
type NoticeKind int

// The notices an Installer gives.
const (
	// NoticeRecover: Open ran recovery; Recovered says what it did.
	NoticeRecover NoticeKind = iota + 1
	// NoticeDecide: a request is being decided.
	NoticeDecide
)

// Notice is one thing an Installer reports through Options.Report.
type Notice struct {
	Kind      NoticeKind
	Recovered *Recovered // NoticeRecover
	Request   Kind       // NoticeDecide
}

// Installer is the one way into the engine: it holds a root's database,
// its writer lock (from Open to Close, so nothing changes the system
// between a decision and its commit) and the engine, which Open has
// already brought back to a consistent state (recovery runs once per
// opening). Its methods are not safe for concurrent use; the command
// line opens one per command, the service one per task.
type Installer struct {
	root string
	opts Options
	db   *db.DB // nil for a read-only opening of a root without a database
	eng  *Engine
	log  *hooks.SessionLog
	rec  *Recovered
}

// Open opens root ("" means "/") as o says. For writing it opens (or
// creates) the database, takes the writer lock, waiting at most
// o.LockWait, and recovers an interrupted transaction with the script
// runner a transaction would use. Read-only, it opens the database when
// there is one and takes no lock. The caller must Close the Installer.
func Open(root string, o Options) (*Installer, error) {
	if root == "" {
		root = "/"
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	if o.Arch == "" {
		o.Arch = deb.HostArch()
	}
	in := &Installer{root: abs, opts: o}
	if o.ReadOnly {
		in.db, err = OpenReader(abs)
		return in, err
	}
	if in.db, err = db.Open(abs); err != nil {
		return nil, err
	}
	if err := in.db.Lock(o.LockWait); err != nil {
		in.db.Close()
		return nil, err
	}
	if err := in.start(); err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

// start makes the engine and recovers.
func (in *Installer) start() error {
	eng, err := New(in.root, in.db)
	if err != nil {
		return err
	}
	if in.opts.ChrootlessScripts {
		if eng.Scripts, err = hooks.NewRunner(eng.Root, true); err != nil {
			return err
		}
	}
	eng.Arch = in.opts.Arch
	in.eng = eng
	if !in.opts.NoSessionLog {
		if log, err := hooks.OpenSessionLog(rootfs.Root(in.root).LogDir(), 1<<20, 3); err == nil {
			in.log, eng.Log = log, log
		}
	}
	ctx := context.Background()
	if in.rec, err = eng.recoverOnce(ctx, eng.Scripts); err != nil {
		return err
	}
	if err := eng.finishInterrupted(ctx, in.rec, in.opts.KeepPending); err != nil {
		return fmt.Errorf("finish interrupted configuration: %w", err)
	}
	in.report(Notice{Kind: NoticeRecover, Recovered: in.rec})
	return nil
}

// Pending returns the packages still waiting for configuration after
// Open (see PendingState): those whose postinst configure or triggers
// failed again, or all of them when Options.KeepPending is set.
func (in *Installer) Pending() (map[string]string, error) {
	return PendingState(in.db)
}

// Close releases the writer lock, the session log and the database.
func (in *Installer) Close() error {
	var errs []error
	if in.log != nil {
		errs = append(errs, in.log.Close())
	}
	if in.db != nil {
		errs = append(errs, in.db.Close())
	}
	return errors.Join(errs...)
}

// Root returns the absolute root.
func (in *Installer) Root() string { return in.root }

// Arch returns the native architecture.
func (in *Installer) Arch() string { return in.opts.Arch }

// Foreign returns the foreign architectures the Installer was opened with.
func (in *Installer) Foreign() []string { return in.opts.Foreign }

// DB returns the database: opened for writing with the writer lock held,
// or read-only (nil when a read-only opening found none).
func (in *Installer) DB() *db.DB { return in.db }

// Recovered says what Open's recovery did; empty when read-only.
func (in *Installer) Recovered() *Recovered {
	if in.rec == nil {
		return &Recovered{}
	}
	return in.rec
}

// System loads what a decision is made on: the cache (with locals
// beside it), the installed packages and the holds. Without package
// lists it fails with an error wrapping ErrNoLists, unless locals are
// given. The caller closes it.
func (in *Installer) System(locals ...LocalArchive) (*System, error) {
	return loadSystem(in.root, in.opts.Arch, in.opts.Foreign, in.db, true, locals)
}

// ErrReadOnly is returned by Run on an Installer opened read-only.
var ErrReadOnly = errors.New("opened read-only: cannot change the system")

// Run applies d's transaction as task t (see Engine.Run: on any error
// the system is as it was before). The writer lock stays held.
func (in *Installer) Run(ctx context.Context, t *Task, d *Decision) (*Result, error) {
	if in.eng == nil {
		return nil, ErrReadOnly
	}
	return in.eng.Run(ctx, t, d.Tx)
}

// RunForced is Run for a retry of removals that failed half-way: failing
// prerms are ignored (see Engine.RunForced).
func (in *Installer) RunForced(ctx context.Context, t *Task, d *Decision) (*Result, error) {
	if in.eng == nil {
		return nil, ErrReadOnly
	}
	return in.eng.RunForced(ctx, t, d.Tx)
}

func (in *Installer) report(n Notice) {
	if in.opts.Report != nil {
		in.opts.Report(n)
	}
}
