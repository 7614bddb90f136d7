package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"aim/deb"
	"aim/repo/publish"
)

// aim repo init DIR --dist D [--component C] [--arch A,...] [--origin O]
//                   [--label L] [--description T] [--flat]
// aim repo add DIR [--dist D] [--component C] [--strict] [--link] FILE.deb...
// aim repo remove DIR [--dist D] PKG[=VERSION]...
// aim repo list DIR [--dist D] [--json]
// aim repo check DIR
// aim repo publish DIR --key KEY.secret.asc [--passphrase-file F]
//                   [--valid-for 7d] [--install-files --base-url URL]
//                   [--snapshot NAME]
//                   [--to s3://BUCKET/PREFIX [--endpoint URL] [--region R] [--path-style]]
// aim repo snapshot create DIR NAME | list DIR | diff DIR A B | drop DIR NAME
// aim repo rollback DIR --key KEY.secret.asc [--to s3://BUCKET/PREFIX ...]
// aim repo mirror create DIR NAME URL SUITE COMPONENTS --keyring K [--filter F [--with-deps]]
// aim repo mirror update DIR NAME [--dry-run]
//
// What a maintainer publishes. Package repo keeps the package database,
// writes indexes and Releases; this file and repo_*.go parse flags and
// print.

// repoFlags are the flags of every repo verb, in the one FlagSet they
// share; each has one meaning for all verbs.
type repoFlags struct {
	fs *pflag.FlagSet
}

// newRepoFlags defines the repo flags in fs, once.
func newRepoFlags(fs *pflag.FlagSet) repoFlags {
	if fs.Lookup("dist") == nil {
		fs.String("dist", "", "the distribution (suite) to work on")
		fs.String("component", "", "the component (init: the first one; add: where packages go)")
		fs.StringSlice("arch", nil, "architectures the repository indexes (comma-separated)")
		fs.String("origin", "", "the Origin field of Release files")
		fs.String("label", "", "the Label field of Release files")
		fs.String("description", "", "the Description field of Release files")
		fs.String("catalogue", "", "the catalogue name of .install files")
		fs.Bool("flat", false, "a flat repository (Release and Packages at the top, for \"deb URI ./\")")
		fs.Bool("strict", false, "refuse packages with lint warnings")
		fs.Bool("link", false, "hard-link package files on the pool's filesystem instead of copying them (never rewrite them in place afterwards)")
		fs.String("key", "", "the secret key `FILE` that signs Release files")
		fs.String("valid-for", "", "how long a Release stays valid (Valid-Until), e.g. 7d or 36h")
		fs.Bool("install-files", false, "also write a .install file for every user package under DIR/install/")
		fs.String("base-url", "", "the `URL` the repository is served at (for .install files)")
		fs.String("snapshot", "", "publish the package set of snapshot `NAME` (it becomes the repository's)")
		fs.String("keyring", "", "mirror create: the keyring `FILE` the upstream Release must be signed by")
		fs.String("filter", "", "mirror create: the packages kept, as a relation list ('PKG, PKG (>= V)...')")
		fs.Bool("with-deps", false, "mirror create: keep what the filtered packages need too, for each architecture")
		fs.Bool("dry-run", false, "mirror update: print the packages selected, change nothing")
		fs.String("to", "", "also upload the published tree to object storage at `s3://BUCKET/PREFIX`")
		fs.String("endpoint", "", "the S3 service `URL` (default $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, or AWS)")
		fs.String("region", "", "the bucket's region (default $AWS_REGION or us-east-1)")
		fs.Bool("path-style", false, "address the bucket as ENDPOINT/BUCKET, as self-hosted S3 servers need")
		passphraseFileFlag(fs)
	}
	return repoFlags{fs: fs}
}

func (f repoFlags) str(name string) string { return f.fs.Lookup(name).Value.String() }

func (f repoFlags) bool(name string) bool { return f.fs.Lookup(name).Value.String() == "true" }

func (f repoFlags) list(name string) []string {
	v, _ := f.fs.GetStringSlice(name)
	return v
}

