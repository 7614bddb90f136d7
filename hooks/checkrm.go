package hooks

import (
	"context"
	"errors"
	"fmt"

	"aim/deb/rootfs"
)

// CheckrmCancel is the exit status with which a checkrm program cancels
// the removal or upgrade of its package.
const CheckrmCancel = 111

// CheckrmPath returns the host path of PKG's checkrm under root:
// ROOT/var/lib/aim/info/PKG.checkrm, where the engine keeps the package's
// checkrm control member.
func CheckrmPath(root, pkg string) string {
	return rootfs.Root(root).InfoFile(pkg, "checkrm")
}

// RunCheckrm runs pkg's checkrm program at host path p (see CheckrmPath)
// with args, which must be CheckrmRemove() or CheckrmUpgrade(NEW), before
// pkg is removed or upgraded. It returns a *CancelledError (which matches
// ErrCancelled) only when the program exits 111. Every other ending lets
// the operation go on and returns a nil error: the program is missing
// (Result.Ran false), exits 0, 1 or any other status, is killed by a
// signal, times out, or cannot be started; the Result says which, for the
// transcript. When ctx ends, the error wraps ctx.Err(); an invalid call
// (other arguments, a path outside a chroot root) is an error too.
func (r *Runner) RunCheckrm(ctx context.Context, pkg, p string, args []string) (Result, error) {
	if !validCheckrmArgs(args) {
		return Result{Package: pkg, Script: "checkrm", Args: args, ExitCode: -1},
			fmt.Errorf("checkrm of %s: arguments %q are neither remove nor upgrade VERSION", pkg, args)
	}
	res, err := r.Run(ctx, Script{Package: pkg, Name: "checkrm", Path: p, Args: args})
	if ctx.Err() != nil {
		return res, err
	}
	if res.Ran && res.StartError == nil && !res.TimedOut && res.Signal == 0 && res.ExitCode == CheckrmCancel {
		out := res.Output
		if len(out) > errorTail {
			out = out[len(out)-errorTail:]
		}
		return res, &CancelledError{Package: pkg, Args: args, Output: append([]byte(nil), out...)}
	}
	var scriptErr *ScriptError
	if err != nil && !errors.As(err, &scriptErr) && res.StartError == nil {
		// The checkrm could not even be looked at (for example a
		// path outside the root): report it, the caller decides.
		return res, err
	}
	return res, nil
}

func validCheckrmArgs(args []string) bool {
	switch {
	case len(args) == 1 && args[0] == "remove":
		return true
	case len(args) == 2 && args[0] == "upgrade" && args[1] != "":
		return true
	}
	return false
}
