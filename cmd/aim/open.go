package main

// aim open FILE.install (also aim install FILE.install): the single-click
// install. It reads the file (a path, a file: or an http(s) URL), adds
// each repository it names as a source of its own, updates only those,
// asks before trusting a key, and installs the packages in one
// transaction. Any failure, or a no, removes what it added.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"aim/db"
	"aim/policy"
	"aim/repo"
	"aim/repo/installfile"
	"aim/repo/pgp"
	"aim/repo/sources"
)

func init() {
	register(&command{name: "open", summary: "single-click install: add the repositories of a .install file and install its packages", setup: setupOpen})
}

// openOptions are the flags of "aim open".
type openOptions struct {
	simulate      bool
	only          []string
	trustKeys     []string
	allowUnsigned bool
	chrootless    bool // run maintainer scripts on the host (--scripts-chrootless)
}

func setupOpen(fs *pflag.FlagSet) func(*env, []string) error {
	var o openOptions
	addOpenFlags(fs, &o)
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usageError("usage: aim open [-s] [--only PKG,...] [--trust-key FPR] [--allow-unsigned] FILE.install|URL")
		}
		return openInstallFile(e, args[0], o)
	}
}

// addOpenFlags adds the flags of "aim open"; "aim install" adds the ones
// it lacks to accept FILE.install arguments.
func addOpenFlags(fs *pflag.FlagSet, o *openOptions) {
	if fs.Lookup("dry-run") == nil {
		fs.BoolVarP(&o.simulate, "dry-run", "s", false, "only show what would be done (the repositories are removed again)")
	}
	if fs.Lookup("scripts-chrootless") == nil {
		fs.BoolVar(&o.chrootless, "scripts-chrootless", false, "run maintainer scripts on the host with DPKG_ROOT instead of chrooted")
	}
	fs.StringSliceVar(&o.only, "only", nil, "install only these `PKG,...` of the file's packages")
	fs.StringSliceVar(&o.trustKeys, "trust-key", nil, "trust the repository key with this full `FINGERPRINT` (-y alone never trusts a key)")
	fs.BoolVar(&o.allowUnsigned, "allow-unsigned", false, "accept an unsigned repository (recorded as trusted=yes)")
}

// isInstallFile reports whether an "aim install" argument is a .install
// file to open rather than a package name.
func isInstallFile(arg string) bool { return strings.HasSuffix(arg, ".install") }

// openInstall installs names in one transaction with the engine, as
// `aim install` does; open has already asked the user, so it does not ask
// again. It is a variable so that tests can stand in for the engine.
var openInstall = func(e *env, names []string, o openOptions) error {
	var wants []policy.Want
	for _, n := range names {
		wants = append(wants, policy.Want{Name: n})
	}
	g := *e.g
	g.yes = true
	asked := *e
	asked.g = &g
	return decideAndApply(&asked, &applyFlags{chrootless: o.chrootless, summaryShown: true}, "install", nil, func(s *policy.System) (*policy.Outcome, error) {
		return policy.Install(s, wants, policy.Options{})
	})
}

// catalogueJSON is one repository in open's --json output.
type catalogueJSON struct {
	installfile.Catalogue
	Line string `json:"line"`
	// write is the line written to the sources: Line, or for a catalogue
	// without a dist, with sources.DistributionVar as its suite so that the
	// source follows later changes of the device's distribution.
	write string
	// Action is "add", "enable" or "present".
	Action string `json:"action"`
	Source string `json:"source,omitempty"`
	// Key is the fingerprint of the key accepted for the source, if any.
	Key string `json:"key,omitempty"`
}

// openRun is one run of open: what the file asks, and what was changed
// so far, to report or revert.
type openRun struct {
	e      *env
	o      openOptions
	ctx    context.Context
	dist   string
	file   string
	cats   []catalogueJSON
	pkgs   []string
	added  []string // sources added
	enable []string // disabled sources enabled
}

