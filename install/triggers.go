package install

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"aim/hooks"
)

// interest is one package's trigger interests.
type interest struct {
	pkg, postinst string
	names         []string
}

// triggers runs, once each, the postinst "triggered NAMES" of packages
// interested in triggers the transaction activated (named triggers from
// the packages' "activate" lines, file triggers matched against the
// paths installed or removed), then ldconfig when shared libraries
// changed and the root has it.
func (x *txn) triggers() error {
	paths := x.changedPaths()
	active := x.activated()
	for _, in := range x.interests() {
		var hit []string
		for _, n := range in.names {
			if active[n] || strings.HasPrefix(n, "/") && matchesPrefix(paths, n) {
				hit = append(hit, n)
			}
		}
		if len(hit) == 0 {
			continue
		}
		if err := x.script(in.pkg, "postinst", in.postinst, hooks.PostinstTriggered(hit)); err != nil {
			return err
		}
	}
	if libsChanged(paths) {
		x.ldconfig()
	}
	return nil
}

// changedPaths lists the non-directory paths installed or removed.
func (x *txn) changedPaths() []string {
	var out []string
	for _, s := range x.steps {
		for _, f := range s.newFiles {
			if f.Type != 'd' {
				out = append(out, f.Path)
			}
		}
		if !s.c.Action.unpacks() {
			for _, f := range s.oldFiles {
				if f.Type != 'd' {
					out = append(out, f.Path)
				}
			}
		}
	}
	return out
}

// activated returns the trigger names that changed packages activate.
func (x *txn) activated() map[string]bool {
	out := map[string]bool{}
	for _, s := range x.steps {
		data := x.triggerFile(s)
		for _, f := range parseTriggers(data) {
			if strings.HasPrefix(f[0], "activate") {
				out[f[1]] = true
			}
		}
	}
	return out
}

// triggerFile returns the triggers member that applies to s: the new
// version's, or the removed version's.
func (x *txn) triggerFile(s *step) []byte {
	if s.ctrl != nil {
		if m, ok := s.ctrl.Member("triggers"); ok {
			return m.Data
		}
		return nil
	}
	data, _ := os.ReadFile(x.infoPath(s.c.Name, "triggers"))
	return data
}

// interests returns the trigger interests of the packages installed once
// the transaction is done, sorted by package.
func (x *txn) interests() []interest {
	byPkg := map[string]interest{}
	files, _ := filepath.Glob(filepath.Join(x.e.Root, InfoDir, "*.triggers"))
	for _, p := range files {
		pkg := strings.TrimSuffix(filepath.Base(p), ".triggers")
		data, _ := os.ReadFile(p)
		byPkg[pkg] = interestOf(pkg, x.infoPath(pkg, "postinst"), data)
	}
	for _, s := range x.steps {
		delete(byPkg, s.c.Name)
		if s.ctrl != nil {
			byPkg[s.c.Name] = interestOf(s.c.Name, filepath.Join(s.ctrlDir, "postinst"), x.triggerFile(s))
		}
	}
	var out []interest
	for _, in := range byPkg {
		if len(in.names) > 0 {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pkg < out[j].pkg })
	return out
}

func interestOf(pkg, postinst string, data []byte) interest {
	in := interest{pkg: pkg, postinst: postinst}
	for _, f := range parseTriggers(data) {
		if strings.HasPrefix(f[0], "interest") {
			in.names = append(in.names, f[1])
		}
	}
	return in
}

// parseTriggers returns the "DIRECTIVE NAME" lines of a triggers file.
func parseTriggers(data []byte) [][2]string {
	var out [][2]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 2 {
			out = append(out, [2]string{f[0], f[1]})
		}
	}
	return out
}

func matchesPrefix(paths []string, prefix string) bool {
	for _, p := range paths {
		if p == prefix || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/") {
			return true
		}
	}
	return false
}

// libsChanged reports whether a shared library was installed or removed.
func libsChanged(paths []string) bool {
	for _, p := range paths {
		base := filepath.Base(p)
		if strings.Contains(p, "/lib") && (strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")) {
			return true
		}
	}
	return false
}

// ldconfig runs the root's ldconfig, when it has one; a failure is noted
// in the transcript only.
func (x *txn) ldconfig() {
	var prog string
	for _, p := range []string{"sbin/ldconfig", "usr/sbin/ldconfig"} {
		if fi, err := os.Stat(filepath.Join(x.e.Root, p)); err == nil && fi.Mode().IsRegular() {
			prog = "/" + p
			break
		}
	}
	if prog == "" {
		return
	}
	var cmd *exec.Cmd
	switch {
	case x.e.Root == "/":
		cmd = exec.CommandContext(x.ctx, prog)
	case x.scripts.Chroot:
		cmd = exec.CommandContext(x.ctx, prog)
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: x.e.Root}
	default:
		cmd = exec.CommandContext(x.ctx, filepath.Join(x.e.Root, prog), "-r", x.e.Root)
	}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	x.tr.Note("ldconfig: %s %v", strings.TrimSpace(string(out)), err)
}
