package hooks

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestRunCheckrm(t *testing.T) {
	tests := []struct {
		name   string
		body   string // "" means no checkrm file
		args   []string
		cancel bool
		ran    bool
		exit   int
		signal syscall.Signal
	}{
		{name: "111 cancels removal", body: "#!/bin/sh\necho 'foo is running'\nexit 111\n", args: CheckrmRemove(), cancel: true, ran: true, exit: 111},
		{name: "111 cancels upgrade", body: "#!/bin/sh\n[ \"$1 $2\" = 'upgrade 2.0' ] || exit 0\nexit 111\n", args: CheckrmUpgrade("2.0"), cancel: true, ran: true, exit: 111},
		{name: "0 goes on", body: "#!/bin/sh\nexit 0\n", args: CheckrmRemove(), ran: true},
		{name: "1 goes on", body: "#!/bin/sh\nexit 1\n", args: CheckrmUpgrade("2.0"), ran: true, exit: 1},
		{name: "112 goes on", body: "#!/bin/sh\nexit 112\n", args: CheckrmRemove(), ran: true, exit: 112},
		{name: "signal goes on", body: "#!/bin/sh\nkill -TERM $$\nexit 111\n", args: CheckrmRemove(), ran: true, exit: -1, signal: syscall.SIGTERM},
		{name: "missing goes on", args: CheckrmRemove(), exit: -1},
		{name: "bad interpreter goes on", body: "#!/nonexistent/sh\nexit 111\n", args: CheckrmRemove(), ran: true, exit: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			p := CheckrmPath(root, "foo")
			if tt.body != "" {
				writeScript(t, filepath.Dir(p), filepath.Base(p), tt.body)
			}
			r := Runner{Root: root}
			res, err := r.RunCheckrm(testContext(t), "foo", p, tt.args)
			if res.Ran != tt.ran || res.ExitCode != tt.exit || res.Signal != tt.signal {
				t.Fatalf("result %v (ran %v exit %d signal %v), want ran %v exit %d signal %v",
					res, res.Ran, res.ExitCode, res.Signal, tt.ran, tt.exit, tt.signal)
			}
			if !tt.cancel {
				if err != nil {
					t.Fatalf("err = %v, want the operation to go on", err)
				}
				return
			}
			var ce *CancelledError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCancelled) || ce.Package != "foo" || !slices.Equal(ce.Args, tt.args) {
				t.Fatalf("err = %#v, want a *CancelledError for foo", err)
			}
			if !strings.Contains(err.Error(), "package foo cancelled its") {
				t.Fatalf("message %q does not name the package", err)
			}
		})
	}
}

func TestCancelledErrorMessage(t *testing.T) {
	tests := []struct {
		err  *CancelledError
		want string
	}{
		{&CancelledError{Package: "foo", Args: CheckrmRemove()}, "package foo cancelled its removal (checkrm exited 111)"},
		{&CancelledError{Package: "foo", Args: CheckrmUpgrade("2.0"), Output: []byte("close foo first\n")},
			"package foo cancelled its upgrade to 2.0 (checkrm exited 111): close foo first"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestRunCheckrmInvalidArgs(t *testing.T) {
	for _, args := range [][]string{nil, {"purge"}, {"upgrade"}, {"upgrade", ""}, {"remove", "x"}} {
		var r Runner
		if _, err := r.RunCheckrm(testContext(t), "foo", "/nonexistent/foo.checkrm", args); err == nil {
			t.Errorf("args %q accepted", args)
		}
	}
}
