package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"aim/install"
	"aim/policy"
	"aim/resolver"
)

// planEntry and planJSON are the plan's --json form.
type (
	planEntry = policy.PlanEntry
	planJSON  = policy.PlanJSON
)

// printDecision prints what -s shows of a decision: the purges of
// removed packages' leftovers, then the plan as JSON or as apt's
// summary; for a reinstall, how many packages it reinstalls.
func printDecision(e *env, d *install.Decision) error {
	if d.Request.Kind == install.KindReinstall {
		fmt.Fprintf(e.stdout, "%d reinstalled.\n", len(d.Reinstalls))
		return nil
	}
	printPurges(e, d)
	if d.Outcome == nil {
		return nil
	}
	if e.g.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d.Outcome.JSON())
	}
	printSummary(e.stdout, d)
	return nil
}

// printSummary prints a decided plan as apt's summary.
func printSummary(w io.Writer, d *install.Decision) {
	out := d.Outcome
	pl := out.Plan
	// The lists follow the order the transaction runs in.
	var inst, ups, rm, held []string
	for _, st := range pl.Steps {
		switch st.Action {
		case resolver.Install:
			inst = append(inst, d.Label(st.Package))
		case resolver.Upgrade:
			ups = append(ups, d.Label(st.Package))
		case resolver.Remove:
			n := d.Label(st.Package)
			if d.Tx.Purge {
				n += "*" // apt's mark for a purge
			}
			rm = append(rm, n)
		}
	}
	for _, h := range out.HeldBack {
		held = append(held, h.Name)
	}
	printList(w, "The following NEW packages will be installed:", inst)
	printList(w, "The following packages will be upgraded:", ups)
	printList(w, "The following packages will be REMOVED:", rm)
	printList(w, "The following packages have been kept back:", held)
	for _, h := range out.HeldBack {
		if h.Reason == "dpkg" && d.Request.Kind == install.KindInstall {
			fmt.Fprintf(w, "%s belongs to dpkg: aim leaves it to apt.\n", h.Name)
		}
	}
	fmt.Fprintf(w, "%d upgraded, %d newly installed, %d to remove and %d not upgraded.\n",
		len(pl.Upgrade), len(pl.Install), len(pl.Remove), len(held))
	if d.Download > 0 {
		fmt.Fprintf(w, "Need to get %s of archives.\n", humanSize(d.Download))
	}
	switch {
	case d.Disk > 0:
		fmt.Fprintf(w, "After this operation, %s of additional disk space will be used.\n", humanSize(d.Disk))
	case d.Disk < 0:
		fmt.Fprintf(w, "After this operation, %s disk space will be freed.\n", humanSize(-d.Disk))
	}
}

// printList prints a heading and the names wrapped at 79 columns, as apt.
func printList(w io.Writer, heading string, list []string) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintln(w, heading)
	line := " "
	for _, n := range list {
		if len(line)+1+len(n) > 79 && line != " " {
			fmt.Fprintln(w, line)
			line = " "
		}
		line += " " + n
	}
	fmt.Fprintln(w, line)
}

// humanSize prints bytes as apt does: B, kB, MB, GB (powers of 1000).
func humanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d %s", n, units[0])
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// refusal prints a refused request as JSON when asked and returns the
// error for the exit status.
func refusal(e *env, err error) error {
	if !e.g.json {
		return err
	}
	out := struct {
		Error   string            `json:"error"`
		Reasons []resolver.Reason `json:"reasons"`
	}{Error: err.Error(), Reasons: []resolver.Reason{}}
	var ce *resolver.ConflictError
	if errors.As(err, &ce) {
		out.Reasons = ce.Chain
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
	return err
}
