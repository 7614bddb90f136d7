package hooks

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// logGenerations returns the contents of session.log, .1, .2, ... in dir,
// up to the first that does not exist.
func logGenerations(t *testing.T, dir string) []string {
	t.Helper()
	var gens []string
	for i := 0; ; i++ {
		p := filepath.Join(dir, SessionLogName)
		if i > 0 {
			p += fmt.Sprintf(".%d", i)
		}
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return gens
		} else if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, string(b))
	}
}

// session opens the log, writes text and closes it.
func session(t *testing.T, dir string, maxSize int64, keep int, text string) {
	t.Helper()
	l, err := OpenSessionLog(dir, maxSize, keep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSessionLogRotation(t *testing.T) {
	tests := []struct {
		name     string
		maxSize  int64
		keep     int
		sessions []string
		want     []string // session.log, .1, .2, ...
	}{
		{name: "under the limit appends", maxSize: 100, keep: 3,
			sessions: []string{"a\n", "b\n", "c\n"}, want: []string{"a\nb\nc\n"}},
		{name: "rotates when over at open", maxSize: 3, keep: 3,
			sessions: []string{"aaaa\n", "bbbb\n", "cccc\n"}, want: []string{"cccc\n", "bbbb\n", "aaaa\n"}},
		{name: "exactly the limit does not rotate", maxSize: 5, keep: 3,
			sessions: []string{"aaaa\n", "b\n"}, want: []string{"aaaa\nb\n"}},
		{name: "keeps only keep generations", maxSize: 1, keep: 2,
			sessions: []string{"1\n", "2\n", "3\n", "4\n", "5\n"}, want: []string{"5\n", "4\n", "3\n"}},
		{name: "keep 0 starts afresh", maxSize: 1, keep: 0,
			sessions: []string{"1\n", "2\n", "3\n"}, want: []string{"3\n"}},
		{name: "maxSize 0 never rotates", maxSize: 0, keep: 3,
			sessions: []string{"1\n", "2\n"}, want: []string{"1\n2\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "var/log/aim")
			for _, s := range tt.sessions {
				session(t, dir, tt.maxSize, tt.keep, s)
			}
			if got := logGenerations(t, dir); !slices.Equal(got, tt.want) {
				t.Fatalf("generations %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSessionLogConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenSessionLog(dir, 1<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTranscript(l)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				tr.Note("g%d i%d %s", g, i, strings.Repeat("x", 100))
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Write([]byte("late")); err == nil {
		t.Fatal("write after close succeeded")
	}
	b, _ := os.ReadFile(l.Path())
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, line := range lines {
		if !bytes.HasSuffix(line, bytes.Repeat([]byte("x"), 100)) {
			t.Fatalf("mangled line %q", line)
		}
	}
}

// TestSessionLogConcurrentOpen opens an oversized log from several
// goroutines at once: it must be rotated exactly once.
func TestSessionLogConcurrentOpen(t *testing.T) {
	dir := t.TempDir()
	session(t, dir, 0, 3, strings.Repeat("old\n", 10))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := OpenSessionLog(dir, 39, 3) // 40 bytes of old, 32 of new
			if err != nil {
				errs <- err
				return
			}
			l.Write([]byte("new\n"))
			errs <- l.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := logGenerations(t, dir)
	if len(got) != 2 || got[0] != strings.Repeat("new\n", 8) || got[1] != strings.Repeat("old\n", 10) {
		t.Fatalf("generations %q", got)
	}
}

func TestSessionLogNegativeKeep(t *testing.T) {
	if _, err := OpenSessionLog(t.TempDir(), 10, -1); err == nil {
		t.Fatal("negative keep accepted")
	}
}
