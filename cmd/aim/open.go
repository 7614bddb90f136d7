package main

// aim open FILE.install (also aim install FILE.install): the single-click
// install. It reads the file (a path, a file: or an http(s) URL); stages
// the repositories it names, decides the install once and reverts (all in
// install/singleclick); shows the plan, asks once, and runs it through the
// same opening of the root.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"aim/hooks"
	"aim/install"
	"aim/install/singleclick"
	"aim/repo/installfile"
	"aim/repo/pgp"
)

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

// openInstall runs the decided install; open has already asked the user.
// It is a variable so that tests can stand in for the engine.
var openInstall = func(e *env, in *install.Installer, d *install.Decision) error {
	return runDecision(e, in, d)
}

// openInstallFile is the single-click install of the .install file at
// path (a file, or a file:, http: or https: URL). It shows what it will
// do and asks once unless -y (with no terminal and no -y it stops, undoing
// what it added to find the plan); keys are trusted only on an explicit
// yes or --trust-key. With opts.simulate it prints the plan and removes
// the sources again. On any error, nothing it added stays.
func openInstallFile(e *env, path string, o openOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg, err := settings(e)
	if err != nil {
		return err
	}
	f, warn, err := singleclick.Read(ctx, e.g.root, path, singleclick.Settings{
		Distribution: distribution(cfg), InstallKey: cfg.InstallKey,
		Locales: installfile.UserLocales(os.Getenv), Only: o.only})
	var only *singleclick.OnlyError
	if errors.As(err, &only) {
		return usageError("open: %v", err)
	}
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if warn != nil {
		fmt.Fprintf(e.stderr, "aim: warning: %v\n", warn)
	}
	if ui := newGUI(e); ui != nil && !o.simulate {
		if err := scriptsCanRun(e, o); err != nil {
			return ui.failed(err)
		}
		return openInWindows(ctx, e, o, ui, f)
	}
	if err := scriptsCanRun(e, o); err != nil {
		return err
	}
	if !e.g.json {
		printIntro(e, f)
	}
	in, err := openInstaller(e, o.chrootless, false)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := singleclick.Stage(ctx, in, f, singleclick.Options{AllowUnsigned: o.allowUnsigned,
		Trust: func(r *singleclick.Repository, k pgp.Key) (bool, error) { return trustKey(e, o, r, k) }})
	if err != nil {
		return refusal(e, fmt.Errorf("open: %w", err))
	}
	err = openApply(e, o, in, st)
	if err != nil {
		if rerr := st.Revert(); rerr != nil {
			fmt.Fprintf(e.stderr, "aim: warning: open: %v\n", rerr)
		}
	}
	return err
}

// scriptsCanRun stops an install whose maintainer scripts would run
// chrooted into a root without a shell before anything is staged or a
// key trusted: otherwise the user answers every question and then sees
// the first script fail. Only a missing shell stops it here; whether an
// ordinary user may chroot is left to the engine, which asks only when a
// package has scripts.
func scriptsCanRun(e *env, o openOptions) error {
	if o.chrootless || o.simulate {
		return nil
	}
	var me *hooks.MissingError
	if err := hooks.CheckRoot(e.g.root, true); errors.As(err, &me) {
		return fmt.Errorf("open: %w (scripts run chrooted into the root: install a shell there, or run again with --scripts-chrootless to run them on this system; nothing was changed)", err)
	}
	return nil
}

// openInWindows is the local single-click install (root, or the user's
// own root) asked in windows: the unknown keys while staging, then the
// confirmation, the progress, the result; on any error or a no, what
// staging added is removed again.
func openInWindows(ctx context.Context, e *env, o openOptions, ui frontEnd, f *singleclick.File) error {
	in, err := openInstaller(e, o.chrootless, false)
	if err != nil {
		return ui.failed(err)
	}
	defer in.Close()
	var keys []singleclick.OfferKey
	st, err := singleclick.Stage(ctx, in, f, singleclick.Options{AllowUnsigned: o.allowUnsigned,
		Trust: func(r *singleclick.Repository, k pgp.Key) (bool, error) {
			ok, err := ui.trustKey(singleclick.KeyOf(r, k))
			if err == nil && ok {
				keys = append(keys, singleclick.KeyOf(r, k))
			}
			if err == nil && !ok {
				err = &declinedError{msg: fmt.Sprintf("open: key %s not trusted (abort: nothing was changed)", k.Fingerprint)}
			}
			return ok, err
		}})
	var declined *declinedError
	if errors.As(err, &declined) {
		return declined
	}
	if err != nil {
		return ui.failed(fmt.Errorf("open: %w", err))
	}
	offer := singleclick.Describe(st, keys)
	ui.showOffer(&offer)
	err = nil
	if st.Decision != nil || st.Changed() {
		var ok bool
		if ok, err = ui.confirm(&offer); err == nil && !ok {
			err = &declinedError{msg: "open: abort: nothing was changed"}
		}
	}
	if err == nil && st.Decision != nil {
		e.onProgress = ui.progress
		err = openInstall(e, in, st.Decision)
	}
	if err != nil {
		if rerr := st.Revert(); rerr != nil {
			fmt.Fprintf(e.stderr, "aim: warning: open: %v\n", rerr)
		}
		return ui.failed(err)
	}
	return ui.finished(&offer)
}

