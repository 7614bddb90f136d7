package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/hooks"
	"aim/repo"
)

// Action is what a Change does to a package.
type Action int

// The actions of a change.
const (
	Install Action = iota + 1
	Upgrade        // another version, or the same one again (reinstall)
	Remove
	// Purge deletes the conffiles that the removal of a package left
	// behind (dpkg's config-files state) and runs its kept postrm purge.
	Purge
)

// unpacks reports whether the action installs an archive.
func (a Action) unpacks() bool { return a == Install || a == Upgrade }

// String returns "install", "upgrade", "remove" or "purge".
func (a Action) String() string {
	switch a {
	case Install:
		return "install"
	case Upgrade:
		return "upgrade"
	case Remove:
		return "remove"
	case Purge:
		return "purge"
	}
	return "none"
}

// Change is one package of a transaction. For Install and Upgrade the
// archive comes from Path (a local file) or, when Path is "", is fetched
// from URL into the archives cache and must have Size and SHA256.
type Change struct {
	Action Action
	Name   string
	// Version is the new version (Install, Upgrade); ignored for Remove.
	Version string
	// Arch is the new version's architecture; with Name and Version it
	// names the archive downloaded from URL (see deb.Identity.FileName).
	Arch   string
	URL    string
	Path   string
	Size   int64
	SHA256 string
	// Need is the disk space (bytes) the package needs once installed,
	// as the index says (Maemo-Required-Free-Space, else Installed-Size);
	// the archive's own control data replaces it once read.
	Need int64
	// Auto marks a package installed only as a dependency; Origin is the
	// source it comes from ("" for a local file).
	Auto   bool
	Origin string
	// read is the control part of the archive at Path when the caller
	// read it already (ReadLocal).
	read *readArchive
}

// Transaction is what a task applies: its changes in plan order (the
// resolver's Steps order: removals first, dependencies before dependents).
type Transaction struct {
	Changes []Change
	// Purge also deletes the conffiles of removed packages and runs their
	// postrm purge.
	Purge bool
	// Confirm stops the task in AwaitingAcknowledge, after everything was
	// fetched and checked, until Acknowledge or Cancel.
	Confirm bool
	// Signatures holds, by package name, the summary of the signatures
	// the package-trust policy accepted for a package this transaction
	// installs. The commit records it (SignatureKey) and deletes the
	// record of every other package the transaction installs, upgrades or
	// removes, in the same database transaction as the package records.
	Signatures map[string]string
}

// SignatureKey is the database meta key that records that package name
// was installed with a signature the trust policy accepted, and which.
func SignatureKey(name string) string { return "pkgsig:" + name }

// Result says what a finished transaction did.
type Result struct {
	Installed, Upgraded, Removed []string
	// Purged names the packages whose leftover conffiles were purged.
	Purged []string
	// Reboot is set when a package has Maemo-Flags reboot or
	// flash-and-reboot; CloseApps for close-apps; Flags lists every flag
	// met, sorted.
	Reboot, CloseApps bool
	Flags             []string
	// KeptConffiles lists conffiles the user changed and the upgrade kept;
	// the package's version was written beside each as PATH.aim-new.
	KeptConffiles []string
	// Transcript is the transcript of the operation.
	Transcript string
}

// Engine applies transactions under one root. Its fields are set before
// the first Run and not changed meanwhile. One Engine runs one task at a
// time; the caller holds the database's writer lock.
type Engine struct {
	Root string
	DB   *db.DB
	// Fetcher downloads archives; nil means repo.NewFetcher().
	Fetcher *repo.Fetcher
	// Scripts runs maintainer scripts; nil means hooks.NewRunner(Root, false).
	Scripts *hooks.Runner
	// Log, when not nil, also receives the transcript (the session log).
	Log io.Writer
	// MinFree is extra space (bytes) that must stay free after unpacking.
	MinFree int64
	// Arch is the native architecture (New sets the one aim was built
	// for). A package of another architecture but all is an instance
	// keyed NAME:ARCH (see Key), so that it can sit beside the native
	// instance of a Multi-Arch: same package.
	Arch string

	// fault is where tests inject failures; staging calls it from
	// several goroutines at once (see stageAll).
	fault func(point string) error
	// stageWorkers, when positive, replaces stageWorkers (tests).
	stageWorkers int
	recovered    bool // recovery ran and nothing failed since
	recoveries   int  // how often recovery ran
}

