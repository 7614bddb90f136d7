package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

func setupLog(fs *pflag.FlagSet) func(*env, []string) error {
	var n int
	fs.IntVarP(&n, "number", "n", 10, "show the last `N` operations (0: all)")
	return func(e *env, args []string) error {
		d, err := openReader(e)
		if err != nil {
			return err
		}
		defer d.Close()
		entries, err := d.Transcripts(n)
		if err != nil {
			return err
		}
		if e.g.json {
			out := make([]logJSON, len(entries))
			for i, t := range entries {
				out[i] = logJSON{Task: t.Task, Operation: t.Operation, At: t.At.UTC(), OK: t.OK, Text: t.Text}
			}
			return writeJSON(e.stdout, out)
		}
		for _, t := range entries {
			status := "ok"
			if !t.OK {
				status = "FAILED"
			}
			fmt.Fprintf(e.stdout, "== %s %s (%s)\n", t.At.Format("2006-01-02 15:04:05"), t.Operation, status)
			fmt.Fprint(e.stdout, t.Text)
			if !strings.HasSuffix(t.Text, "\n") {
				fmt.Fprintln(e.stdout)
			}
		}
		return nil
	}
}

// logJSON is one operation in aim log --json.
type logJSON struct {
	Task      string    `json:"task,omitempty"`
	Operation string    `json:"operation"`
	At        time.Time `json:"at"`
	OK        bool      `json:"ok"`
	Text      string    `json:"text"`
}
