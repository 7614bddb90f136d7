package hooks

import (
	"bytes"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// outRecords returns the texts of the "out" records of transcript text
// (without the "foo postinst: " prefix) and the number of bytes the
// "bytes of output cut" note gives, -1 when there is none.
func outRecords(t *testing.T, text string) ([]string, int64) {
	t.Helper()
	var out []string
	cut := int64(-1)
	note := regexp.MustCompile(`^foo postinst: (\d+) bytes of output cut$`)
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		_, rest, _ := strings.Cut(l, " ")
		kind, rest, _ := strings.Cut(rest, " ")
		switch kind {
		case "out":
			out = append(out, strings.TrimPrefix(rest, "foo postinst: "))
		case "note":
			m := note.FindStringSubmatch(rest)
			if m == nil {
				t.Fatalf("unexpected note %q", rest)
			}
			if cut >= 0 {
				t.Fatalf("two cut notes")
			}
			cut, _ = strconv.ParseInt(m[1], 10, 64)
		}
	}
	return out, cut
}

// TestScriptOutputBounds feeds output of many shapes through
// ScriptOutput: what is recorded plus what the note says was cut is all
// of it, the head and the tail are kept, and no more than the bounds.
func TestScriptOutputBounds(t *testing.T) {
	lines := func(n int, f string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, f, i)
		}
		return b.String()
	}
	tests := []struct {
		name      string
		in        string
		chunk     int // write in pieces of this size
		cut       bool
		wantFirst string
		wantLast  string
	}{
		{"small", "a\nb\nc", 1, false, "a", "c"},
		{"head and tail meet", lines(1500, "line %04d\n"), 7, false, "line 0000", "line 1499"},
		{"too many lines", lines(3000, "%d\n"), 4096, true, "0", "2999"},
		{"too many bytes", lines(20000, "a somewhat longer line number %08d\n"), 32 << 10, true, "a somewhat longer line number 00000000", "a somewhat longer line number 00019999"},
		{"one endless line", strings.Repeat("x", 1<<20) + "\nend", 1000, true, strings.Repeat("x", maxRecordLine), "end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := fixedTranscript(&buf).ScriptOutput("foo", "postinst")
			for in := tt.in; in != ""; {
				n := min(tt.chunk, len(in))
				w.Write([]byte(in[:n]))
				in = in[n:]
			}
			w.Close()
			out, cut := outRecords(t, buf.String())
			if (cut > 0) != tt.cut {
				t.Fatalf("cut %d bytes, want a cut: %v", cut, tt.cut)
			}
			if len(out) == 0 || out[0] != tt.wantFirst || out[len(out)-1] != tt.wantLast {
				t.Fatalf("first and last records %q ... %q, want %q ... %q", out[0], out[len(out)-1], tt.wantFirst, tt.wantLast)
			}
			kept := int64(0)
			for _, o := range out {
				kept += int64(len(o))
			}
			newlines := int64(strings.Count(tt.in, "\n"))
			if cut < 0 {
				cut = 0
			}
			// Every byte is either recorded or counted as cut; records
			// lose their newlines, and a line cut in two has one newline
			// fewer than records.
			if got, all := kept+cut, int64(len(tt.in)); got > all || got < all-newlines {
				t.Errorf("recorded %d + cut %d = %d bytes of %d", kept, cut, got, all)
			}
			if !tt.cut && strings.Join(out, "") != strings.ReplaceAll(tt.in, "\n", "") {
				t.Errorf("uncut output changed")
			}
			if len(out) > 2*OutputLines+2 || kept > OutputHead+OutputTail {
				t.Errorf("kept %d records, %d bytes: over the bounds", len(out), kept)
			}
		})
	}
}

// TestRunHugeOutputBounded runs a script printing far more than the
// bounds: the transcript keeps its first and last lines and says how much
// was cut, and the run allocates far less than the output's size.
func TestRunHugeOutputBounded(t *testing.T) {
	const size = 50 << 20
	dir := t.TempDir()
	p := writeScript(t, dir, "postinst", fmt.Sprintf("#!/bin/sh\necho FIRST\nyes | head -c %d\necho LAST\n", size))
	var buf bytes.Buffer
	r := &Runner{Root: "/", Transcript: NewTranscript(&buf)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p, Args: PostinstConfigure("")})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/10 {
		t.Errorf("running the script allocated %d bytes for %d bytes of output", alloc, size)
	}
	if len(res.Output) > MaxOutput || !res.Truncated || !bytes.HasSuffix(res.Output, []byte("y\nLAST\n")) {
		t.Errorf("Result.Output: %d bytes, truncated %v, ends %q", len(res.Output), res.Truncated, res.Output[max(0, len(res.Output)-10):])
	}
	text := buf.String()
	if len(text) > 1<<20 {
		t.Errorf("transcript of %d bytes", len(text))
	}
	out, cut := outRecords(t, text)
	if len(out) < 2 || out[0] != "FIRST" || out[len(out)-1] != "LAST" {
		t.Fatalf("transcript lost the head or the tail:\n%.300s\n...\n%s", text, text[max(0, len(text)-300):])
	}
	all := int64(len("FIRST\n") + size + len("LAST\n"))
	if kept := int64(len(out) * 2); cut < all-kept-10 || cut > all-kept {
		t.Errorf("note says %d bytes cut of %d, %d records kept", cut, all, len(out))
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name       string
		head, tail int
		writes     []string
		want       string
	}{
		{"fits", 10, 10, []string{"a\n", "b\n"}, "a\nb\n"},
		{"head and tail meet", 4, 10, []string{"a\n", "b\n", "c\n"}, "a\nb\nc\n"},
		{"cut", 4, 6, []string{"a\n", "b\n", "ccc\n", "ddd\n", "eee\n", "f\n"}, "a\nb\n[8 bytes cut]\neee\nf\n"},
		{"cut inside a line", 0, 5, []string{"aaaa\nbb\n"}, "[5 bytes cut]\nbb\n"},
		{"record over the head goes to the tail", 3, 10, []string{"a\n", "bb\n"}, "a\nbb\n"},
		{"no head", 0, 4, []string{"aaa\n", "bbb\n"}, "[4 bytes cut]\nbbb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClip(tt.head, tt.tail)
			for _, w := range tt.writes {
				c.Write([]byte(w))
			}
			if got := c.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
