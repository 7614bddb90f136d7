package install

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"aim/db"
)

// State is a task's state.
type State int

// The task states, in the order a successful task goes through them.
const (
	Queued State = iota
	Executing
	AwaitingAcknowledge
	Installing
	CleaningUp
	Finished
	Failed
)

var stateNames = [...]string{"Queued", "Executing", "AwaitingAcknowledge", "Installing", "CleaningUp", "Finished", "Failed"}

// String returns the state's name as the PackageManager API spells it.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "Invalid"
	}
	return stateNames[s]
}

// ErrCancelled is returned (wrapped) by Run when the task was cancelled.
var ErrCancelled = errors.New("cancelled")

// Phase names the part of a transaction an Event reports on.
type Phase string

// The phases a task reports with Event.Phase; "" for state changes and
// the other steps.
const (
	// PhaseDownload: archives arrive; Bytes of TotalBytes are in.
	PhaseDownload Phase = "download"
	// PhaseUnpack: Package, the Index-th of Count archives, is unpacked.
	PhaseUnpack Phase = "unpack"
	// PhaseRemove and PhasePurge: Package, the Index-th of Count
	// packages removed or purged, is.
	PhaseRemove Phase = "remove"
	PhasePurge  Phase = "purge"
	// PhaseConfigure: Package, the Index-th of Count, is configured.
	PhaseConfigure Phase = "configure"
	// PhaseTriggers: pending triggers run.
	PhaseTriggers Phase = "triggers"
)

// Event reports a change of a task's state or progress.
type Event struct {
	TaskID   string
	State    State
	Progress float64 // 0..1
	// Message says what the task is doing, e.g. "unpacking hello".
	Message string
	// Phase, when set, says which part of the transaction the event is
	// about; Package (the instance's key: NAME, or NAME:ARCH for a
	// foreign architecture's, see Key), Index (from 1) and Count place a
	// per-package step, Bytes and TotalBytes a download.
	Phase             Phase
	Package           string
	Index, Count      int
	Bytes, TotalBytes int64
}

// Task is one run of the engine over a transaction. Its methods are safe
// for concurrent use: a service calls Cancel or Acknowledge from another
// goroutine while Run executes the task.
type Task struct {
	ID      string
	Kind    string // "install", "remove", "upgrade", ...
	Package string // the package the task is about, "" for several
	created time.Time

	mu        sync.Mutex
	state     State
	progress  float64
	err       error
	cancelled chan struct{}
	acked     chan struct{}
	ackOnce   sync.Once
	observer  func(Event)
	// persist, when set, stores the task (see persistEvery); saved and
	// savedState say when and in which state it last did.
	persist    func(*db.Task)
	saved      time.Time
	savedState State
}

// persistEvery is how often, at most, a task's progress is stored while
// its state does not change; a state change is stored at once.
const persistEvery = 200 * time.Millisecond

// persistTo makes t store itself with save on every state change and,
// at most every persistEvery, on progress; it stores t once now. save
// is called from the goroutine running the task.
func (t *Task) persistTo(save func(*db.Task)) {
	t.mu.Lock()
	t.persist = save
	t.mu.Unlock()
	t.maybePersist(true)
}

// maybePersist stores t when forced, when its state changed since the
// last store, or when persistEvery has passed.
func (t *Task) maybePersist(force bool) {
	t.mu.Lock()
	save := t.persist
	due := save != nil && (force || t.state != t.savedState || time.Since(t.saved) >= persistEvery)
	if due {
		t.saved, t.savedState = time.Now(), t.state
	}
	t.mu.Unlock()
	if due {
		save(t.record())
	}
}

// NewTask returns a task in state Queued. observer, when not nil, is
// called (from the goroutine running the task) on every state change
// and progress step; it must not call back into the task's Run.
func NewTask(kind, pkg string, observer func(Event)) *Task {
	b := make([]byte, 8)
	rand.Read(b)
	return &Task{ID: hex.EncodeToString(b), Kind: kind, Package: pkg, created: time.Now(),
		cancelled: make(chan struct{}), acked: make(chan struct{}), observer: observer}
}

// State returns the task's current state.
func (t *Task) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// Progress returns the task's progress, from 0 to 1.
func (t *Task) Progress() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.progress
}

// Err returns why the task failed, nil unless its state is Failed.
func (t *Task) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Cancel asks the task to stop and roll back. It returns true when the
// task is in Queued, Executing or AwaitingAcknowledge (the task then ends
// Failed with ErrCancelled, having changed nothing), false from
// Installing on, when the transaction runs to its end.
func (t *Task) Cancel() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state >= Installing {
		return false
	}
	select {
	case <-t.cancelled:
	default:
		close(t.cancelled)
	}
	return true
}

// Acknowledge lets a task that waits in AwaitingAcknowledge (or will)
// go on to Installing.
func (t *Task) Acknowledge() {
	t.ackOnce.Do(func() { close(t.acked) })
}

// isCancelled reports whether Cancel was called.
func (t *Task) isCancelled() bool {
	select {
	case <-t.cancelled:
		return true
	default:
		return false
	}
}

// context returns ctx, also cancelled when the task is.
func (t *Task) context(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-t.cancelled:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// enterInstalling moves the task to Installing unless it was cancelled;
// from then on Cancel returns false.
func (t *Task) enterInstalling() error {
	t.mu.Lock()
	if t.isCancelled() {
		t.mu.Unlock()
		return ErrCancelled
	}
	t.state = Installing
	t.mu.Unlock()
	t.emit("installing")
	return nil
}

// set changes the state and progress and reports them.
func (t *Task) set(s State, progress float64, msg string) {
	t.mu.Lock()
	t.state = s
	if progress >= 0 {
		t.progress = progress
	}
	t.mu.Unlock()
	t.emit(msg)
}

// step reports progress within the current state.
func (t *Task) step(progress float64, msg string) {
	t.report(progress, Event{Message: msg})
}

// report sets the progress (unless negative) and reports ev, its task,
// state and progress filled in.
func (t *Task) report(progress float64, ev Event) {
	t.mu.Lock()
	if progress >= 0 {
		t.progress = progress
	}
	t.mu.Unlock()
	t.emitEvent(ev)
}

func (t *Task) fail(err error) {
	t.mu.Lock()
	t.state, t.err = Failed, err
	t.mu.Unlock()
	t.emit(err.Error())
}

func (t *Task) emit(msg string) { t.emitEvent(Event{Message: msg}) }

func (t *Task) emitEvent(ev Event) {
	t.maybePersist(false)
	if t.observer == nil {
		return
	}
	t.mu.Lock()
	ev.TaskID, ev.State, ev.Progress = t.ID, t.state, t.progress
	t.mu.Unlock()
	t.observer(ev)
}

// record returns the task as the database stores it.
func (t *Task) record() *db.Task {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &db.Task{ID: t.ID, Kind: t.Kind, Package: t.Package, State: t.state.String(),
		Progress: t.progress, Created: t.created, Updated: time.Now()}
	if t.err != nil {
		r.Error = t.err.Error()
	}
	if t.state == Finished || t.state == Failed {
		r.Finished = r.Updated
	}
	return r
}