// openApply shows the staged plan, asks and installs.
func openApply(e *env, o openOptions, in *install.Installer, st *singleclick.Staged) error {
	if err := report(e, o, st); err != nil {
		return err
	}
	if st.Decision == nil && !st.Changed() {
		return nil
	}
	if o.simulate {
		return st.Revert()
	}
	if !e.g.yes {
		if !isTerminal(e.stdin) {
			return &exitError{code: 1, msg: "open: no terminal to ask on: run again with -y (abort: nothing was changed)"}
		}
		ok, err := ask(e, "Do you want to continue? [Y/n] ", true)
		if err != nil {
			return err
		}
		if !ok {
			return &exitError{code: 1, msg: "open: abort: nothing was changed"}
		}
	}
	if st.Decision == nil {
		return nil
	}
	return openInstall(e, in, st.Decision)
}

// printIntro says what the file asks for.
func printIntro(e *env, f *singleclick.File) {
	w := e.stdout
	fmt.Fprintf(w, "%s asks to\n", f.Name)
	for _, r := range f.Repositories {
		name := r.Name
		if name == "" {
			name = r.URI
		}
		switch r.Action {
		case singleclick.Add:
			fmt.Fprintf(w, "  add the repository %q: %s\n", name, r.Line)
		case singleclick.Enable:
			fmt.Fprintf(w, "  enable the repository %q (source %s, disabled): %s\n", name, r.Source, r.Line)
		default:
			fmt.Fprintf(w, "  use the repository %q, already configured as source %s\n", name, r.Source)
		}
	}
	if len(f.Packages) > 0 {
		fmt.Fprintf(w, "  install %s\n", strings.Join(f.Packages, ", "))
	}
}

// trustKey shows a repository's untrusted key and asks whether to trust
// it for that repository only, unless --trust-key names it. With
// --trust-key naming other keys, or no terminal, it refuses and says how
// to accept the key.
func trustKey(e *env, o openOptions, r *singleclick.Repository, k pgp.Key) (bool, error) {
	fmt.Fprintf(e.stderr, "Repository %s (%s) is signed by a key that is not trusted:\n  %s %s\n  fingerprint %s\n",
		r.Source, r.URI, k.Algorithm, firstUserID(k), spacedFingerprint(k.Fingerprint))
	for _, t := range o.trustKeys {
		if strings.EqualFold(strings.ReplaceAll(t, " ", ""), k.Fingerprint) {
			return true, nil
		}
	}
	if len(o.trustKeys) > 0 || !isTerminal(e.stdin) {
		return false, fmt.Errorf("signed by key %s, which is not trusted: check its fingerprint with the publisher and run again with --trust-key %s", k.Fingerprint, k.Fingerprint)
	}
	return ask(e, "Trust this key for this repository only? [y/N] ", false)
}

// spacedFingerprint groups a fingerprint by four digits, as GnuPG shows it.
func spacedFingerprint(fpr string) string {
	var parts []string
	for i := 0; i < len(fpr); i += 4 {
		parts = append(parts, fpr[i:min(i+4, len(fpr))])
	}
	return strings.Join(parts, " ")
}

// report prints the plan and what is already installed, and with --json
// the whole run.
func report(e *env, o openOptions, st *singleclick.Staged) error {
	if e.g.json {
		var plan *planJSON
		if st.Decision != nil {
			j := st.Decision.Outcome.JSON()
			plan = &j
		}
		return writeJSON(e.stdout, map[string]any{"file": st.File.Name,
			"repositories": append([]singleclick.Repository{}, st.File.Repositories...),
			"packages":     append([]string{}, st.File.Packages...), "alreadyInstalled": append([]string{}, st.Done...),
			"plan": plan, "simulate": o.simulate})
	}
	if st.Decision != nil {
		printSummary(e.stdout, st.Decision)
	}
	for _, d := range st.Done {
		fmt.Fprintf(e.stdout, "%s is already installed and up to date.\n", d)
	}
	for _, r := range st.File.Repositories {
		if r.Key != "" {
			fmt.Fprintf(e.stdout, "Repository %s: key %s trusted for it only.\n", r.Source, r.Key)
		}
	}
	return nil
}

// ask asks question on stderr and reads the answer from stdin; def is the
// answer to an empty line.
func ask(e *env, question string, def bool) (bool, error) {
	fmt.Fprint(e.stderr, question)
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
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
