package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"aim/repo/objstore"
	"aim/repo/publish"
)

// aim repo snapshot create DIR NAME | list DIR | diff DIR A B | drop DIR NAME
// aim repo rollback DIR --key KEY [--to s3://BUCKET/PREFIX ...]

const snapshotUsage = "aim repo snapshot create DIR NAME | list DIR | diff DIR A B | drop DIR NAME"

func setupRepoSnapshot(fs *pflag.FlagSet) func(*env, []string) error {
	newRepoFlags(fs)
	return func(e *env, args []string) error {
		if len(args) < 2 {
			return usageError("usage: %s", snapshotUsage)
		}
		action, rest := args[0], args[1:]
		want := map[string]int{"create": 2, "list": 1, "diff": 3, "drop": 2}[action]
		if want == 0 || len(rest) != want {
			return usageError("usage: %s", snapshotUsage)
		}
		r, rest, err := openRepoArg(rest, snapshotUsage)
		if err != nil {
			return err
		}
		defer r.Close()
		switch action {
		case "create":
			s, err := r.CreateSnapshot(rest[0], time.Now())
			if err != nil {
				return err
			}
			if e.g.json {
				return writeJSON(e.stdout, s)
			}
			if !e.g.quiet {
				fmt.Fprintf(e.stdout, "snapshot %s: %d packages\n", s.Name, s.Packages)
			}
		case "list":
			snaps, err := r.Snapshots()
			if err != nil {
				return err
			}
			if e.g.json {
				return writeJSON(e.stdout, snaps)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			for _, s := range snaps {
				fmt.Fprintf(tw, "%s\t%s\t%d packages\n", s.Name, s.Created.UTC().Format(time.RFC3339), s.Packages)
			}
			return tw.Flush()
		case "diff":
			return printSnapshotDiff(e, r, rest[0], rest[1])
		case "drop":
			if err := r.DropSnapshot(rest[0]); err != nil {
				return err
			}
			if !e.g.quiet {
				fmt.Fprintf(e.stdout, "dropped snapshot %s\n", rest[0])
			}
		}
		return nil
	}
}

// printSnapshotDiff prints one line a changed package: dist, name,
// architecture, old and new versions ("-" for none).
func printSnapshotDiff(e *env, r *publish.Repo, a, b string) error {
	diff, err := r.DiffSnapshots(a, b)
	if err != nil {
		return err
	}
	if e.g.json {
		return writeJSON(e.stdout, diff)
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, c := range diff {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s -> %s\n", c.Dist, c.Package, c.Architecture, dash(c.Old), dash(c.New))
	}
	return tw.Flush()
}

func setupRepoRollback(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		const usage = "aim repo rollback DIR --key KEY.secret.asc [--passphrase-file F] [--valid-for 7d] [--to s3://BUCKET/PREFIX [--endpoint URL] [--region R] [--path-style]]"
		r, opts, up, err := openForPublish(f, args, usage)
		if err != nil {
			return err
		}
		defer r.Close()
		results, err := r.Rollback(opts)
		if err != nil {
			return err
		}
		return reportPublish(e, r, up, results, nil)
	}
}

// reportPublish uploads to up (when not nil) and prints what a publish
// or rollback did.
func reportPublish(e *env, r *publish.Repo, up *uploadTarget, results []publish.Result, installs []string) error {
	var uploaded *objstore.Result
	if up != nil {
		var err error
		if uploaded, err = up.upload(e, r); err != nil {
			return err
		}
	}
	if e.g.json {
		out := map[string]any{"dists": results, "installFiles": append([]string{}, installs...)}
		if uploaded != nil {
			out["upload"] = uploaded
		}
		return writeJSON(e.stdout, out)
	}
	if e.g.quiet {
		return nil
	}
	for _, res := range results {
		fmt.Fprintf(e.stdout, "%s: %s (%d packages, %d files written, %d removed)\n", res.Dist, res.Outcome, res.Packages, len(res.Written), len(res.Removed))
	}
	if len(installs) > 0 {
		fmt.Fprintf(e.stdout, "%d .install file(s) written under %s/\n", len(installs), publish.InstallFileDir)
	}
	if up != nil {
		printUpload(e, up, uploaded)
	}
	return nil
}
