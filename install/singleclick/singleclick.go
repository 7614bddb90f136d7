package singleclick

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"aim/install"
	"aim/repo"
	"aim/repo/installfile"
	"aim/repo/pgp"
	"aim/repo/sources"
)

// Settings are the device's values a .install file is read against.
type Settings struct {
	// Distribution picks a catalogue's suite and repo_deb_N keys
	// (aim.conf's distribution; "" means installfile.DefaultDistribution).
	Distribution string
	// InstallKey overrides the repo_deb key for the distribution.
	InstallKey string
	// Locales are the user's locales, most wanted first, for names.
	Locales []string
	// Only restricts the install to these of the file's packages.
	Only []string
}

// Action says what staging does with a catalogue's repository.
type Action string

// The actions.
const (
	Add     Action = "add"     // a new source
	Enable  Action = "enable"  // a configured source, disabled
	Present Action = "present" // a configured source, enabled
)

// Repository is one catalogue of the file and what staging does with it.
type Repository struct {
	installfile.Catalogue
	// Line is the source line for this device's distribution.
	Line string `json:"line"`
	// write is the line written to the sources: Line, or for a catalogue
	// without a dist, with sources.DistributionVar as its suite so that the
	// source follows later changes of the device's distribution.
	write  string
	Action Action `json:"action"`
	// Source names the configured source (after staging for Add).
	Source string `json:"source,omitempty"`
	// Key is the fingerprint of the key accepted for the source, if any.
	Key string `json:"key,omitempty"`
}

// File is a .install file read for this device.
type File struct {
	Name         string
	Repositories []Repository
	// Packages are the packages to install (after Settings.Only).
	Packages []string
	dist     string
}

// OnlyError is a Settings.Only name the file does not offer.
type OnlyError struct {
	Name    string
	Offered []string
}

func (e *OnlyError) Error() string {
	offered := "no packages"
	if len(e.Offered) > 0 {
		offered = strings.Join(e.Offered, ", ")
	}
	return fmt.Sprintf("--only %s: the file offers %s", e.Name, offered)
}

// Read reads the .install file at loc (a path, or a file:, http: or
// https: URL) for a device with s, and says for each repository whether
// it is to be added, enabled or already there, looking at root's
// sources. A sources file that cannot be read is returned as warn, not
// an error: the repositories then count as new.
func Read(ctx context.Context, root, loc string, s Settings) (f *File, warn, err error) {
	data, err := installfile.ReadURL(ctx, loc)
	if err != nil {
		return nil, nil, err
	}
	return Parse(root, loc, data, s)
}

// Parse is Read of a file already read: data, shown as loc.
func Parse(root, loc string, data []byte, s Settings) (f *File, warn, err error) {
	if s.Distribution == "" {
		s.Distribution = installfile.DefaultDistribution
	}
	in, err := installfile.Parse(data, installfile.Options{Distribution: s.Distribution,
		InstallKey: s.InstallKey, Locales: s.Locales})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", loc, err)
	}
	f = &File{Name: loc, dist: s.Distribution, Packages: in.Packages}
	if len(s.Only) > 0 {
		for _, p := range s.Only {
			if !slices.Contains(in.Packages, p) {
				return nil, nil, &OnlyError{Name: p, Offered: in.Packages}
			}
		}
		f.Packages = s.Only
	}
	srcs, warn := sources.Load(root, s.Distribution)
	for _, c := range in.Catalogues {
		r := Repository{Catalogue: c, Line: c.SourceLine(s.Distribution), Action: Add}
		r.write = r.Line
		if c.Dist == "" {
			r.write = c.SourceLine(sources.DistributionVar)
		}
		if src := sources.MatchCatalogue(srcs, &c, s.Distribution); src != nil {
			r.Source, r.Action = src.Name, Present
			if !src.Enabled {
				r.Action = Enable
			}
		}
		f.Repositories = append(f.Repositories, r)
	}
	return f, warn, nil
}

// Options say how Stage treats repositories it cannot use as they are.
type Options struct {
	// Trust is asked about a repository signed by a key no keyring holds
	// (read from its key_uri, else key.asc at its URI, and checked to be
	// the signer); true trusts the key for that repository only. Nil
	// refuses every such key.
	Trust func(r *Repository, k pgp.Key) (bool, error)
	// AllowUnsigned accepts an unsigned repository (trusted=yes).
	AllowUnsigned bool
}

