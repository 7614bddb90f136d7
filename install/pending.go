package install

// This file is what Open does after recovery, as "dpkg --configure -a":
// it finishes the configuration an interruption left pending (postinst
// configure of half-configured packages, then pending triggers), ends
// the tasks the interruption left running as Failed, and records both in
// the log.

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"aim/db"
	"aim/hooks"
)

// recoverOp is the operation name of recovery's log entry.
const recoverOp = "recover"

// interruptedReason is the error an interrupted task ends with.
const interruptedReason = "interrupted: aim stopped before the task ended"

// finishInterrupted ends stale tasks, runs pending configuration unless
// keep is set, and records what it and recovery did in the log. A failed
// postinst or trigger does not fail it: the package stays pending, the
// log says why, and r.Notes too.
func (e *Engine) finishInterrupted(ctx context.Context, r *Recovered, keep bool) error {
	var err error
	if r.Interrupted, err = failStaleTasks(e.DB); err != nil {
		return err
	}
	half, err := halfConfigured(e.DB)
	if err != nil {
		return err
	}
	trig, err := triggersPending(e.DB)
	if err != nil {
		return err
	}
	pending := len(half)+len(trig) > 0 && !keep
	if !pending && r.empty() {
		return nil
	}
	var buf bytes.Buffer
	tr := hooks.NewTranscript(&buf)
	tr.Begin(recoverOp)
	r.describe(tr)
	var cerr error
	if pending {
		cerr = e.configureAll(ctx, tr, r, half, trig)
	}
	tr.End(recoverOp, cerr)
	return e.DB.AddTranscript(&db.TranscriptEntry{Operation: r.operation(), OK: cerr == nil, Text: buf.String()})
}

// configureAll runs configurePending and the pending triggers, saying in
// r which packages it finished.
func (e *Engine) configureAll(ctx context.Context, tr *hooks.Transcript, r *Recovered, half map[string]string, trig map[string][]string) error {
	runner := e.scriptRunner(tr)
	err := e.configurePending(ctx, runner, nil)
	left, lerr := halfConfigured(e.DB)
	if lerr != nil {
		return lerr
	}
	for _, n := range sortedKeys(stringSet(half)) {
		if _, still := left[n]; !still {
			r.Configured = append(r.Configured, n)
		}
	}
	if err != nil {
		r.Notes = append(r.Notes, err.Error())
		return err
	}
	if err := e.runPendingTriggers(ctx, runner, tr); err != nil {
		return err
	}
	after, err := triggersPending(e.DB)
	if err != nil {
		return err
	}
	for _, n := range sortedKeys(boolSet(trig)) {
		if _, still := after[n]; !still {
			r.Triggered = append(r.Triggered, n)
		}
	}
	return nil
}

func stringSet(m map[string]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// failStaleTasks ends as Failed every task recorded as running: with the
// writer lock held, none is (a queued task waits for the lock and keeps
// its Queued state until then). It returns their IDs.
func failStaleTasks(d *db.DB) ([]string, error) {
	tasks, err := d.Tasks(0)
	if err != nil {
		return nil, err
	}
	var ids []string
	err = d.Update(func(tx *db.Tx) error {
		for _, t := range tasks {
			switch t.State {
			case Queued.String(), Finished.String(), Failed.String():
				continue
			}
			t.Error = fmt.Sprintf("%s (in state %s, %.0f%%)", interruptedReason, t.State, 100*t.Progress)
			t.State, t.Updated, t.Finished = Failed.String(), time.Now(), time.Now()
			if err := tx.PutTask(&t); err != nil {
				return err
			}
			ids = append(ids, t.ID)
		}
		return nil
	})
	return ids, err
}

// empty reports whether recovery found nothing interrupted.
func (r *Recovered) empty() bool {
	return len(r.RolledBack)+len(r.RolledForward)+len(r.Unconfigured)+len(r.Interrupted)+len(r.Notes) == 0
}

// operation names recovery's log entry.
func (r *Recovered) operation() string {
	op := recoverOp
	if len(r.Interrupted) > 0 {
		op += " interrupted:" + strings.Join(r.Interrupted, ",")
	}
	return op
}

// describe writes what recovery did to tr.
func (r *Recovered) describe(tr *hooks.Transcript) {
	for _, id := range r.Interrupted {
		tr.Note("task %s was interrupted: now Failed", id)
	}
	if len(r.RolledBack) > 0 {
		tr.Note("rolled back the interrupted transaction: %s", strings.Join(r.RolledBack, " "))
	}
	if len(r.RolledForward) > 0 {
		tr.Note("finished the interrupted transaction: %s", strings.Join(r.RolledForward, " "))
	}
	if len(r.Unconfigured) > 0 {
		tr.Note("left half-configured by the interruption: %s", strings.Join(r.Unconfigured, " "))
	}
	for _, u := range r.Unwound {
		tr.Note("ran %s", u)
	}
	for _, n := range r.Notes {
		tr.Note("%s", n)
	}
}

// PendingState is what still waits for configuration: dpkg's
// half-configured (postinst configure interrupted or failed) and
// triggers-pending states of aim's packages, by name.
func PendingState(d *db.DB) (map[string]string, error) {
	out := map[string]string{}
	if d == nil {
		return out, nil
	}
	trig, err := triggersPending(d)
	if err != nil {
		return nil, err
	}
	for n := range trig {
		out[n] = StateTriggersPending
	}
	half, err := halfConfigured(d)
	if err != nil {
		return nil, err
	}
	for n := range half {
		out[n] = StateHalfConfigured
	}
	return out, nil
}

// The states PendingState reports, spelled as dpkg spells them.
const (
	StateHalfConfigured  = "half-configured"
	StateTriggersPending = "triggers-pending"
)