// openInstallFile is the single-click install of the .install file at
// path (a file, or a file:, http: or https: URL). It shows what it will
// do and asks once unless -y (with no terminal and no -y it stops, undoing
// what it added to find the plan); keys are trusted only on an explicit yes or
// --trust-key. With opts.simulate it prints the plan and removes the
// sources again. On any error, nothing it added stays.
func openInstallFile(e *env, path string, opts openOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	r := &openRun{e: e, o: opts, ctx: ctx, file: path}
	if err := r.read(); err != nil {
		return err
	}
	if !e.g.json {
		r.printIntro()
	}
	err := r.apply()
	if err != nil {
		if rerr := r.revert(); rerr != nil {
			fmt.Fprintf(e.stderr, "aim: warning: %v\n", rerr)
		}
	}
	return err
}

// read reads and parses the file for this device and picks the packages.
func (r *openRun) read() error {
	data, err := installfile.ReadURL(r.ctx, r.file)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	cfg, err := settings(r.e)
	if err != nil {
		return err
	}
	r.dist = distribution(cfg)
	in, err := installfile.Parse(data, installfile.Options{Distribution: r.dist,
		InstallKey: cfg.InstallKey, Locales: installfile.UserLocales(os.Getenv)})
	if err != nil {
		return fmt.Errorf("%s: %w", r.file, err)
	}
	if r.pkgs, err = pickPackages(in.Packages, r.o.only); err != nil {
		return err
	}
	srcs, loadErr := sources.Load(r.e.g.root, r.dist)
	if loadErr != nil {
		fmt.Fprintf(r.e.stderr, "aim: warning: %v\n", loadErr)
	}
	for _, c := range in.Catalogues {
		j := catalogueJSON{Catalogue: c, Line: c.SourceLine(r.dist), Action: "add"}
		j.write = j.Line
		if c.Dist == "" {
			j.write = c.SourceLine(sources.DistributionVar)
		}
		if s := sources.MatchCatalogue(srcs, &c, r.dist); s != nil {
			j.Source, j.Action = s.Name, "present"
			if !s.Enabled {
				j.Action = "enable"
			}
		}
		r.cats = append(r.cats, j)
	}
	return nil
}

// pickPackages returns the packages of only (each must be one of all), or
// all of them.
func pickPackages(all, only []string) ([]string, error) {
	if len(only) == 0 {
		return all, nil
	}
	for _, p := range only {
		if !slices.Contains(all, p) {
			return nil, usageError("open: --only %s: the file offers %s", p, orNone(all))
		}
	}
	return only, nil
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "no packages"
	}
	return strings.Join(l, ", ")
}

// printIntro says what the file asks for.
func (r *openRun) printIntro() {
	w := r.e.stdout
	if r.e.g.json {
		w = r.e.stderr
	}
	fmt.Fprintf(w, "%s asks to\n", r.file)
	for _, c := range r.cats {
		name := c.Name
		if name == "" {
			name = c.URI
		}
		switch c.Action {
		case "add":
			fmt.Fprintf(w, "  add the repository %q: %s\n", name, c.Line)
		case "enable":
			fmt.Fprintf(w, "  enable the repository %q (source %s, disabled): %s\n", name, c.Source, c.Line)
		default:
			fmt.Fprintf(w, "  use the repository %q, already configured as source %s\n", name, c.Source)
		}
	}
	if len(r.pkgs) > 0 {
		fmt.Fprintf(w, "  install %s\n", strings.Join(r.pkgs, ", "))
	}
}

