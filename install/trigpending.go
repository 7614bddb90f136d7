package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"aim/db"
	"aim/hooks"
)

// triggersPendingKey is the meta key holding the packages in dpkg's
// triggers-pending state: a JSON object from package to the trigger
// names its failed "postinst triggered" was given.
const triggersPendingKey = "triggers-pending"

// triggersPending returns the packages whose triggers are pending.
func triggersPending(m metaReader) (map[string][]string, error) {
	out := map[string][]string{}
	data, err := m.Meta(triggersPendingKey)
	if errors.Is(err, db.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("%s: %w", triggersPendingKey, err)
	}
	return out, nil
}

func setTriggersPending(tx *db.Tx, p map[string][]string) error {
	if len(p) == 0 {
		return tx.DeleteMeta(triggersPendingKey)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return tx.SetMeta(triggersPendingKey, string(data))
}

// addTriggersPending records failed noawait triggers (merged with those
// already pending) inside the commit's database transaction.
func addTriggersPending(tx *db.Tx, failed []triggerFailure) error {
	if len(failed) == 0 {
		return nil
	}
	p, err := triggersPending(tx)
	if err != nil {
		return err
	}
	for _, f := range failed {
		p[f.pkg] = mergeNames(p[f.pkg], f.names)
	}
	return setTriggersPending(tx, p)
}

func mergeNames(a, b []string) []string {
	set := map[string]bool{}
	for _, n := range append(append([]string(nil), a...), b...) {
		set[n] = true
	}
	return sortedKeys(set)
}

// TriggersPending lists the packages whose triggers are pending, sorted:
// a noawait trigger failed for them and the next Run retries it.
func TriggersPending(d *db.DB) ([]string, error) {
	p, err := triggersPending(d)
	var out []string
	for n := range p {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, err
}

// runPendingTriggers runs "postinst triggered NAMES" for every package
// with pending triggers, forgetting those that succeed or are no longer
// installed. A failure is only noted in the transcript: as in the
// transaction that left it, it concerns the interested package alone.
func (e *Engine) runPendingTriggers(ctx context.Context, r *hooks.Runner, tr *hooks.Transcript) error {
	p, err := triggersPending(e.DB)
	if err != nil || len(p) == 0 {
		return err
	}
	for _, pkg := range sortedKeys(boolSet(p)) {
		path := infoPathOf(e.Root, pkg, "postinst")
		if _, err := e.DB.Installed(pkg, ""); errors.Is(err, db.ErrNotFound) {
			// dpkg's package, whose triggers a crash left activated, or gone
			if path = dpkgPostinst(e.Root, pkg); path == "" {
				delete(p, pkg)
				continue
			}
		}
		s := hooks.Script{Package: pkg, Name: "postinst", Path: path, Args: hooks.PostinstTriggered(p[pkg])}
		if _, err := r.Run(ctx, s); err != nil {
			tr.Note("pending trigger: %s postinst: %v (still pending)", pkg, err)
			continue
		}
		delete(p, pkg)
	}
	return e.DB.Update(func(tx *db.Tx) error { return setTriggersPending(tx, p) })
}

func boolSet(p map[string][]string) map[string]bool {
	out := make(map[string]bool, len(p))
	for k := range p {
		out[k] = true
	}
	return out
}
