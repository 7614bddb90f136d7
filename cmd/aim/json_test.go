package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// TestVerifyReadOnlyAndJSON checks that verify writes nothing under a
// root without aim's database, names packages aim did not install, and
// prints its findings as a JSON list (empty, not null).
func TestVerifyReadOnlyAndJSON(t *testing.T) {
	empty := t.TempDir()
	if out := aimOK(t, "--root", empty, "verify", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("verify --json on an empty root: %q", out)
	}
	if _, err := os.Stat(filepath.Join(empty, "var")); err == nil {
		t.Error("verify wrote below the root")
	}
	if _, errs, code := aim(t, "--root", empty, "verify", "dpkg"); code != 1 || !strings.Contains(errs, "dpkg: not installed by aim") {
		t.Errorf("verify dpkg: exit %d %s", code, errs)
	}
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello")
	os.Remove(filepath.Join(root, "usr/bin/hello"))
	out, _, code := aim(t, "--root", root, "verify", "--json")
	var probs []map[string]string
	if err := json.Unmarshal([]byte(out), &probs); err != nil || code != 1 || len(probs) != 1 ||
		probs[0]["package"] != "hello" || probs[0]["path"] != "/usr/bin/hello" || probs[0]["problem"] != "missing" {
		t.Errorf("verify --json: exit %d, %v: %s", code, err, out)
	}
}

// TestFilesOwnsListJSON checks the JSON forms of files, owns and list:
// the owner of each file list, the packages owning each path, and
// whether an installed package is automatic and who installed it.
func TestFilesOwnsListJSON(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "app", version: "1.0", fields: "Depends: lib\n", files: map[string]string{"/usr/bin/app": "a\n"}},
		pkgSpec{name: "lib", version: "1.0", files: map[string]string{"/usr/lib/lib.txt": "l\n"}})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "app")
	var files struct {
		Package, Owner string
		Files          []string
	}
	if out := aimOK(t, "--root", root, "files", "--json", "app"); json.Unmarshal([]byte(out), &files) != nil ||
		files.Package != "app" || files.Owner != "aim" || !slicesContain(files.Files, "/usr/bin/app") {
		t.Errorf("files --json: %s", out)
	}
	var owns []struct {
		Path     string   `json:"path"`
		Packages []string `json:"packages"`
	}
	out, _, code := aim(t, "--root", root, "owns", "--json", "/usr/bin/app", "/nowhere")
	if json.Unmarshal([]byte(out), &owns) != nil || code != 1 || len(owns) != 2 || owns[0].Packages[0] != "app" || len(owns[1].Packages) != 0 {
		t.Errorf("owns --json: exit %d %s", code, out)
	}
	var list []struct {
		Name    string `json:"name"`
		Auto    *bool  `json:"auto"`
		Manager string `json:"manager"`
	}
	if out := aimOK(t, "--root", root, "list", "--installed", "--json"); json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 ||
		list[0].Name != "app" || list[0].Auto == nil || *list[0].Auto || list[1].Auto == nil || !*list[1].Auto || list[1].Manager != "aim" {
		t.Errorf("list --installed --json: %s", out)
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