// apply adds and updates the sources, decides, asks and installs.
func (r *openRun) apply() error {
	if err := r.addSources(); err != nil {
		return err
	}
	if err := r.updateSources(); err != nil {
		return err
	}
	wants, done, plan, err := r.decide()
	if err != nil {
		return err
	}
	if err := r.report(done, plan); err != nil {
		return err
	}
	newSources := len(r.added)+len(r.enable) > 0
	if len(wants) == 0 && !newSources {
		return nil
	}
	if r.o.simulate {
		return r.revert()
	}
	if !r.e.g.yes {
		if !stdinIsTerminal(r.e) {
			return &exitError{code: 1, msg: "open: no terminal to ask on: run again with -y (abort: nothing was changed)"}
		}
		ok, err := r.ask("Do you want to continue? [Y/n] ", true)
		if err != nil {
			return err
		}
		if !ok {
			return &exitError{code: 1, msg: "open: abort: nothing was changed"}
		}
	}
	if len(wants) == 0 {
		return nil
	}
	return openInstall(r.e, wants, r.o)
}

// addSources enables the disabled sources and adds the new ones.
func (r *openRun) addSources() error {
	root := r.e.g.root
	for i := range r.cats {
		c := &r.cats[i]
		switch c.Action {
		case "enable":
			if _, err := sources.SetEnabled(root, c.Source, true); err != nil {
				return fmt.Errorf("open: enable source %s: %w", c.Source, err)
			}
			r.enable = append(r.enable, c.Source)
		case "add":
			s, err := sources.AddLine(root, c.write, sources.AddOptions{})
			if err != nil {
				return fmt.Errorf("open: add %s: %w", c.Line, err)
			}
			c.Source = s.Name
			r.added = append(r.added, s.Name)
		}
	}
	return nil
}

// updateSources updates the sources open added or enabled, one by one;
// a source signed by a key not trusted yet gets the key when the user
// trusts it, and an unsigned one is re-added as trusted=yes with
// --allow-unsigned.
func (r *openRun) updateSources() error {
	for i := range r.cats {
		c := &r.cats[i]
		if c.Action == "present" {
			continue
		}
		err := r.updateOne(c.Source)
		if keys := pgp.UnknownSigners(err); len(keys) > 0 && c.Action == "add" {
			if err = r.trustKey(c, keys); err == nil {
				err = r.updateOne(c.Source)
			}
		} else if isUnsigned(err) && c.Action == "add" {
			if err = r.allowUnsigned(c); err == nil {
				err = r.updateOne(c.Source)
			}
		}
		if err != nil {
			return fmt.Errorf("open: repository %s (%s) could not be used: %w", c.Source, c.URI, err)
		}
	}
	return nil
}

// isUnsigned reports whether an update failed for want of a signature.
func isUnsigned(err error) bool {
	return errors.Is(err, pgp.ErrNoSignature)
}

// updateOne updates the source called name and no other; it returns that
// source's failure.
func (r *openRun) updateOne(name string) error {
	return r.withUpdater(func(u *repo.Updater, srcs []sources.Source) error {
		u.Only = name
		results, err := u.Update(r.ctx, srcs)
		for _, res := range results {
			if res.Source == name && res.Err != nil {
				return res.Err
			}
		}
		var ue *repo.UpdateError
		if errors.As(err, &ue) {
			return nil // another source's old failure
		}
		return err
	})
}

// withUpdater runs fn with an Updater holding the lock, and the sources.
func (r *openRun) withUpdater(fn func(*repo.Updater, []sources.Source) error) error {
	cfg, err := settings(r.e)
	if err != nil {
		return err
	}
	srcs, _ := sources.Load(r.e.g.root, distribution(cfg))
	d, err := db.Open(r.e.g.root)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Lock(0); err != nil {
		return err
	}
	u := &repo.Updater{Root: r.e.g.root, DB: d, Fetcher: repo.NewFetcher(), Arch: nativeArch(cfg)}
	return fn(u, srcs)
}