// New returns an engine for root with the database d (opened for
// writing, its writer lock held by the caller).
func New(root string, d *db.DB) (*Engine, error) {
	if root == "" {
		root = "/"
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	r, err := hooks.NewRunner(abs, false)
	if err != nil {
		return nil, err
	}
	return &Engine{Root: abs, DB: d, Fetcher: repo.NewFetcher(), Scripts: r, Arch: deb.HostArch()}, nil
}

// ArchivesDir is where fetched archives are kept, relative to the root.
const ArchivesDir = rootfs.ArchivesDir

// InfoDir holds the control members of installed packages, relative to
// the root.
const InfoDir = rootfs.InfoDir

// tmpDir holds the control members of packages being installed.
const tmpDir = rootfs.TmpDir

// Run executes t over tx and returns what it did. It recovers an
// interrupted transaction first, unless this engine already did (an
// Installer recovers when it opens) and no Run failed since. On success the task ends Finished; on
// any error it ends Failed, the root and database are as they were
// before, and the error says why (wrapping ErrCancelled, or a
// *hooks.CancelledError when a checkrm refused).
func (e *Engine) Run(ctx context.Context, t *Task, tx *Transaction) (*Result, error) {
	buf := newTranscriptBuffer()
	w := io.Writer(buf)
	if e.Log != nil {
		w = io.MultiWriter(buf, e.Log)
	}
	tr := hooks.NewTranscript(w)
	tr.Begin(t.Kind, changeNames(tx)...)
	res, err := e.run(ctx, t, tx, tr)
	tr.End(t.Kind, err)
	e.finishTask(t, tx, err, buf.String())
	if err != nil {
		e.recovered = false
		return nil, err
	}
	res.Transcript = buf.String()
	return res, nil
}

// changeSet is the names and keys (see Key) of the packages tx changes.
func (e *Engine) changeSet(tx *Transaction) map[string]bool {
	out := map[string]bool{}
	for _, c := range tx.Changes {
		out[c.Name], out[e.key(c.Name, c.Arch)] = true, true
	}
	return out
}

// Bounds of the transcript a task stores in the database and returns in
// Result.Transcript: its first and its last transcriptHalf bytes (the
// session log gets every record; scripts' output is bounded there too).
const transcriptHalf = 1 << 20

// newTranscriptBuffer returns the buffer of a task's stored transcript.
func newTranscriptBuffer() *hooks.Clip { return hooks.NewClip(transcriptHalf, transcriptHalf) }

func changeNames(tx *Transaction) []string {
	var out []string
	for _, c := range tx.Changes {
		out = append(out, c.Action.String()+":"+c.Name)
	}
	return out
}

// finishTask records the end of t and its transcript.
func (e *Engine) finishTask(t *Task, tx *Transaction, err error, text string) {
	if err != nil {
		t.fail(err)
	} else {
		t.set(Finished, 1, "finished")
	}
	op := strings.TrimSpace(t.Kind + " " + strings.Join(changeNames(tx), " "))
	e.DB.Update(func(dtx *db.Tx) error {
		if err := dtx.PutTask(t.record()); err != nil {
			return err
		}
		return dtx.AddTranscript(&db.TranscriptEntry{Task: t.ID, Operation: op, OK: err == nil, Text: text})
	})
}

func (e *Engine) run(ctx context.Context, t *Task, tx *Transaction, tr *hooks.Transcript) (*Result, error) {
	clock := newPhaseClock()
	rec, err := e.recoverOnce(ctx, e.scriptRunner(tr))
	if err != nil {
		return nil, err
	}
	for _, n := range rec.Notes {
		tr.Note("recover: %s", n)
	}
	ctx, cancel := t.context(ctx)
	defer cancel()
	if err := e.configurePending(ctx, e.scriptRunner(tr), e.changeSet(tx)); err != nil {
		return nil, err
	}
	if err := e.runPendingTriggers(ctx, e.scriptRunner(tr), tr); err != nil {
		return nil, err
	}
	clock.mark("recover")
	t.persistTo(func(r *db.Task) { e.DB.PutTask(r) })
	t.set(Executing, 0, "preparing")
	x := &txn{e: e, t: t, tx: tx, tr: tr, ctx: ctx, id: t.ID, scripts: e.scriptRunner(tr), placed: map[string]bool{}, clock: clock}
	unlock, err := lockDpkg(e.Root)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := x.prepare(); err != nil {
		return nil, x.cancelled(err)
	}
	clock.mark("plan")
	if err := x.await(); err != nil {
		return nil, err
	}
	clock.skip()
	if err := t.enterInstalling(); err != nil {
		return nil, err
	}
	if err := x.apply(); err != nil {
		if rerr := x.rollback(err); rerr != nil {
			err = errors.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		return nil, x.explainFull(err)
	}
	t.set(CleaningUp, 0.95, "cleaning up")
	err = x.cleanup()
	clock.mark("cleanup")
	if err != nil {
		tr.Note("cleanup: %v (the next aim run finishes it)", err)
	} else if x.ldconfig {
		tr.Note("%s", runLdconfig(e.Root, x.scripts.Chroot))
		clock.mark("ldconfig")
	}
	tr.Note("%s", clock)
	return x.result(), nil
}

// scriptRunner returns the engine's runner writing to tr.
func (e *Engine) scriptRunner(tr *hooks.Transcript) *hooks.Runner {
	r := *e.Scripts
	r.Transcript = tr
	return &r
}

// cancelled turns a context error into ErrCancelled when the task was
// cancelled.
func (x *txn) cancelled(err error) error {
	if x.t.isCancelled() && !errors.Is(err, ErrCancelled) {
		return fmt.Errorf("%w: %v", ErrCancelled, err)
	}
	return err
}

// await stops in AwaitingAcknowledge when the transaction asks for it.
func (x *txn) await() error {
	if x.t.isCancelled() {
		return ErrCancelled
	}
	if !x.tx.Confirm {
		return nil
	}
	x.t.set(AwaitingAcknowledge, -1, "waiting for acknowledgement")
	select {
	case <-x.t.acked:
		return nil
	case <-x.t.cancelled:
		return ErrCancelled
	case <-x.ctx.Done():
		return x.cancelled(x.ctx.Err())
	}
}

// recoverOnce recovers an interrupted transaction with runner unless
// this engine already did.
func (e *Engine) recoverOnce(ctx context.Context, runner *hooks.Runner) (*Recovered, error) {
	if e.recovered {
		return &Recovered{}, nil
	}
	r, err := recoverWith(ctx, e.Root, e.DB, runner, e.fault)
	e.recovered, e.recoveries = err == nil, e.recoveries+1
	return r, err
}
