package hooks

import (
	"errors"
	"strings"
	"testing"
)

func TestParseInterpreter(t *testing.T) {
	long := "#!/bin/" + strings.Repeat("x", MaxInterpreterLine) + "\n"
	tests := []struct {
		in, interp, arg string
		err             string // substring; "" means no error
		noLine          bool
	}{
		{in: "#!/bin/sh\necho hi\n", interp: "/bin/sh"},
		{in: "#!/bin/sh -e\n", interp: "/bin/sh", arg: "-e"},
		{in: "#! /usr/bin/env  python3 -u \n", interp: "/usr/bin/env", arg: "python3 -u"},
		{in: "#!\t/bin/bash\t-x\r\n", interp: "/bin/bash", arg: "-x\r"},
		{in: "#!/bin/sh", interp: "/bin/sh"},
		{in: "#!\n", err: "no interpreter"},
		{in: "#!   \n", err: "no interpreter"},
		{in: "#!/bin/sh\x00x\n", err: "NUL"},
		{in: long, err: "longer than"},
		{in: long[:MaxInterpreterLine], err: "longer than"},
		{in: "echo hi\n", noLine: true},
		{in: "", noLine: true},
		{in: "#", noLine: true},
		{in: "\x7fELF", noLine: true},
	}
	for _, tt := range tests {
		t.Run(strings.ToValidUTF8(tt.in[:min(len(tt.in), 20)], "?"), func(t *testing.T) {
			interp, arg, err := ParseInterpreter([]byte(tt.in))
			switch {
			case tt.noLine:
				if !errors.Is(err, ErrNoInterpreterLine) {
					t.Fatalf("err = %v, want ErrNoInterpreterLine", err)
				}
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			case interp != tt.interp || arg != tt.arg:
				t.Fatalf("got (%q, %q), want (%q, %q)", interp, arg, tt.interp, tt.arg)
			}
		})
	}
}

// FuzzParseInterpreter checks that the parser never panics, that what it
// returns is well formed, and that a line rebuilt from its result parses
// to the same result.
func FuzzParseInterpreter(f *testing.F) {
	for _, s := range []string{"#!/bin/sh\n", "#! /usr/bin/env python3 -u\n", "#!", "#!\t\t/x\t a b \n", "echo", "#!/bin/sh\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		interp, arg, err := ParseInterpreter(head)
		if err != nil {
			if interp != "" || arg != "" {
				t.Fatalf("error %v with results (%q, %q)", err, interp, arg)
			}
			return
		}
		if interp == "" || strings.ContainsAny(interp, " \t\n\x00") {
			t.Fatalf("bad interpreter %q", interp)
		}
		if strings.ContainsAny(arg, "\n\x00") || strings.Trim(arg, " \t") != arg {
			t.Fatalf("bad argument %q", arg)
		}
		line := "#!" + interp
		if arg != "" {
			line += " " + arg
		}
		i2, a2, err := ParseInterpreter([]byte(line + "\n"))
		if err != nil || i2 != interp || a2 != arg {
			t.Fatalf("round trip of %q: (%q, %q, %v)", line, i2, a2, err)
		}
	})
}