// openRepoArg opens the repository named by the first argument.
func openRepoArg(args []string, usage string) (*publish.Repo, []string, error) {
	if len(args) == 0 {
		return nil, nil, usageError("usage: %s", usage)
	}
	r, err := publish.Open(args[0])
	if err != nil {
		return nil, nil, err
	}
	return r, args[1:], nil
}

func setupRepoInit(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		const usage = "aim repo init DIR --dist D [--component C] [--arch A,...] [--origin O] [--label L] [--description T] [--flat]"
		if len(args) != 1 {
			return usageError("usage: %s", usage)
		}
		s := publish.Settings{Architectures: f.list("arch"), Origin: f.str("origin"), Label: f.str("label"),
			Description: f.str("description"), Catalogue: f.str("catalogue"), Flat: f.bool("flat")}
		if d := f.str("dist"); d != "" {
			s.Dists = []string{d}
		}
		if c := f.str("component"); c != "" {
			s.Components = []string{c}
		}
		s = initDefaults(args[0], s)
		got, err := publish.Init(args[0], s)
		if err != nil {
			return err
		}
		if !e.g.quiet {
			form := "dists"
			if got.Flat {
				form = "flat"
			}
			fmt.Fprintf(e.stdout, "repository %s (%s form): dists %s, components %s, architectures %s\n", args[0], form,
				strings.Join(got.Dists, " "), strings.Join(got.Components, " "), strings.Join(got.Architectures, " "))
		}
		return nil
	}
}

// initDefaults fills what init may leave out: for a new repository the
// component main and the host architecture; for an existing one nothing
// (its settings keep theirs).
func initDefaults(dir string, s publish.Settings) publish.Settings {
	existing, err := publish.Open(dir)
	if err == nil {
		defer existing.Close()
		old := existing.Settings
		if len(s.Dists) == 0 {
			s.Dists = old.Dists
		}
		if len(s.Components) == 0 {
			s.Components = old.Components
		}
		if len(s.Architectures) == 0 {
			s.Architectures = old.Architectures
		}
		s.Flat = s.Flat || old.Flat
		return s
	}
	if len(s.Components) == 0 {
		s.Components = []string{"main"}
	}
	if len(s.Architectures) == 0 {
		s.Architectures = []string{deb.HostArch()}
	}
	return s
}

func setupRepoRemove(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		const usage = "aim repo remove DIR [--dist D] PKG[=VERSION]..."
		r, rest, err := openRepoArg(args, usage)
		if err != nil {
			return err
		}
		defer r.Close()
		if len(rest) == 0 {
			return usageError("usage: %s", usage)
		}
		gone, err := r.Remove(f.str("dist"), rest)
		if err != nil {
			return err
		}
		if !e.g.quiet {
			for _, p := range gone {
				fmt.Fprintf(e.stdout, "removed %s %s %s from %s\n", p.Name, p.Version, p.Architecture, p.Dist)
			}
		}
		return nil
	}
}

// repoPackageJSON is one package in "aim repo list --json".
type repoPackageJSON struct {
	Dist         string `json:"dist"`
	Component    string `json:"component"`
	Package      string `json:"package"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	Section      string `json:"section,omitempty"`
	Filename     string `json:"filename"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
}

func setupRepoList(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		r, rest, err := openRepoArg(args, "aim repo list DIR [--dist D] [--json]")
		if err != nil {
			return err
		}
		defer r.Close()
		if len(rest) != 0 {
			return usageError("usage: aim repo list DIR [--dist D] [--json]")
		}
		dists := r.Settings.Dists
		if d := f.str("dist"); d != "" {
			dists = []string{d}
		}
		out := []repoPackageJSON{}
		for _, d := range dists {
			pkgs, err := r.Packages(d)
			if err != nil {
				return err
			}
			for _, p := range pkgs {
				out = append(out, repoPackageJSON{p.Dist, p.Component, p.Name, p.Version, p.Architecture, p.Section, p.Filename, p.Size, p.SHA256})
			}
		}
		if e.g.json {
			return writeJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, p := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Dist, p.Component, p.Package, p.Version, p.Architecture)
		}
		return tw.Flush()
	}
}
