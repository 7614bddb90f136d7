package install

import "aim/db"

// This file holds the hooks a service (install/dbus) needs to run work of
// its own inside a task before the engine takes it over, e.g. downloading
// and verifying a package from a URL.

// Begin moves a Queued task to Executing with the given progress, so that
// work done before Run (a download, a signature check) is reported as the
// task's. Run moves it to Executing again (progress 0); callers that show
// progress keep it monotonic themselves. It does nothing once the task
// has left Queued and Executing.
func (t *Task) Begin(progress float64, msg string) {
	t.mu.Lock()
	s := t.state
	t.mu.Unlock()
	if s == Queued || s == Executing {
		t.set(Executing, progress, msg)
	}
}

// Step reports progress within the current state (0 to 1).
func (t *Task) Step(progress float64, msg string) { t.step(progress, msg) }

// Fail ends a task that failed before Run was called: its state becomes
// Failed with err (which must not be nil). Run must not be called after.
func (t *Task) Fail(err error) { t.fail(err) }

// Cancelled reports whether Cancel was called (and accepted).
func (t *Task) Cancelled() bool { return t.isCancelled() }

// Acknowledged reports whether Acknowledge was called.
func (t *Task) Acknowledged() bool {
	select {
	case <-t.acked:
		return true
	default:
		return false
	}
}

// Record returns the task as the database stores it (db.Tx.PutTask).
func (t *Task) Record() *db.Task { return t.record() }
