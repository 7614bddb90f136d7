package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"aim/db"
	"aim/repo"
	"aim/repo/sources"
)

func setupUpdate(fs *pflag.FlagSet) func(*env, []string) error {
	only := fs.String("source", "", "update only the source with this `NAME` or URI")
	rollback := fs.Bool("allow-release-date-rollback", false, "accept a Release dated before the one in use (an older snapshot; refused by default as a possible replay)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return &exitError{code: 2, msg: "update takes no arguments"}
		}
		return runUpdate(e, *only, *rollback)
	}
}

func runUpdate(e *env, only string, allowRollback bool) error {
	cfg, err := settings(e)
	if err != nil {
		return err
	}
	// A source that cannot be read (a missing signed-by keyring, a
	// malformed entry) is skipped, the others are updated, and the
	// command then fails naming it.
	srcs, loadErr := sources.Load(e.g.root, distribution(cfg))
	d, err := db.Open(e.g.root)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Lock(0); err != nil {
		return err
	}
	if only != "" && len(sources.Find(srcs, only)) == 0 {
		return fmt.Errorf("no source named %q", only)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	foreign, err := foreignArchs(e, cfg)
	if err != nil {
		return err
	}
	u := &repo.Updater{Root: e.g.root, DB: d, Fetcher: repo.NewFetcher(), Arch: nativeArch(cfg), Foreign: foreign, Only: only,
		AllowReleaseDateRollback: allowRollback}
	bar := newProgressBar(e)
	u.Fetcher.Progress = bar.update
	u.Event = func(ev repo.UpdateEvent) { bar.event(ev) }
	results, err := u.Update(ctx, srcs)
	bar.done()
	if err := reportUpdate(e, results, err); err != nil || loadErr == nil {
		return errors.Join(err, skipped(loadErr))
	}
	return skipped(loadErr)
}

// skipped says that the sources err names were not updated.
func skipped(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w (source skipped, not updated)", err)
}

func reportUpdate(e *env, results []repo.SourceResult, err error) error {
	var ue *repo.UpdateError
	if err != nil && !errors.As(err, &ue) {
		return err
	}
	if e.g.json {
		type row struct {
			Source    string `json:"source"`
			OK        bool   `json:"ok"`
			Unchanged bool   `json:"unchanged"`
			Indexes   int    `json:"indexes"`
			Error     string `json:"error,omitempty"`
		}
		rows := []row{}
		for _, r := range results {
			x := row{Source: r.Source, OK: r.Err == nil, Unchanged: r.Unchanged, Indexes: r.Indexes}
			if r.Err != nil {
				x.Error = r.Err.Error()
			}
			rows = append(rows, x)
		}
		if werr := writeJSON(e.stdout, map[string]any{"sources": rows}); werr != nil {
			return werr
		}
	} else if !e.g.quiet {
		for _, r := range results {
			switch {
			case r.Err != nil:
				fmt.Fprintf(e.stdout, "Err: %s (keeping its previous lists)\n", r.Source)
			case r.Unchanged:
				fmt.Fprintf(e.stdout, "Hit: %s\n", r.Source)
			default:
				fmt.Fprintf(e.stdout, "Get: %s (%d package lists)\n", r.Source, r.Indexes)
			}
		}
	}
	if ue != nil {
		for _, r := range ue.Failed {
			fmt.Fprintf(e.stderr, "aim: %s: %v\n", r.Source, r.Err)
			var rb *repo.ReleaseRollbackError
			if errors.As(r.Err, &rb) {
				fmt.Fprintf(e.stderr, "aim: to use that older release anyway: aim update --allow-release-date-rollback --source %s\n", r.Source)
			}
		}
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d sources failed to update", len(ue.Failed), len(results))}
	}
	return nil
}
