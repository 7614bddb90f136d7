package main

import (
	"fmt"
	"time"

	"aim/db"

	"github.com/spf13/pflag"
)

func setupTasks(fs *pflag.FlagSet) func(*env, []string) error {
	var n int
	fs.IntVarP(&n, "number", "n", 20, "show the last `N` tasks (0: all)")
	return func(e *env, args []string) error {
		d, err := openReader(e)
		if err != nil {
			return err
		}
		defer d.Close()
		tasks, err := d.Tasks(n)
		if err != nil {
			return err
		}
		if e.g.json {
			out := make([]taskJSON, len(tasks))
			for i := range tasks {
				out[i] = taskJSONOf(&tasks[i])
			}
			return writeJSON(e.stdout, out)
		}
		for _, t := range tasks {
			fmt.Fprintf(e.stdout, "%s  %s  %-10s %-20s %3.0f%%  %s", t.ID, t.Created.Format("2006-01-02 15:04:05"),
				t.Kind, t.State, t.Progress*100, t.Package)
			if t.Error != "" {
				fmt.Fprintf(e.stdout, "  error: %s", t.Error)
			}
			fmt.Fprintln(e.stdout)
		}
		return nil
	}
}

// taskJSON is a task in aim tasks --json: lower-camel keys, times in
// RFC 3339, "finished" only for a task that ended.
type taskJSON struct {
	ID       string     `json:"id"`
	Kind     string     `json:"kind"`
	Package  string     `json:"package"`
	State    string     `json:"state"`
	Progress float64    `json:"progress"`
	Error    string     `json:"error,omitempty"`
	Created  time.Time  `json:"created"`
	Updated  time.Time  `json:"updated"`
	Finished *time.Time `json:"finished,omitempty"`
}

func taskJSONOf(t *db.Task) taskJSON {
	j := taskJSON{ID: t.ID, Kind: t.Kind, Package: t.Package, State: t.State, Progress: t.Progress,
		Error: t.Error, Created: t.Created.UTC(), Updated: t.Updated.UTC()}
	if !t.Finished.IsZero() {
		f := t.Finished.UTC()
		j.Finished = &f
	}
	return j
}
