package main

import (
	"fmt"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "files", summary: "list the files an installed package owns", setup: setupFiles})
}

func setupFiles(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return &exitError{code: 2, msg: "files: name one package"}
		}
		d, err := openReader(e)
		if err != nil {
			return err
		}
		defer d.Close()
		files, err := d.Files(args[0])
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintln(e.stdout, f.Path)
		}
		return nil
	}
}
