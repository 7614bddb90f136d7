package hooks

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// TimeFormat is the layout of the timestamp that starts every transcript
// record.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// maxRecordLine is the longest output line a transcript record holds; a
// longer line is split into several records.
const maxRecordLine = 4096

// Transcript writes timestamped, one-line records of what an operation did
// to an io.Writer: "TIME begin OP ARGS", "TIME run PKG SCRIPT ARGS", "TIME
// out PKG SCRIPT: LINE" for each line of a script's output, "TIME exit PKG
// SCRIPT: HOW (DURATION)", "TIME note TEXT" and "TIME end OP: ok|ERROR".
// Each record is one Write call, so records from concurrent goroutines
// never mix, and control characters and invalid UTF-8 bytes in them
// become '?'. A nil *Transcript discards everything. The first write
// error is kept (see Err) and later records are dropped.
type Transcript struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
	err error
}

// NewTranscript returns a transcript writing to w.
func NewTranscript(w io.Writer) *Transcript {
	return &Transcript{w: w, now: time.Now}
}

// Begin records the start of an operation, e.g. Begin("install", "foo", "1.0").
func (t *Transcript) Begin(op string, args ...string) {
	t.record("begin", strings.TrimSpace(op+" "+strings.Join(args, " ")))
}

// End records the end of an operation: "ok" when err is nil, else err.
func (t *Transcript) End(op string, err error) {
	how := "ok"
	if err != nil {
		how = err.Error()
	}
	t.record("end", op+": "+how)
}

// Note records free text, e.g. that a changed conffile was kept.
func (t *Transcript) Note(format string, args ...any) {
	t.record("note", fmt.Sprintf(format, args...))
}

// ScriptStart records that a script is about to run, with its arguments.
func (t *Transcript) ScriptStart(pkg, script string, args []string) {
	t.record("run", pkg+" "+script+" "+quoteArgs(args))
}

// ScriptEnd records how a script ended.
func (t *Transcript) ScriptEnd(r Result) {
	t.record("exit", fmt.Sprintf("%s %s: %s (%s)", r.Package, r.Script, r, r.Duration.Round(time.Millisecond)))
}

// ScriptOutput returns a writer that records each line written to it as an
// "out PKG SCRIPT: LINE" record, within the bounds OutputHead, OutputTail
// and OutputLines: the head is recorded as it arrives, the tail is held
// (in at most OutputTail bytes of memory) until Close, and the bytes in
// between are counted into one "note PKG SCRIPT: N bytes of output cut"
// record. Close records the tail and a last line that has no newline. The
// writer is for one goroutine at a time.
func (t *Transcript) ScriptOutput(pkg, script string) io.WriteCloser {
	return &lineWriter{t: t, prefix: pkg + " " + script + ": ",
		headLeft: OutputHead, linesLeft: OutputLines, tail: newRing(OutputTail)}
}

// Err returns the first error met writing to the underlying writer.
func (t *Transcript) Err() error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *Transcript) record(kind, text string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	line := t.now().Format(TimeFormat) + " " + kind + " " + sanitize(text) + "\n"
	_, t.err = io.WriteString(t.w, line)
}

// lineWriter turns a byte stream into transcript records, one a line:
// the head directly, the tail from a ring at Close.
type lineWriter struct {
	t         *Transcript
	prefix    string
	buf       []byte // the unfinished line
	headLeft  int    // bytes the head may still take
	linesLeft int    // records the head may still make
	tail      *ring  // the output after the head
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && w.headLeft > 0 && w.linesLeft > 0 {
		take := min(len(p), w.headLeft)
		if i := bytes.IndexByte(p[:take], '\n'); i >= 0 {
			take = i + 1
		}
		w.headLeft -= take
		w.linesLeft -= w.lines(p[:take])
		p = p[take:]
	}
	if len(p) > 0 {
		w.tail.Write(p)
	}
	return n, nil
}

// lines adds p to the unfinished line and records every line it
// completes, and pieces of maxRecordLine bytes of a longer one; it
// returns how many records it made.
func (w *lineWriter) lines(p []byte) int {
	made := 0
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.t.record("out", w.prefix+string(bytes.TrimSuffix(w.buf[:i], []byte("\r"))))
		w.buf = w.buf[i+1:]
		made++
	}
	for len(w.buf) >= maxRecordLine {
		w.t.record("out", w.prefix+string(w.buf[:maxRecordLine]))
		w.buf = w.buf[maxRecordLine:]
		made++
	}
	w.buf = append([]byte(nil), w.buf...) // do not pin what was recorded
	if len(w.buf) == 0 {
		w.buf = nil
	}
	return made
}

// Close records the tail: whole when nothing was cut, otherwise after a
// note of how many bytes were cut, from the first whole line of what the
// ring kept, and its last OutputLines lines at most.
func (w *lineWriter) Close() error {
	tail, cut := w.tail.whole()
	if i := lastLines(tail, OutputLines); i > 0 {
		cut += int64(i)
		tail = tail[i:]
	}
	if cut > 0 {
		if len(w.buf) > 0 {
			w.t.record("out", w.prefix+string(w.buf))
			w.buf = nil
		}
		w.t.record("note", w.prefix+strconv.FormatInt(cut, 10)+" bytes of output cut")
	}
	w.lines(tail)
	if len(w.buf) > 0 {
		w.t.record("out", w.prefix+string(w.buf))
		w.buf = nil
	}
	w.tail = newRing(0)
	return nil
}

// lastLines returns the offset in b where its last n lines begin (a last
// line without a newline counts), 0 when b has no more than n.
func lastLines(b []byte, n int) int {
	end := len(b)
	if end > 0 && b[end-1] == '\n' {
		end--
	}
	for i := end - 1; i >= 0; i-- {
		if b[i] == '\n' {
			if n--; n == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// sanitize returns s with control characters (other than tab) and each
// byte of invalid UTF-8 replaced by '?', so that a record stays one
// printable line.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteByte('?')
			n = 1
		case r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			b.WriteByte('?')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
