package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"aim/install"
)

func init() {
	register(&command{name: "files", summary: "list the files an installed package owns", setup: setupFiles})
}

func setupFiles(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return &exitError{code: 2, msg: "files: name one package"}
		}
		d, err := openReaderOrNone(e)
		if err != nil {
			return err
		}
		if d != nil {
			defer d.Close()
			if _, err := d.Installed(args[0]); err == nil {
				files, err := d.Files(args[0])
				if err != nil {
					return err
				}
				paths := make([]string, len(files))
				for i, f := range files {
					paths[i] = f.Path
				}
				return printFiles(e, args[0], "aim", paths)
			}
		}
		paths, ok, err := install.DpkgFiles(e.g.root, args[0]) // dpkg's package: read-only, from its list
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s is not installed", args[0])
		}
		return printFiles(e, args[0], "dpkg", paths)
	}
}

// printFiles prints a package's paths, one a line, or with --json as
// {"package", "owner", "files"} where owner is "aim" or "dpkg".
func printFiles(e *env, pkg, owner string, paths []string) error {
	if e.g.json {
		if paths == nil {
			paths = []string{}
		}
		return writeJSON(e.stdout, struct {
			Package string   `json:"package"`
			Owner   string   `json:"owner"`
			Files   []string `json:"files"`
		}{pkg, owner, paths})
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}
