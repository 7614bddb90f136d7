package main

import (
	"aim/install"
	"errors"
	"fmt"

	"aim/db"

	"github.com/spf13/pflag"
)

func setupMark(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) < 2 {
			return &exitError{code: 2, msg: "mark: usage: aim mark auto|manual|hold|unhold PKG..."}
		}
		verb, pkgs := args[0], args[1:]
		switch verb {
		case "auto", "manual", "hold", "unhold":
		default:
			return &exitError{code: 2, msg: fmt.Sprintf("mark: unknown verb %q (one of auto, hold, manual, unhold)", verb)}
		}
		return mark(e, verb, pkgs)
	}
}

// mark changes the records of packages aim installed, under the writer
// lock; dpkg's packages are refused by name.
func mark(e *env, verb string, pkgs []string) error {
	d, err := openWriter(e)
	if err != nil {
		return err
	}
	defer d.Close()
	dpkg, err := db.ReadDpkgStatus(e.g.root)
	if err != nil {
		return err
	}
	for _, n := range pkgs {
		if _, err := d.Installed(splitArch(n)); err != nil {
			if errors.Is(err, db.ErrNotFound) && isDpkg(dpkg, n) {
				return fmt.Errorf("mark %s %s: it is a system package installed by dpkg, which aim does not manage", verb, n)
			}
			if errors.Is(err, db.ErrNotFound) {
				return fmt.Errorf("mark %s %s: not installed by aim", verb, n)
			}
			return err
		}
	}
	if verb == "auto" || verb == "manual" {
		for _, n := range pkgs {
			name, arch := splitArch(n)
			if err := d.SetAuto(name, arch, verb == "auto"); err != nil {
				return err
			}
		}
	} else if err := setHolds(d, pkgs, verb == "hold"); err != nil {
		return err
	}
	if !e.g.quiet {
		for _, n := range pkgs {
			fmt.Fprintf(e.stdout, markDone[verb]+"\n", n)
		}
	}
	return nil
}

// markDone is what apt-mark says for each package a verb changed.
var markDone = map[string]string{
	"auto":   "%s set to automatically installed.",
	"manual": "%s set to manually installed.",
	"hold":   "%s set on hold.",
	"unhold": "Canceled hold on %s.",
}

func isDpkg(list []db.InstalledPackage, name string) bool {
	for _, p := range list {
		if p.Name == name {
			return true
		}
	}
	return false
}

// setHolds adds or removes names in the stored hold list.
func setHolds(d *db.DB, pkgs []string, hold bool) error { return install.SetHolds(d, pkgs, hold) }
