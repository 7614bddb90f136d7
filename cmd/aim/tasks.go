package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "tasks", summary: "list recent tasks with their state and result", setup: setupTasks})
}

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
			return json.NewEncoder(e.stdout).Encode(tasks)
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
