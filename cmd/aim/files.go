package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"aim/install"
)

func setupFiles(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return &exitError{code: 2, msg: "files: name one package"}
		}
		d, err := openReaderOrNone(e)
		if err != nil {
			return err
		}
		name, arch := splitArch(args[0])
		if d != nil {
			defer d.Close()
			if ip, err := d.Installed(name, arch); err == nil {
				files, err := d.Files(name, ip.Architecture)
				if err != nil {
					return err
				}
				paths := make([]string, len(files))
				for i, f := range files {
					paths[i] = f.Path
				}
				return printFiles(e, name, ip.Architecture, "aim", paths)
			}
		}
		// dpkg's package: read-only, from its list (NAME:ARCH.list for
		// its Multi-Arch: same packages).
		paths, ok, err := install.DpkgFiles(e.g.root, args[0])
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s is not installed", args[0])
		}
		return printFiles(e, name, arch, "dpkg", paths)
	}
}

// printFiles prints a package's paths, one a line, or with --json as
// {"package", "architecture", "owner", "files"} where owner is "aim" or
// "dpkg" (architecture is left out when unknown: a dpkg package named
// without one).
func printFiles(e *env, pkg, arch, owner string, paths []string) error {
	if e.g.json {
		if paths == nil {
			paths = []string{}
		}
		return writeJSON(e.stdout, struct {
			Package      string   `json:"package"`
			Architecture string   `json:"architecture,omitempty"`
			Owner        string   `json:"owner"`
			Files        []string `json:"files"`
		}{pkg, arch, owner, paths})
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}
