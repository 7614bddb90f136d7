package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"aim/repo/mirror"
)

// aim repo mirror create DIR NAME URL SUITE COMPONENTS --keyring K
//                        [--filter 'PKG, PKG...' [--with-deps]] [--arch A,...]
//                        [--dist D] [--component C]
// aim repo mirror update DIR NAME [--dry-run]

const mirrorUsage = "aim repo mirror create DIR NAME URL SUITE COMPONENTS --keyring K [--filter 'PKG, PKG...' [--with-deps]] [--arch A,...] [--dist D] [--component C] | update DIR NAME [--dry-run]"

func setupRepoMirror(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		if len(args) < 1 {
			return usageError("usage: %s", mirrorUsage)
		}
		switch {
		case args[0] == "create" && len(args) == 6:
			return mirrorCreate(e, f, args[1:])
		case args[0] == "update" && len(args) == 3:
			return mirrorUpdate(e, f, args[1], args[2])
		}
		return usageError("usage: %s", mirrorUsage)
	}
}

func mirrorCreate(e *env, f repoFlags, args []string) error {
	if f.str("keyring") == "" {
		return usageError("aim repo mirror create needs --keyring FILE: the keys the upstream Release must be signed by")
	}
	if f.bool("with-deps") && f.str("filter") == "" {
		return usageError("--with-deps needs --filter")
	}
	key, err := os.ReadFile(f.str("keyring"))
	if err != nil {
		return err
	}
	r, rest, err := openRepoArg(args, mirrorUsage)
	if err != nil {
		return err
	}
	defer r.Close()
	c := mirror.Config{Name: rest[0], URL: rest[1], Suite: rest[2], Components: strings.FieldsFunc(rest[3], func(c rune) bool { return c == ',' || c == ' ' }),
		Architectures: f.list("arch"), Filter: f.str("filter"), WithDeps: f.bool("with-deps"), Dist: f.str("dist"), Component: f.str("component")}
	if err := mirror.Create(r, c, key); err != nil {
		return err
	}
	if !e.g.quiet {
		fmt.Fprintf(e.stdout, "mirror %s of %s %s created; fetch it with aim repo mirror update %s %s\n", c.Name, c.URL, c.Suite, args[0], c.Name)
	}
	return nil
}

func mirrorUpdate(e *env, f repoFlags, dir, name string) error {
	r, _, err := openRepoArg([]string{dir}, mirrorUsage)
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := mirror.Update(context.Background(), r, name, mirror.UpdateOptions{DryRun: f.bool("dry-run")})
	if err != nil {
		return err
	}
	if e.g.json {
		return writeJSON(e.stdout, res)
	}
	if e.g.quiet {
		return nil
	}
	if f.bool("dry-run") {
		for _, p := range res.Packages {
			fmt.Fprintf(e.stdout, "%s %s %s\n", p.Name, p.Version, p.Architecture)
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "mirror %s: %d selected, %d downloaded, %d added, %d removed (publish to serve them)\n",
		name, res.Selected, res.Downloaded, len(res.Added), len(res.Removed))
	return nil
}
