package main

// aim __complete KIND [PREFIX]: the names shell completion offers for
// arguments (help_text.go says which commands take which): installed
// packages, available packages, or source names, one a line. It prints
// nothing, and exits 0, when there is nothing to offer.

import (
	"fmt"
	"sort"
	"strings"

	"aim/repo/sources"

	"github.com/spf13/pflag"
)

func setupComplete(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) < 1 || len(args) > 2 {
			return usageError("usage: aim __complete installed|available|sources [PREFIX]")
		}
		prefix := ""
		if len(args) == 2 {
			prefix = args[1]
		}
		names, err := completionNames(e, args[0])
		if err != nil {
			return nil // completion stays quiet
		}
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				fmt.Fprintln(e.stdout, n)
			}
		}
		return nil
	}
}

// completionNames returns the sorted names of kind.
func completionNames(e *env, kind string) ([]string, error) {
	var names []string
	switch kind {
	case "installed":
		ix, err := loadInstalled(e)
		if err != nil {
			return nil, err
		}
		names = ix.names()
	case "available":
		c, err := openCache(e)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		seen := map[string]bool{}
		for i := 0; i < c.Len(); i++ {
			if n := c.At(i).Name; !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	case "sources":
		cfg, err := settings(e)
		if err != nil {
			return nil, err
		}
		srcs, _ := sources.Load(e.g.root, distribution(cfg))
		for _, s := range srcs {
			names = append(names, s.Name)
		}
	default:
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	sort.Strings(names)
	return names, nil
}