// trustKey fetches the catalogue's key (key_uri, else key.asc at its
// URI), checks that it is the key that signed the repository, shows its
// fingerprint and asks (or takes --trust-key), then re-adds the source
// with the key as its own keyring (signed-by).
func (r *openRun) trustKey(c *catalogueJSON, unknown []*pgp.UnknownSignerError) error {
	keyURI := c.KeyURI
	if keyURI == "" {
		keyURI = strings.TrimRight(c.URI, "/") + "/key.asc"
	}
	signer := unknown[0].ID()
	data, err := installfile.ReadURL(r.ctx, keyURI)
	if err != nil {
		return fmt.Errorf("signed by key %s, which is not trusted, and its key could not be read: %w", signer, err)
	}
	kr, err := pgp.ParseKeyring(data)
	if err != nil {
		return fmt.Errorf("key %s: %w", keyURI, err)
	}
	k, ok := signingKey(kr, unknown)
	if !ok {
		return fmt.Errorf("signed by key %s, but %s holds another key: refusing it", signer, keyURI)
	}
	fmt.Fprintf(r.e.stderr, "Repository %s (%s) is signed by a key that is not trusted:\n  %s %s\n  fingerprint %s\n",
		c.Source, c.URI, k.Algorithm, firstUserID(k), spacedFingerprint(k.Fingerprint))
	if !r.trusted(k.Fingerprint) {
		if len(r.o.trustKeys) > 0 || !stdinIsTerminal(r.e) {
			return fmt.Errorf("signed by key %s, which is not trusted: check its fingerprint with the publisher and run again with --trust-key %s", k.Fingerprint, k.Fingerprint)
		}
		yes, err := r.ask("Trust this key for this repository only? [y/N] ", false)
		if err != nil {
			return err
		}
		if !yes {
			return fmt.Errorf("key %s not trusted", k.Fingerprint)
		}
	}
	var armored bytes.Buffer
	if err := kr.Select(func(o pgp.Key) bool { return o.Fingerprint == k.Fingerprint }).WriteArmored(&armored); err != nil {
		return err
	}
	c.Key = k.Fingerprint
	return r.readd(c, c.write, armored.Bytes())
}

// signingKey returns the key of kr that is, or holds the subkey that is,
// one of the unknown signers.
func signingKey(kr *pgp.Keyring, unknown []*pgp.UnknownSignerError) (pgp.Key, bool) {
	for _, k := range kr.Keys() {
		ids := []string{k.Fingerprint, k.KeyID}
		for _, s := range k.Subkeys {
			ids = append(ids, s.Fingerprint, s.KeyID)
		}
		for _, u := range unknown {
			if slices.Contains(ids, u.Fingerprint) || slices.Contains(ids, u.KeyID) {
				return k, true
			}
		}
	}
	return pgp.Key{}, false
}

// trusted reports whether --trust-key names fpr (case and spaces ignored).
func (r *openRun) trusted(fpr string) bool {
	for _, t := range r.o.trustKeys {
		if strings.EqualFold(strings.ReplaceAll(t, " ", ""), fpr) {
			return true
		}
	}
	return false
}

// spacedFingerprint groups a fingerprint by four digits, as GnuPG shows it.
func spacedFingerprint(fpr string) string {
	var parts []string
	for i := 0; i < len(fpr); i += 4 {
		parts = append(parts, fpr[i:min(i+4, len(fpr))])
	}
	return strings.Join(parts, " ")
}

// allowUnsigned re-adds an unsigned repository as trusted=yes, only with
// --allow-unsigned.
func (r *openRun) allowUnsigned(c *catalogueJSON) error {
	if !r.o.allowUnsigned {
		return errors.New("the repository is not signed: run again with --allow-unsigned only if you trust it unsigned")
	}
	return r.readd(c, strings.Replace(c.write, "deb ", "deb [trusted=yes] ", 1), nil)
}

// readd replaces the source open added for c by line, with key.
func (r *openRun) readd(c *catalogueJSON, line string, key []byte) error {
	if _, err := sources.Remove(r.e.g.root, c.Source); err != nil {
		return err
	}
	r.added = slices.DeleteFunc(r.added, func(n string) bool { return n == c.Source })
	s, err := sources.AddLine(r.e.g.root, line, sources.AddOptions{Name: c.Source, Key: key})
	if err != nil {
		return err
	}
	r.added = append(r.added, s.Name)
	return nil
}

