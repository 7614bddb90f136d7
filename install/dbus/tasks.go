package dbus

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"aim/db"
	"aim/install"
)

// task is a service task: the engine's task plus what the service shows
// of it.
type task struct {
	*install.Task
	// run does the task's work in the worker.
	run     func(ctx context.Context, t *task) error
	install bool // an installation: it goes through the Installing states
	cancel  context.CancelFunc

	mu       sync.Mutex
	pkg      string
	shown    install.State // the last state reported
	progress float64       // the last progress reported
	base     float64       // engine progress p is shown as base+(1-base)*p
	ackTimer *time.Timer
	removing []string // packages the engine removes (packageAboutToBeRemoved)
	toldGone bool     // packageAboutToBeRemoved was emitted for removing
	seq      uint64   // creation order
}

// newTask makes a task of kind about pkg ("" when several), stores it
// Queued and queues it. It returns "" when the queue is full.
func (s *Server) newTask(kind, pkg string, installing bool, run func(context.Context, *task) error) string {
	t := &task{run: run, install: installing, pkg: pkg}
	t.Task = install.NewTask(kind, pkg, func(ev install.Event) { s.observe(t, ev) })
	s.mu.Lock()
	s.seq++
	t.seq = s.seq
	s.tasks[t.ID] = t
	s.mu.Unlock()
	s.reader.Update(func(tx *db.Tx) error { return tx.PutTask(t.Record()) })
	select {
	case s.queue <- t:
		return t.ID
	default:
		s.mu.Lock()
		delete(s.tasks, t.ID)
		s.mu.Unlock()
		return ""
	}
}

// work runs the queued tasks one at a time until the server stops.
func (s *Server) work() {
	defer s.worker.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case t := <-s.queue:
			s.runTask(t)
		}
	}
}

// runTask runs t and reports its end.
func (s *Server) runTask(t *task) {
	ctx, cancel := context.WithCancel(s.ctx)
	t.mu.Lock()
	t.cancel = cancel
	t.mu.Unlock()
	defer cancel()
	var err error
	if t.Cancelled() {
		err = install.ErrCancelled
		t.Fail(err)
	} else {
		t.Begin(0, "started")
		err = t.run(ctx, t)
		if err != nil && t.State() != install.Failed {
			t.Fail(err) // failed before the engine ran
		}
	}
	t.stopAckTimer()
	s.reader.Update(func(tx *db.Tx) error { return tx.PutTask(t.Record()) })
	before := s.versions()
	s.reload()
	s.announce(t, before, s.versions())
	if err != nil {
		code, msg := errorCode(err), err.Error()
		s.emitBoth("taskStateChanged", t.ID, install.Failed.String())
		s.emitBoth("taskFailed", t.ID, int32(code), msg)
		return
	}
	s.emitBoth("taskStateChanged", t.ID, install.Finished.String())
	s.emitBoth("taskFinished", t.ID)
}

// versions returns the installed packages' versions by name.
func (s *Server) versions() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.installed))
	for n, p := range s.installed {
		out[n] = p.Version.String()
	}
	return out
}

// announce emits the model's changes between before and after:
// packageAboutToBeRemoved for removals not announced when the task
// entered Installing, packageAdded, packageChanged for new versions and
// countChanged.
func (s *Server) announce(t *task, before, after map[string]string) {
	t.mu.Lock()
	announced := map[string]bool{}
	for _, n := range t.removing {
		announced[n] = t.toldGone
	}
	t.mu.Unlock()
	for _, n := range sortedKeys(before) {
		if _, ok := after[n]; !ok && !announced[n] {
			s.emitBoth("packageAboutToBeRemoved", n)
		}
	}
	for _, n := range sortedKeys(after) {
		old, ok := before[n]
		switch {
		case !ok:
			s.emitBoth("packageAdded", n)
		case old != after[n]:
			s.emitBoth("packageChanged", n, []string{"version", "name", "description", "icon", "categories", "isUpdating", "isBlocked"})
		}
	}
	if len(before) != len(after) {
		s.emitBoth("countChanged", int32(len(after)))
		s.propertiesChanged("count", int32(len(after)))
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// observe turns the engine's events into signals: state changes (the
// Installing and CleaningUp states only for installations, and
// AwaitingAcknowledge only when no acknowledge has come yet), progress
// that only grows, and taskStarted, taskBlockingUntilInstallationAcknowledge.
// Finished and Failed are reported by runTask once the model is updated.
func (s *Server) observe(t *task, ev install.Event) {
	t.mu.Lock()
	st := ev.State
	if !t.install && (st == install.Installing || st == install.CleaningUp || st == install.AwaitingAcknowledge) {
		st = install.Executing
	}
	if st == install.AwaitingAcknowledge && t.Acknowledged() {
		st = t.shown
	}
	changed := st != t.shown && st != install.Finished && st != install.Failed
	if changed {
		t.shown = st
	}
	p := ev.Progress
	if t.install && st != install.Finished {
		p = t.base + (1-t.base)*p
	}
	grew := p > t.progress && st != install.Failed
	if grew {
		t.progress = p
	}
	var removing []string
	if ev.State == install.Installing && !t.toldGone {
		removing, t.toldGone = t.removing, true
	}
	t.mu.Unlock()
	for _, n := range removing {
		s.emitBoth("packageAboutToBeRemoved", n)
	}
	if changed {
		s.emitBoth("taskStateChanged", t.ID, st.String())
		switch st {
		case install.Executing:
			s.emitBoth("taskStarted", t.ID)
		case install.AwaitingAcknowledge:
			s.emitBoth("taskBlockingUntilInstallationAcknowledge", t.ID)
			t.startAckTimer(s.ackTO)
		}
		if pkg := t.packageID(); pkg != "" && s.lookup(pkg) != nil {
			s.emitBoth("packageChanged", pkg, []string{"isBlocked", "isUpdating"})
		}
	}
	if grew {
		s.emitBoth("taskProgressChanged", t.ID, p)
	}
}

// startAckTimer cancels t when no acknowledge comes within d.
func (t *task) startAckTimer(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ackTimer == nil {
		t.ackTimer = time.AfterFunc(d, func() { t.Cancel() })
	}
}

func (t *task) stopAckTimer() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ackTimer != nil {
		t.ackTimer.Stop()
	}
}

func (t *task) packageID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pkg
}

