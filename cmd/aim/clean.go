package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"aim/deb/rootfs"
)

func setupClean(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		d, err := openWriter(e)
		if err != nil {
			return err
		}
		defer d.Close()
		debs, err := filepath.Glob(filepath.Join(rootfs.Root(e.g.root).ArchivesDir(), "*.deb"))
		if err != nil {
			return err
		}
		var n int64
		for _, p := range debs {
			if fi, err := os.Stat(p); err == nil {
				n += fi.Size()
			}
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("clean: %w", err)
			}
		}
		if !e.g.quiet {
			fmt.Fprintf(e.stdout, "Deleted %d archives (%s).\n", len(debs), humanSize(n))
		}
		return nil
	}
}
