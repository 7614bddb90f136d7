package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"aim/db"
	"aim/hooks"
)

// forcedSuffix names a prerm that RunForced set aside.
const forcedSuffix = ".aim-forced"

// RunForced is Run for a retry of removals that failed half-way (Qt's
// removePackage with force, dpkg's --force-remove-reinstreq): the prerm
// of every package tx removes runs first, and when it fails the failure
// is noted in the task's transcript and ignored. Each prerm is then set
// aside (as PKG.prerm.aim-forced in the info directory) so that the
// removal goes on without running it again, and Run applies tx. When Run
// fails, the prerms are put back, so a package that stays installed keeps
// its script; on success they go with the package's other control
// members. The returned Result's Transcript begins with the notes of the
// forced part; those notes are also stored as a transcript entry of t
// (operation "remove --force ...") and written to e.Log. Like Run,
// RunForced recovers an interrupted transaction first and needs the
// writer lock held.
func (e *Engine) RunForced(ctx context.Context, t *Task, tx *Transaction) (*Result, error) {
	if _, err := e.recoverOnce(ctx, e.Scripts); err != nil {
		return nil, err
	}
	buf := newTranscriptBuffer()
	w := io.Writer(buf)
	if e.Log != nil {
		w = io.MultiWriter(buf, e.Log)
	}
	tr := hooks.NewTranscript(w)
	r := e.scriptRunner(tr)
	var aside, names []string
	for _, c := range tx.Changes {
		if c.Action != Remove {
			continue
		}
		names = append(names, c.Name)
		p, err := e.forcePrerm(ctx, r, tr, c.Name)
		if err != nil {
			return nil, errors.Join(err, restorePrerms(aside))
		}
		if p != "" {
			aside = append(aside, p)
		}
	}
	e.DB.Update(func(dtx *db.Tx) error {
		return dtx.AddTranscript(&db.TranscriptEntry{Task: t.ID, Operation: "remove --force " + strings.Join(names, " "), OK: true, Text: buf.String()})
	})
	res, err := e.Run(ctx, t, tx)
	if err != nil {
		return nil, errors.Join(err, restorePrerms(aside))
	}
	res.Transcript = buf.String() + res.Transcript
	return res, nil
}

// forcePrerm runs pkg's prerm remove, notes a failure as ignored, and
// sets the script aside; it returns the path it was moved to, "" when
// the package has no prerm.
func (e *Engine) forcePrerm(ctx context.Context, r *hooks.Runner, tr *hooks.Transcript, pkg string) (string, error) {
	p := infoPathOf(e.Root, pkg, "prerm")
	if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	_, err := r.Run(ctx, hooks.Script{Package: pkg, Name: "prerm", Path: p, Args: hooks.PrermRemove()})
	if ctx.Err() != nil {
		return "", fmt.Errorf("%s prerm: %w", pkg, ctx.Err())
	}
	if err != nil {
		tr.Note("%s prerm failed: %v; ignored (forced removal)", pkg, err)
	} else {
		tr.Note("%s prerm ran before the forced removal", pkg)
	}
	if err := os.Rename(p, p+forcedSuffix); err != nil {
		return "", fmt.Errorf("set aside %s prerm: %w", pkg, err)
	}
	return p + forcedSuffix, nil
}

// restorePrerms puts set-aside prerms back where they were.
func restorePrerms(aside []string) error {
	var errs []error
	for _, p := range aside {
		if err := os.Rename(p, strings.TrimSuffix(p, forcedSuffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("restore prerm: %w", err))
		}
	}
	return errors.Join(errs...)
}
