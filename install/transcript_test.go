package install

import (
	"bytes"
	"strings"
	"testing"
)

// TestChattyScriptsTranscriptBounded installs packages whose scripts print
// far more than a transcript keeps: the stored transcript, the returned
// one and the session log keep each script's first and last lines and
// say how much was cut, and stay small.
func TestChattyScriptsTranscriptBounded(t *testing.T) {
	const size = 8 << 20
	tests := []struct {
		name   string
		script string
		body   string
	}{
		{"postinst of y lines", "postinst", "echo FIRST\nyes | head -c 8388608\necho LAST\n"},
		{"preinst of one endless line", "preinst", "echo FIRST\nhead -c 8388608 /dev/zero | tr '\\0' x\necho\necho LAST\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var log bytes.Buffer
			f.e.Log = &log
			s := spec{name: "chatty", version: "1", scripts: map[string]string{tt.script: tt.body}}
			r := f.mustRun(f.install(s))
			entries, err := f.d.Transcripts(10)
			if err != nil || len(entries) == 0 {
				t.Fatalf("transcripts %v, %v", entries, err)
			}
			stored := entries[len(entries)-1].Text
			for what, text := range map[string]string{"stored": stored, "returned": r.Transcript, "session log": log.String()} {
				if len(text) > size/8 {
					t.Errorf("%s transcript of %d bytes for %d bytes of output", what, len(text), size)
				}
				for _, want := range []string{"out chatty " + tt.script + ": FIRST\n", "out chatty " + tt.script + ": LAST\n", " bytes of output cut\n"} {
					if !strings.Contains(text, want) {
						t.Errorf("%s transcript has no %q", what, want)
					}
				}
			}
		})
	}
}
