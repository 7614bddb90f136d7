package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"aim/db"
)

// TestTasksAndLogJSON installs a package and reads aim tasks --json and
// aim log --json back: lower-camel keys, RFC 3339 times, no zero time for
// a task that has not ended.
func TestTasksAndLogJSON(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello")
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = d.PutTask(&db.Task{ID: "running1", Kind: "install", Package: "x", State: "Installing", Progress: 0.5, Created: now, Updated: now})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	var tasks []map[string]any
	out := aimOK(t, "--root", root, "tasks", "--json")
	if err := json.Unmarshal([]byte(out), &tasks); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	byID := map[string]map[string]any{}
	for _, tk := range tasks {
		byID[tk["id"].(string)] = tk
	}
	if r := byID["running1"]; r == nil || r["finished"] != nil || r["state"] != "Installing" || r["progress"] != 0.5 {
		t.Errorf("unfinished task: %v", r)
	}
	var done map[string]any
	for _, tk := range tasks {
		if tk["kind"] == "install" && tk["package"] == "hello" {
			done = tk
		}
	}
	if done == nil || done["state"] != "Finished" || done["finished"] == nil || strings.HasPrefix(done["finished"].(string), "0001") {
		t.Errorf("finished task: %v (all: %s)", done, out)
	}
	var log []struct {
		Operation string    `json:"operation"`
		At        time.Time `json:"at"`
		OK        bool      `json:"ok"`
		Text      string    `json:"text"`
	}
	out = aimOK(t, "--root", root, "log", "--json")
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log) != 1 || !log[0].OK ||
		!strings.Contains(log[0].Operation, "install:hello") || log[0].At.IsZero() {
		t.Errorf("log --json: %v\n%s", err, out)
	}
}