// Staged is a file whose repositories are in place and updated, with
// the install decided. Revert undoes the staging.
type Staged struct {
	File *File
	// Done lists the packages already installed at their candidate
	// version, as "NAME VERSION".
	Done []string
	// Decision is the install of the other packages; nil when there is
	// nothing to install.
	Decision *install.Decision

	in     *install.Installer
	ctx    context.Context
	opts   Options
	added  []string // sources added
	enable []string // disabled sources enabled
}

// Changed reports whether staging added or enabled a source.
func (s *Staged) Changed() bool { return len(s.added)+len(s.enable) > 0 }

// Stage adds and enables f's repositories under in's root, updates only
// those (taking keys as opts says) and decides the install of f's
// packages once, through in. A package found in no source is an error
// naming the repositories checked. On any error what was staged is
// reverted; a decision refused by policy is returned as the policy's
// error.
func Stage(ctx context.Context, in *install.Installer, f *File, opts Options) (*Staged, error) {
	s := &Staged{File: f, in: in, ctx: ctx, opts: opts}
	err := s.addSources()
	if err == nil {
		err = s.updateSources()
	}
	if err == nil {
		err = s.decide()
	}
	if err != nil {
		return nil, errors.Join(err, s.Revert())
	}
	return s, nil
}

// addSources enables the disabled sources and adds the new ones.
func (s *Staged) addSources() error {
	root := s.in.Root()
	for i := range s.File.Repositories {
		r := &s.File.Repositories[i]
		switch r.Action {
		case Enable:
			if _, err := sources.SetEnabled(root, r.Source, true); err != nil {
				return fmt.Errorf("enable source %s: %w", r.Source, err)
			}
			s.enable = append(s.enable, r.Source)
		case Add:
			src, err := sources.AddLine(root, r.write, sources.AddOptions{})
			if err != nil {
				return fmt.Errorf("add %s: %w", r.Line, err)
			}
			r.Source = src.Name
			s.added = append(s.added, src.Name)
		}
	}
	return nil
}

// decide checks the packages against the updated lists and decides the
// install of those not installed at their candidate version.
func (s *Staged) decide() error {
	if len(s.File.Packages) == 0 {
		return nil
	}
	sys, err := s.in.System()
	if err != nil {
		return err
	}
	defer sys.Close()
	var missing, wants []string
	for _, p := range s.File.Packages {
		cand, ok := sys.Candidate(p)
		switch in := sys.Installed[p]; {
		case !ok:
			missing = append(missing, p)
		case in != nil && in.Version.String() == cand.Version:
			s.Done = append(s.Done, p+" "+cand.Version)
		default:
			wants = append(wants, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s not found in the repositories (%s)", strings.Join(missing, ", "), s.sourceNames())
	}
	if len(wants) == 0 {
		return nil
	}
	s.Decision, err = s.in.DecideOn(sys, install.Request{Kind: install.KindInstall, Names: wants})
	return err
}

func (s *Staged) sourceNames() string {
	var names []string
	for _, r := range s.File.Repositories {
		names = append(names, r.Source)
	}
	if len(names) == 0 {
		return "no repository named by the file"
	}
	return "checked: " + strings.Join(names, ", ") + " and the other sources"
}

// Revert removes the sources staging added and disables those it
// enabled, then brings the database and the cache back in line. It does
// nothing the second time.
func (s *Staged) Revert() error {
	if !s.Changed() {
		return nil
	}
	root := s.in.Root()
	var errs []error
	for _, n := range s.added {
		if _, err := sources.Remove(root, n); err != nil {
			errs = append(errs, fmt.Errorf("remove source %s: %w", n, err))
		}
	}
	for _, n := range s.enable {
		if _, err := sources.SetEnabled(root, n, false); err != nil {
			errs = append(errs, fmt.Errorf("disable source %s: %w", n, err))
		}
	}
	s.added, s.enable = nil, nil
	errs = append(errs, s.withUpdater(func(u *repo.Updater, srcs []sources.Source) error {
		return u.ResyncSources(srcs)
	}))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	return nil
}

// withUpdater runs fn with an Updater over the Installer's database
// (whose writer lock is held) and the configured sources.
func (s *Staged) withUpdater(fn func(*repo.Updater, []sources.Source) error) error {
	srcs, _ := sources.Load(s.in.Root(), s.File.dist)
	u := &repo.Updater{Root: s.in.Root(), DB: s.in.DB(), Fetcher: repo.NewFetcher(), Arch: s.in.Arch(), Foreign: s.in.Foreign()}
	return fn(u, srcs)
}
