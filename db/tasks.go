package db

import (
	"database/sql"
	"fmt"
	"time"
)

// Task is the stored record of one engine task (see the install package
// for the states).
type Task struct {
	ID, Kind, Package, State string
	Progress                 float64
	Error                    string
	Created, Updated         time.Time
	// Finished is zero while the task has not ended.
	Finished time.Time
}

// PutTask stores t, replacing the task with the same ID.
func (s *store) PutTask(t *Task) error {
	var fin sql.NullInt64
	if !t.Finished.IsZero() {
		fin = sql.NullInt64{Int64: t.Finished.Unix(), Valid: true}
	}
	_, err := s.exec(`INSERT INTO tasks (id, kind, package, state, progress, error, created_at, updated_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, package = excluded.package,
			state = excluded.state, progress = excluded.progress, error = excluded.error,
			updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
		t.ID, t.Kind, t.Package, t.State, t.Progress, t.Error, t.Created.Unix(), t.Updated.Unix(), fin)
	if err != nil {
		return fmt.Errorf("put task %s: %w", t.ID, err)
	}
	return nil
}

// Tasks returns the most recent tasks, newest first, at most limit
// (all when limit <= 0).
func (s *store) Tasks(limit int) ([]Task, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(`SELECT id, kind, package, state, progress, error, created_at, updated_at, finished_at
		FROM tasks ORDER BY created_at DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var c, u int64
		var f sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Kind, &t.Package, &t.State, &t.Progress, &t.Error, &c, &u, &f); err != nil {
			return nil, fmt.Errorf("tasks: %w", err)
		}
		t.Created, t.Updated, t.Finished = time.Unix(c, 0), time.Unix(u, 0), timeFrom(f)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TranscriptEntry is the transcript of one operation.
type TranscriptEntry struct {
	ID        int64
	Task      string
	Operation string
	At        time.Time
	OK        bool
	Text      string
}

// AddTranscript stores the transcript of one operation.
func (s *store) AddTranscript(e *TranscriptEntry) error {
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	_, err := s.exec(`INSERT INTO transcript (task, operation, at, ok, text) VALUES (?, ?, ?, ?, ?)`,
		e.Task, e.Operation, at.Unix(), e.OK, e.Text)
	if err != nil {
		return fmt.Errorf("add transcript: %w", err)
	}
	return nil
}

// Transcripts returns the most recent transcripts, oldest first, at most
// limit (all when limit <= 0).
func (s *store) Transcripts(limit int) ([]TranscriptEntry, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(`SELECT id, task, operation, at, ok, text FROM
		(SELECT * FROM transcript ORDER BY id DESC LIMIT ?) ORDER BY id`, limit)
	if err != nil {
		return nil, fmt.Errorf("transcripts: %w", err)
	}
	defer rows.Close()
	var out []TranscriptEntry
	for rows.Next() {
		var e TranscriptEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Task, &e.Operation, &at, &e.OK, &e.Text); err != nil {
			return nil, fmt.Errorf("transcripts: %w", err)
		}
		e.At = time.Unix(at, 0)
		out = append(out, e)
	}
	return out, rows.Err()
}
