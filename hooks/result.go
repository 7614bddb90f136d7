package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"
)

// MaxOutput is how many bytes of a script's output a Result keeps (the
// last ones); the transcript keeps a head and a tail (see OutputHead).
const MaxOutput = 256 << 10

// errorTail is how many bytes of output a *ScriptError keeps.
const errorTail = 4 << 10

// Result says how one run of a script ended. The zero ExitCode with Ran
// set and no Signal, TimedOut or StartError means success.
type Result struct {
	Package string
	Script  string
	Args    []string
	// Ran is false when the script file does not exist: like dpkg, Run
	// then does nothing and reports success.
	Ran bool
	// ExitCode is the exit status, or -1 when the script was killed by a
	// signal or could not be started.
	ExitCode int
	// Signal is the signal that killed the script, or 0.
	Signal syscall.Signal
	// TimedOut is set when the runner's timeout expired and the script's
	// process group was killed.
	TimedOut bool
	// StartError says why the script could not be started, when it could
	// not (Ran is then true and ExitCode -1).
	StartError error
	// Output is the script's standard output and standard error,
	// interleaved as written, truncated to its last MaxOutput bytes.
	Output []byte
	// Truncated is set when Output lost its beginning.
	Truncated bool
	// Duration is the wall time from start to exit.
	Duration time.Duration
}

// Success reports whether the script is absent or ran and exited 0.
func (r Result) Success() bool {
	return !r.Ran || (r.ExitCode == 0 && r.Signal == 0 && !r.TimedOut && r.StartError == nil)
}

// String describes how the script ended in a few words, for transcripts:
// "not present", "exit status 1", "killed by signal terminated",
// "timed out (killed)" or "could not start: ...".
func (r Result) String() string {
	switch {
	case !r.Ran:
		return "not present"
	case r.StartError != nil:
		return "could not start: " + r.StartError.Error()
	case r.TimedOut:
		return "timed out (killed)"
	case r.Signal != 0:
		return "killed by signal " + r.Signal.String()
	default:
		return fmt.Sprintf("exit status %d", r.ExitCode)
	}
}

// ScriptError is the error of a script that ran and did not succeed: it
// exited non-zero, was killed by a signal, or timed out. It carries the
// tail of the script's output.
type ScriptError struct {
	Package  string
	Script   string
	Args     []string
	ExitCode int            // -1 when killed
	Signal   syscall.Signal // 0 unless killed by a signal
	TimedOut bool
	Output   []byte // the last few KiB of output
}

func newScriptError(r Result) *ScriptError {
	out := r.Output
	if len(out) > errorTail {
		out = out[len(out)-errorTail:]
	}
	return &ScriptError{
		Package: r.Package, Script: r.Script, Args: r.Args,
		ExitCode: r.ExitCode, Signal: r.Signal, TimedOut: r.TimedOut,
		Output: bytes.Clone(out),
	}
}

// Error names the package, the script and its arguments, says how it
// ended, and quotes the last line of output when there is one.
func (e *ScriptError) Error() string {
	r := Result{Ran: true, ExitCode: e.ExitCode, Signal: e.Signal, TimedOut: e.TimedOut}
	msg := fmt.Sprintf("%s %s %s: %s", e.Package, e.Script, quoteArgs(e.Args), r.String())
	if line := lastLine(e.Output); line != "" {
		msg += ": " + line
	}
	return msg
}

// ErrCancelled is what a *CancelledError matches with errors.Is: a
// checkrm program asked for the operation to be cancelled.
var ErrCancelled = errors.New("cancelled by the package's checkrm")

// CancelledError is returned when a package's checkrm exits 111: the
// removal or upgrade of Package (and the transaction it belongs to) must
// not go on. errors.Is(err, ErrCancelled) is true for it.
type CancelledError struct {
	Package string
	Args    []string // checkrm's arguments: remove, or upgrade NEW
	Output  []byte   // the last few KiB of checkrm's output
}

// Error names the package and the operation it cancelled.
func (e *CancelledError) Error() string {
	what := "removal"
	if len(e.Args) == 2 && e.Args[0] == "upgrade" {
		what = "upgrade to " + e.Args[1]
	}
	msg := fmt.Sprintf("package %s cancelled its %s (checkrm exited 111)", e.Package, what)
	if line := lastLine(e.Output); line != "" {
		msg += ": " + line
	}
	return msg
}

// Is reports whether target is ErrCancelled.
func (e *CancelledError) Is(target error) bool { return target == ErrCancelled }

// MissingError says that a program needed to run scripts is not in the
// root they must run in: /bin/sh, a script's interpreter, or the dynamic
// loader of either. The engine gets it from CheckRoot or CheckScript
// before it changes anything.
type MissingError struct {
	Root   string // the root looked in; "/" for the host
	Path   string // the missing path as seen inside Root
	Needed string // what needs it, e.g. "maintainer scripts" or "foo postinst"
	Err    error
}

// Error says which root lacks which program, and for what.
func (e *MissingError) Error() string {
	return fmt.Sprintf("root %s has no %s, needed to run %s: %v", e.Root, e.Path, e.Needed, e.Err)
}

// Unwrap returns the underlying error (often fs.ErrNotExist).
func (e *MissingError) Unwrap() error { return e.Err }

// lastLine returns the last non-empty line of out, made printable.
func lastLine(out []byte) string {
	s := strings.TrimRight(string(out), " \t\r\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[len(s)-200:]
	}
	return sanitize(strings.TrimSpace(s))
}

// quoteArgs renders args for a reader: words as they are, empty words and
// words with blanks or quotes in single quotes.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`") {
			q[i] = a
			continue
		}
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return sanitize(strings.Join(q, " "))
}
