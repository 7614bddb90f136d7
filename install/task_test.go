package install

import (
	"context"
	"sync"
	"testing"
	"time"

	"aim/db"
)

func TestTaskPersistThrottled(t *testing.T) {
	var mu sync.Mutex
	var saved []db.Task
	task := NewTask("install", "a", nil)
	task.persistTo(func(r *db.Task) {
		mu.Lock()
		saved = append(saved, *r)
		mu.Unlock()
	})
	task.set(Executing, 0, "preparing")
	for i := 0; i < 100; i++ {
		task.step(float64(i)/100, "working")
	}
	if len(saved) != 2 || saved[1].State != "Executing" {
		t.Fatalf("saved %d times (%+v), want the start and the state change only", len(saved), saved)
	}
	time.Sleep(persistEvery + 10*time.Millisecond)
	task.step(0.5, "working")
	if len(saved) != 3 || saved[2].Progress != 0.5 {
		t.Fatalf("progress after %v not saved: %+v", persistEvery, saved)
	}
	task.set(Installing, 0.6, "installing")
	if len(saved) != 4 || saved[3].State != "Installing" {
		t.Fatalf("state change not saved: %+v", saved)
	}
}

// TestTaskProgressVisibleDuringRun reads the tasks table, as "aim tasks"
// does, while a slow install runs.
func TestTaskProgressVisibleDuringRun(t *testing.T) {
	f := newFixture(t)
	var changes []Change
	for _, n := range []string{"s1", "s2", "s3"} {
		changes = append(changes, f.install(spec{name: n, version: "1", scripts: map[string]string{"preinst": "sleep 0.3\n"}}))
	}
	task := NewTask("install", "", nil)
	done := make(chan error)
	go func() {
		_, err := f.e.Run(context.Background(), task, &Transaction{Changes: changes})
		done <- err
	}()
	seen := map[string]bool{}
	var progress float64
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		case <-time.After(50 * time.Millisecond):
			tasks, err := f.d.Tasks(10)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tasks {
				if r.ID == task.ID && r.State == "Installing" {
					seen[r.State] = true
					progress = max(progress, r.Progress)
				}
			}
		}
	}
	if !seen["Installing"] || progress <= 0.6 {
		t.Errorf("during the run the tasks table showed Installing %v with progress up to %v", seen["Installing"], progress)
	}
	tasks, _ := f.d.Tasks(10)
	if len(tasks) == 0 || tasks[0].State != "Finished" || tasks[0].Progress != 1 {
		t.Errorf("after the run: %+v", tasks)
	}
}