// setPackage records the package the task is about, also in the
// engine's task (which the database stores). Only the worker running
// the task calls it, before the engine runs.
func (t *task) setPackage(id string) {
	t.mu.Lock()
	t.pkg = id
	t.mu.Unlock()
	t.Task.Package = id
}

// shownState is the state the service reports for t.
func (t *task) shownState() install.State {
	if st := t.State(); st == install.Finished || st == install.Failed {
		return st
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.shown
}

// task returns the task called id, nil when unknown to this run.
func (s *Server) task(id string) *task {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tasks[id]
}

// TaskState returns the state of task id as the PackageManager API names
// it; tasks of earlier runs of the service answer from the database, and
// unknown ones are "Invalid".
func (s *Server) TaskState(id string) string {
	if t := s.task(id); t != nil {
		return t.shownState().String()
	}
	if r := s.storedTask(id); r != nil {
		return r.State
	}
	return "Invalid"
}

// storedTask returns the stored record of task id, nil when none.
func (s *Server) storedTask(id string) *db.Task {
	all, err := s.reader.Tasks(0)
	if err != nil {
		return nil
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i]
		}
	}
	return nil
}

// taskPackageID returns the package task id is about; "" when unknown
// (yet).
func (s *Server) taskPackageID(id string) string {
	if t := s.task(id); t != nil {
		return t.packageID()
	}
	if r := s.storedTask(id); r != nil {
		return r.Package
	}
	return ""
}

// activeTaskIDs lists the tasks that are neither Finished nor Failed, in
// the order they were made.
func (s *Server) activeTaskIDs() []string {
	s.mu.Lock()
	var ts []*task
	for _, t := range s.tasks {
		if st := t.State(); st != install.Finished && st != install.Failed {
			ts = append(ts, t)
		}
	}
	s.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].seq < ts[j].seq })
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// Acknowledge lets installation task id go on to Installing; unknown ids
// are ignored, as Qt does.
func (s *Server) Acknowledge(id string) {
	if t := s.task(id); t != nil {
		t.Acknowledge()
		t.stopAckTimer()
	}
}

// CancelTask cancels task id and reports whether it was: true until the
// task reaches Installing (it then ends Failed with code Canceled, having
// changed nothing).
func (s *Server) CancelTask(id string) bool {
	t := s.task(id)
	if t == nil || t.State() == install.Finished || t.State() == install.Failed {
		return false
	}
	if !t.Cancel() {
		return false
	}
	t.mu.Lock()
	if t.cancel != nil {
		t.cancel()
	}
	t.mu.Unlock()
	return true
}

// taskRoles returns isBlocked, isUpdating and updateProgress of package
// id: updating while a task about it runs, blocked while that task
// replaces or removes its files.
func (s *Server) taskRoles(id string) (blocked, updating bool, progress float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.packageID() != id {
			continue
		}
		switch st := t.State(); st {
		case install.Finished, install.Failed, install.Queued:
		default:
			updating = true
			blocked = blocked || st == install.Installing || st == install.CleaningUp
			t.mu.Lock()
			progress = t.progress
			t.mu.Unlock()
		}
	}
	return blocked, updating, progress
}

// Error codes of taskFailed, as Qt Application Manager numbers them.
const (
	codeCanceled     = 1
	codeParse        = 2
	codeSystem       = 10
	codeIO           = 11
	codePermissions  = 12
	codeNetwork      = 13
	codeStorageSpace = 14
	codeCryptography = 20
	codeArchive      = 30
	codePackage      = 40
	codeLocked       = 41
	codeNotInstalled = 42
	codeAlreadyInst  = 43
)

// codedError carries the taskFailed code of an error.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

func withCode(code int, err error) error { return &codedError{code, err} }

// errorCode returns the taskFailed code of err.
func errorCode(err error) int {
	var ce *codedError
	switch {
	case errors.Is(err, install.ErrCancelled), errors.Is(err, context.Canceled):
		return codeCanceled
	case errors.As(err, &ce):
		return ce.code
	case errors.Is(err, db.ErrLocked):
		return codeLocked
	}
	return codeSystem
}
