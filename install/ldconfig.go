package install

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"aim/db"
)

// ldconfigTrigger is the named trigger that asks for ldconfig (glibc's
// libc-bin is interested in it; packages activate it with
// "activate-noawait ldconfig").
const ldconfigTrigger = "ldconfig"

// trustedLibDirs are the directories ldconfig always looks at.
var trustedLibDirs = []string{"/lib", "/lib32", "/lib64", "/libx32", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/local/lib"}

// needsLdconfig reports whether the transaction installed or removed a
// shared library in a directory ldconfig looks at, activated the
// ldconfig trigger, or changed a package with a shlibs member.
func (x *txn) needsLdconfig(acts []activation) bool {
	for _, a := range acts {
		if a.name == ldconfigTrigger {
			return true
		}
	}
	for _, s := range x.steps {
		if s.ctrl != nil {
			if _, ok := s.ctrl.Member("shlibs"); ok {
				return true
			}
		}
	}
	dirs := ldDirs(x.e.Root)
	for _, p := range x.changedPaths() {
		if isSharedLib(p) && dirs[path.Dir(p)] {
			return true
		}
	}
	return false
}

// isSharedLib reports whether p's name looks like a shared library:
// NAME.so or NAME.so.VERSION.
func isSharedLib(p string) bool {
	base := path.Base(p)
	return strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")
}

// ldDirs returns the in-root directories ldconfig looks at: the trusted
// ones, their multiarch subdirectories (e.g. /usr/lib/x86_64-linux-gnu),
// and those listed in etc/ld.so.conf and the files it includes.
func ldDirs(root string) map[string]bool {
	dirs := map[string]bool{}
	for _, d := range trustedLibDirs {
		dirs[d] = true
		sub, _ := os.ReadDir(filepath.Join(root, d))
		for _, e := range sub {
			if e.IsDir() && strings.Count(e.Name(), "-") >= 2 {
				dirs[path.Join(d, e.Name())] = true
			}
		}
	}
	readLdConf(root, "/etc/ld.so.conf", dirs, 0)
	return dirs
}

// readLdConf adds the directories an ld.so.conf file lists, following
// "include GLOB" lines to a bounded depth.
func readLdConf(root, name string, dirs map[string]bool, depth int) {
	if depth > 4 {
		return
	}
	host, err := hostPath(root, name)
	if err != nil {
		return
	}
	f, err := os.Open(host)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "include" && len(fields) == 2:
			pat := fields[1]
			if !path.IsAbs(pat) {
				pat = path.Join(path.Dir(name), pat)
			}
			matches, _ := filepath.Glob(filepath.Join(root, pat))
			for _, m := range matches {
				rel, err := filepath.Rel(root, m)
				if err == nil {
					readLdConf(root, "/"+filepath.ToSlash(rel), dirs, depth+1)
				}
			}
		case path.IsAbs(fields[0]):
			dirs[path.Clean(fields[0])] = true
		}
	}
}

// ldconfigCmd returns the command that rebuilds root's ld.so.cache, nil
// when root has no ldconfig (sbin/ldconfig or usr/sbin/ldconfig). On
// "/" it runs that ldconfig; chrooted it runs it inside root; chrootless
// it runs the host's ldconfig with -r ROOT, since the root's binary may
// not run on the host.
func ldconfigCmd(root string, chroot bool) *exec.Cmd {
	prog := ""
	for _, p := range []string{"/sbin/ldconfig", "/usr/sbin/ldconfig"} {
		if fi, err := os.Stat(filepath.Join(root, p)); err == nil && fi.Mode().IsRegular() {
			prog = p
			break
		}
	}
	if prog == "" {
		return nil
	}
	switch {
	case root == "/":
		return exec.Command(prog)
	case chroot:
		cmd := exec.Command(prog)
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		return cmd
	}
	host := hostLdconfig()
	if host == "" {
		return nil
	}
	return exec.Command(host, "-r", root)
}

// hostLdconfig returns the host's ldconfig, "" when it has none.
func hostLdconfig() string {
	for _, p := range []string{"/sbin/ldconfig", "/usr/sbin/ldconfig"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	p, _ := exec.LookPath("ldconfig")
	return p
}

// runLdconfig runs ldconfig for the root once, when it has one, and
// says what happened for the transcript; a failure is only noted
// (dpkg's libc-bin trigger does the same), since the cache is rebuilt
// by the next run. It must run only once no backup (PATH.aim-old)
// stands beside a library: ldconfig would point the SONAME link at the
// backup, which cleanup then deletes, breaking every user of the
// library (and a link it makes for a removed library is never removed).
func runLdconfig(root string, chroot bool) string {
	cmd := ldconfigCmd(root, chroot)
	if cmd == nil {
		return "ldconfig: skipped, the root has no ldconfig"
	}
	if root != "/" && !chroot {
		os.MkdirAll(filepath.Join(root, "etc"), 0o755) // where -r writes ld.so.cache
	}
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("ldconfig: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return "ldconfig: ran " + strings.Join(cmd.Args, " ")
}

// journalNeedsLdconfig reports whether a journaled transaction added or
// removed a shared library in a directory ldconfig looks at (recovery
// finishing a committed transaction no longer knows its triggers).
func journalNeedsLdconfig(root string, steps []db.JournalStep) bool {
	dirs := ldDirs(root)
	for _, st := range steps {
		for _, p := range append(append([]string{}, st.New...), st.Old...) {
			if isSharedLib(p) && dirs[path.Dir(p)] {
				return true
			}
		}
	}
	return false
}
