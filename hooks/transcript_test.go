package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func fixedTranscript(w *bytes.Buffer) *Transcript {
	tr := NewTranscript(w)
	tr.now = func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	return tr
}

func TestTranscriptRecords(t *testing.T) {
	var buf bytes.Buffer
	tr := fixedTranscript(&buf)
	tr.Begin("install", "foo", "1.0")
	tr.ScriptStart("foo", "postinst", PostinstConfigure(""))
	out := tr.ScriptOutput("foo", "postinst")
	fmt.Fprint(out, "hello\r\nbad \x1b[31mcolour\xff\npartial")
	out.Close()
	tr.ScriptEnd(Result{Package: "foo", Script: "postinst", Ran: true, ExitCode: -1, Signal: syscall.SIGTERM, Duration: 1500 * time.Millisecond})
	tr.Note("kept changed conffile %s", "/etc/foo.conf")
	tr.End("install", errors.New("foo postinst configure '': killed by signal terminated"))
	want := `2024-05-01T12:00:00.000Z begin install foo 1.0
2024-05-01T12:00:00.000Z run foo postinst configure ''
2024-05-01T12:00:00.000Z out foo postinst: hello
2024-05-01T12:00:00.000Z out foo postinst: bad ?[31mcolour?
2024-05-01T12:00:00.000Z out foo postinst: partial
2024-05-01T12:00:00.000Z exit foo postinst: killed by signal terminated (1.5s)
2024-05-01T12:00:00.000Z note kept changed conffile /etc/foo.conf
2024-05-01T12:00:00.000Z end install: foo postinst configure '': killed by signal terminated
`
	if buf.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestTranscriptLongLineSplit(t *testing.T) {
	var buf bytes.Buffer
	tr := fixedTranscript(&buf)
	w := tr.ScriptOutput("foo", "postinst")
	w.Write(bytes.Repeat([]byte("x"), maxRecordLine*2+10))
	w.Close()
	if n := strings.Count(buf.String(), "\n"); n != 3 {
		t.Fatalf("%d records, want 3", n)
	}
}

func TestTranscriptNilAndErrors(t *testing.T) {
	var tr *Transcript
	tr.Begin("install")
	tr.End("install", nil)
	if tr.Err() != nil {
		t.Fatal("nil transcript has an error")
	}
	bad := NewTranscript(failingWriter{})
	bad.Begin("install")
	bad.Note("more")
	if !errors.Is(bad.Err(), errDiskFull) {
		t.Fatalf("Err() = %v", bad.Err())
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

// TestTranscriptConcurrent checks that records from several goroutines
// stay whole lines (run with -race to check the locking too).
func TestTranscriptConcurrent(t *testing.T) {
	var buf bytes.Buffer
	tr := fixedTranscript(&buf)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				tr.Note("goroutine %d record %d", g, i)
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d records, want 800", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "2024-05-01T12:00:00.000Z note goroutine ") {
			t.Fatalf("mangled record %q", l)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tok", "tab\tok"},
		{"bell\a", "bell?"},
		{"héllo", "héllo"},
		{"bad\xc3", "bad?"},
		{"\xff\xfe", "??"},
		{"del\x7f", "del?"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
