package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"aim/db"
	"aim/install"

	"github.com/spf13/pflag"
)

func setupOwns(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "owns: name at least one path"}
		}
		d, err := openReaderOrNone(e)
		if err != nil {
			return err
		}
		if d != nil {
			defer d.Close()
		}
		cfg, err := settings(e)
		if err != nil {
			return err
		}
		native := nativeArch(cfg)
		missing := 0
		var found []ownerJSON
		for _, a := range args {
			p := path.Clean("/" + a)
			var owners []string
			if d != nil {
				aims, err := d.Owners(p)
				if err != nil {
					return err
				}
				for _, o := range aims {
					owners = append(owners, archLabel(o.Name, o.Architecture, native))
				}
			}
			dpkg, err := install.DpkgOwners(e.g.root, p)
			if err != nil {
				return err
			}
			owners = append(owners, dpkg...)
			if len(owners) == 0 {
				fmt.Fprintf(e.stderr, "aim: no package owns %s\n", p)
				missing++
			}
			for _, o := range owners {
				if !e.g.json {
					fmt.Fprintf(e.stdout, "%s: %s\n", o, p)
				}
			}
			found = append(found, ownerJSON{Path: p, Packages: append([]string{}, owners...)})
		}
		if e.g.json {
			if err := writeJSON(e.stdout, found); err != nil {
				return err
			}
		}
		if missing > 0 {
			return &exitError{code: 1}
		}
		return nil
	}
}

// ownerJSON is one path in aim owns --json: the packages that own it
// (none: an empty list).
type ownerJSON struct {
	Path     string   `json:"path"`
	Packages []string `json:"packages"`
}

// openReaderOrNone is openReader that returns nil and no error for a
// root without aim's database (dpkg's packages may still be there).
func openReaderOrNone(e *env) (*db.DB, error) {
	d, err := db.OpenReadOnly(e.g.root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, db.ErrSchemaOlder):
		return openWriter(e)
	}
	return d, err
}

// openReader opens the database for reading; a root without one has
// nothing installed by aim.
func openReader(e *env) (*db.DB, error) {
	d, err := db.OpenReadOnly(e.g.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("nothing installed by aim under %s", e.g.root)
	}
	if errors.Is(err, db.ErrSchemaOlder) {
		return openWriter(e)
	}
	return d, err
}