// decide checks the packages against the updated lists: a package not
// found is an error naming the repositories; one installed at its
// candidate version is done. It returns the packages to install and the
// plan for them.
func (r *openRun) decide() (wants, done []string, plan *planJSON, err error) {
	if len(r.pkgs) == 0 {
		return nil, nil, nil, nil
	}
	s, err := loadSystem(r.e)
	if err != nil {
		return nil, nil, nil, err
	}
	defer s.close()
	var missing []string
	for _, p := range r.pkgs {
		cand, ok := candidate(s.source.Cache, p, s.sys.Arch)
		switch in := s.ix[p]; {
		case !ok:
			missing = append(missing, p)
		case in != nil && in.Version.String() == cand.Version:
			done = append(done, p+" "+cand.Version)
		default:
			wants = append(wants, p)
		}
	}
	if len(missing) > 0 {
		return nil, nil, nil, fmt.Errorf("open: %s not found in the repositories (%s)", strings.Join(missing, ", "), r.sourceNames())
	}
	if len(wants) == 0 {
		return nil, done, nil, nil
	}
	var ws []policy.Want
	for _, p := range wants {
		ws = append(ws, policy.Want{Name: p})
	}
	out, err := policy.Install(s.sys, ws, policy.Options{})
	if err != nil {
		return nil, nil, nil, refusal(r.e, err)
	}
	if !r.e.g.json {
		printSummary(r.e.stdout, s, out)
	}
	j := out.JSON()
	return wants, done, &j, nil
}

func (r *openRun) sourceNames() string {
	var names []string
	for _, c := range r.cats {
		names = append(names, c.Source)
	}
	if len(names) == 0 {
		return "no repository named by the file"
	}
	return "checked: " + strings.Join(names, ", ") + " and the other sources"
}

// report prints what is already installed, and with --json the whole run.
func (r *openRun) report(done []string, plan *planJSON) error {
	if r.e.g.json {
		return writeJSON(r.e.stdout, map[string]any{"file": r.file, "repositories": append([]catalogueJSON{}, r.cats...),
			"packages": append([]string{}, r.pkgs...), "already_installed": append([]string{}, done...),
			"plan": plan, "simulate": r.o.simulate})
	}
	for _, d := range done {
		fmt.Fprintf(r.e.stdout, "%s is already installed and up to date.\n", d)
	}
	for _, c := range r.cats {
		if c.Key != "" {
			fmt.Fprintf(r.e.stdout, "Repository %s: key %s trusted for it only.\n", c.Source, c.Key)
		}
	}
	return nil
}

// revert removes the sources open added and disables those it enabled,
// then brings the database and the cache back in line.
func (r *openRun) revert() error {
	if len(r.added)+len(r.enable) == 0 {
		return nil
	}
	var errs []error
	for _, n := range r.added {
		if _, err := sources.Remove(r.e.g.root, n); err != nil {
			errs = append(errs, fmt.Errorf("remove source %s: %w", n, err))
		}
	}
	for _, n := range r.enable {
		if _, err := sources.SetEnabled(r.e.g.root, n, false); err != nil {
			errs = append(errs, fmt.Errorf("disable source %s: %w", n, err))
		}
	}
	r.added, r.enable = nil, nil
	errs = append(errs, r.withUpdater(func(u *repo.Updater, srcs []sources.Source) error {
		return u.ResyncSources(srcs)
	}))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("open: undo: %w", err)
	}
	return nil
}

// ask asks question on stderr and reads the answer from stdin; def is the
// answer to an empty line.
func (r *openRun) ask(question string, def bool) (bool, error) {
	fmt.Fprint(r.e.stderr, question)
	line, err := bufio.NewReader(r.e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "":
		return def && err == nil, nil
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// stdinIsTerminal reports whether the command's stdin is a terminal.
func stdinIsTerminal(e *env) bool { return isTerminal(e.stdin) }
