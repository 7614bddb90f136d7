package db

import (
	"errors"
	"testing"
	"time"
)

func TestMigrateV1ToV2KeepsData(t *testing.T) {
	root := t.TempDir()
	old, err := Open(root, withMigrations(migrations[:1]))
	if err != nil {
		t.Fatal(err)
	}
	putOld(t, old, testPackage(t, "hello", "1.0-1"))
	old.Close()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if p, err := d.Installed("hello", ""); err != nil || p.Version.String() != "1.0-1" {
		t.Fatalf("after migration: %v, %v", p, err)
	}
	files := []File{{Path: "/usr", Type: 'd', Mode: 0o755}, {Path: "/usr/bin/hello", Type: 'f', Mode: 0o755, Size: 3, SHA256: "abc"}}
	if err := d.SetFiles("hello", "", files); err != nil {
		t.Fatal(err)
	}
	got, err := d.Files("hello", "")
	if err != nil || len(got) != 2 || got[1] != files[1] {
		t.Fatalf("Files = %+v, %v", got, err)
	}
	if own, err := d.Owners("/usr/bin/hello"); err != nil || len(own) != 1 || own[0].Name != "hello" {
		t.Errorf("Owners = %v, %v", own, err)
	}
	if err := d.DeleteInstalled("hello", ""); err != nil {
		t.Fatal(err)
	}
	if own, _ := d.Owners("/usr/bin/hello"); len(own) != 0 {
		t.Errorf("files outlived their package: %v", own)
	}
	if _, err := d.Files("hello", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Files of a removed package: %v", err)
	}
}

func TestConffilesTasksJournal(t *testing.T) {
	d, _ := openTest(t)
	if err := d.SetConffiles("hello", "", map[string]string{"/etc/hello.conf": "h1"}); err != nil {
		t.Fatal(err)
	}
	if c, err := d.Conffiles("hello", ""); err != nil || c["/etc/hello.conf"] != "h1" {
		t.Errorf("Conffiles = %v, %v", c, err)
	}
	now := time.Now()
	task := &Task{ID: "t1", Kind: "install", Package: "hello", State: "Queued", Created: now, Updated: now}
	if err := d.PutTask(task); err != nil {
		t.Fatal(err)
	}
	task.State, task.Progress, task.Finished = "Finished", 1, now
	if err := d.PutTask(task); err != nil {
		t.Fatal(err)
	}
	if ts, err := d.Tasks(10); err != nil || len(ts) != 1 || ts[0].State != "Finished" || ts[0].Finished.IsZero() {
		t.Errorf("Tasks = %+v, %v", ts, err)
	}
	steps := []JournalStep{{TxID: "x", Action: "install", Package: "a", Phase: JournalStaging, Old: []string{"/a", "/b"}}}
	if err := d.AddJournal(steps); err != nil {
		t.Fatal(err)
	}
	steps[0].Phase, steps[0].New = JournalStaged, []string{"/c"}
	if err := d.UpdateJournal(&steps[0]); err != nil {
		t.Fatal(err)
	}
	j, err := d.Journal()
	if err != nil || len(j) != 1 || j[0].Phase != JournalStaged || len(j[0].Old) != 2 || j[0].New[0] != "/c" {
		t.Fatalf("Journal = %+v, %v", j, err)
	}
	if err := d.ClearJournal("x"); err != nil {
		t.Fatal(err)
	}
	if j, _ := d.Journal(); len(j) != 0 {
		t.Errorf("journal not cleared: %+v", j)
	}
	if err := d.AddTranscript(&TranscriptEntry{Task: "t1", Operation: "install hello", OK: true, Text: "x\n"}); err != nil {
		t.Fatal(err)
	}
	if tr, err := d.Transcripts(5); err != nil || len(tr) != 1 || tr[0].Text != "x\n" {
		t.Errorf("Transcripts = %+v, %v", tr, err)
	}
}
