package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"aim/db"
	"aim/deb/rootfs"
	"aim/install"
	"aim/install/debiantest"
)

// present lists the packages of realCrashPkgs that aim installed or
// left in the config-files state.
func (c *realCrash) present() []string {
	d, err := db.OpenReadOnly(c.root)
	if err != nil {
		c.t.Fatal(err)
	}
	defer d.Close()
	var out []string
	for _, name := range realCrashPkgs {
		v, conf, err := install.ConfigFiles(d, name)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, ierr := d.Installed(name, ""); ierr == nil || v != "" || len(conf) > 0 {
			out = append(out, name)
		}
	}
	return out
}

// check fails the test unless the root is consistent: aim verify clean,
// no journal and nothing pending, every installed package's archive
// files recorded (verify checked that they are there and unchanged) and
// its program running, no file of a package that is not installed left
// but the conffiles of one in the config-files state, no staging or
// backup file, and no dangling link that the untouched root did not
// have.
func (c *realCrash) check(when string) {
	t := c.t
	t.Helper()
	if out, errs, code := aim(t, "--root", c.root, "verify"); code != 0 {
		c.fail("%s: aim verify: exit %d\n%s%s", when, code, out, errs)
	}
	d, err := db.OpenReadOnly(c.root)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer d.Close()
	if j, err := d.Journal(); err != nil || len(j) != 0 {
		c.fail("%s: journal %+v, %v", when, j, err)
	}
	if p, err := install.PendingState(d); err != nil || len(p) != 0 {
		c.fail("%s: pending %v, %v", when, p, err)
	}
	for _, name := range realCrashPkgs {
		_, err := d.Installed(name, "")
		switch {
		case err == nil:
			c.checkInstalled(when, d, name)
		case errors.Is(err, db.ErrNotFound):
			c.checkAbsent(when, d, name)
		default:
			t.Fatalf("%s: %v", when, err)
		}
	}
	for _, l := range c.leftovers() {
		c.fail("%s: left over: %q", when, l)
	}
	for _, l := range c.danglingLinks() {
		if !c.dangling[l] {
			c.fail("%s: dangling link %s", when, l)
		}
	}
}

// checkInstalled checks that the database records every file of name's
// archive and that its program runs.
func (c *realCrash) checkInstalled(when string, d *db.DB, name string) {
	files, err := d.Files(name, "")
	if err != nil {
		c.t.Fatal(err)
	}
	recorded := map[string]bool{}
	for _, f := range files {
		recorded[strings.TrimSuffix(f.Path, "/")] = true
	}
	for _, p := range c.files[name] {
		if !recorded[p] {
			c.fail("%s: %s installed, but the database does not record its %s", when, name, p)
		}
	}
	if prog := realCrashProgs[name]; prog != nil {
		if code, out := debiantest.Chroot(c.t, c.root, prog...); code != 0 {
			c.fail("%s: %s: exit %d: %s", when, strings.Join(prog, " "), code, out)
		}
	}
}

// checkAbsent checks that no file of name's archive is left but the
// conffiles of a package in the config-files state.
func (c *realCrash) checkAbsent(when string, d *db.DB, name string) {
	_, kept, err := install.ConfigFiles(d, name)
	if err != nil {
		c.t.Fatal(err)
	}
	conf := map[string]bool{}
	for _, p := range kept {
		conf[p] = true
	}
	for _, p := range c.files[name] {
		if conf[p] {
			continue
		}
		host, err := rootfs.Root(c.root).JoinNoFollow(p)
		if err != nil {
			continue
		}
		if _, err := os.Lstat(host); err == nil {
			c.fail("%s: %s is not installed, but its %s is there", when, name, p)
		}
	}
}

// leftovers lists staging and backup files (their names end in a
// newline) and anything in aim's staging directory.
func (c *realCrash) leftovers() []string {
	var out []string
	filepath.WalkDir(c.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(c.root, p)
		if e.IsDir() && (rel == "proc" || rel == "sys" || rel == "dev") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(e.Name(), "\n") || strings.HasPrefix(rel, rootfs.TmpDir+"/") {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// danglingLinks lists the symlinks under the root whose target, resolved
// inside the root, does not exist.
func (c *realCrash) danglingLinks() []string {
	var out []string
	root := rootfs.Root(c.root)
	filepath.WalkDir(c.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(c.root, p)
		if e.IsDir() && (rel == "proc" || rel == "sys" || rel == "dev") {
			return filepath.SkipDir
		}
		if e.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if host, err := root.Join(rel); err != nil || !exists(host) {
			target, _ := os.Readlink(p)
			out = append(out, rel+" -> "+target)
		}
		return nil
	})
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// fail records a problem of the current trial.
func (c *realCrash) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}
