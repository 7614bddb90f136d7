package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"aim/db"
	"aim/hooks"
	"aim/install"

	"github.com/spf13/pflag"
)

// applyFlags are the flags of every command that changes the system.
type applyFlags struct {
	simulate, chrootless bool
}

func (a *applyFlags) add(fs *pflag.FlagSet) {
	fs.BoolVarP(&a.simulate, "dry-run", "s", false, "only show what would be done")
	fs.BoolVar(&a.chrootless, "scripts-chrootless", false, "run maintainer scripts on the host with DPKG_ROOT instead of chrooted")
}

func setupInstall(fs *pflag.FlagSet) func(*env, []string) error {
	var af applyFlags
	var noRec, downgrades, reinstall bool
	af.add(fs)
	var oo openOptions
	addOpenFlags(fs, &oo) // aim install FILE.install is aim open FILE.install
	fs.BoolVar(&noRec, "no-install-recommends", false, "do not install recommended packages")
	fs.BoolVar(&downgrades, "allow-downgrades", false, "allow installing a lower version named as PKG=VERSION")
	fs.BoolVar(&reinstall, "reinstall", false, "install the named packages again at their installed version")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return &exitError{code: 2, msg: "install: name at least one package"}
		}
		if len(args) == 1 && isInstallFile(args[0]) {
			oo.simulate, oo.chrootless = af.simulate, af.chrootless
			return openInstallFile(e, args[0], oo)
		}
		req := install.Request{Kind: install.KindInstall}
		req.Options.NoRecommends, req.Options.AllowDowngrades = noRec, downgrades
		if err := splitArgs(args, &req); err != nil {
			return fmt.Errorf("install: %w", err)
		}
		if err := checkLocalTrust(e, req.Locals); err != nil {
			return err
		}
		if err := req.Validate(); err != nil {
			return fmt.Errorf("install: %w", err)
		}
		if reinstall {
			req.Kind = install.KindReinstall
		}
		return apply(e, &af, req)
	}
}

// splitArgs puts the .deb files among args into req.Locals and the
// other arguments into req.Names.
func splitArgs(args []string, req *install.Request) error {
	var debs []string
	for _, a := range args {
		if strings.HasSuffix(a, ".deb") {
			debs = append(debs, a)
		} else {
			req.Names = append(req.Names, a)
		}
	}
	if len(debs) == 0 {
		return nil
	}
	locals, err := install.ReadLocals(debs)
	req.Locals = append(req.Locals, locals...)
	return err
}

// openInstaller opens the root through the engine's one door, for
// writing (writer lock held until Close, recovery done) unless readOnly.
// It says on stderr what recovery did.
func openInstaller(e *env, chrootless, readOnly bool) (*install.Installer, error) {
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	foreign, err := foreignArchs(e, cfg)
	if err != nil {
		return nil, err
	}
	in, err := install.Open(e.g.root, install.Options{Arch: nativeArch(cfg), Foreign: foreign, ReadOnly: readOnly,
		LockWait: 10 * time.Second, ChrootlessScripts: chrootless, Report: reportTo(e)})
	return in, needsRoot(e, err)
}

// needsRoot explains a permission error of an ordinary user changing a
// root that is not theirs.
func needsRoot(e *env, err error) error {
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		return fmt.Errorf("%w: changing the system under %s needs root (run as root, or give --root DIR with a directory you own)", err, e.g.root)
	}
	return err
}

// noticeHook, when set, also receives every notice of the Installers the
// commands open (tests count decisions and recoveries with it).
var noticeHook func(install.Notice)

// reportTo prints the Installer's notices that a user should see: what
// recovery did.
func reportTo(e *env) func(install.Notice) {
	return func(n install.Notice) {
		if noticeHook != nil {
			noticeHook(n)
		}
		if n.Kind == install.NoticeRecover && !e.g.quiet {
			printRecovered(e, n.Recovered)
		}
	}
}

// printRecovered says what recovery did.
func printRecovered(e *env, r *install.Recovered) {
	if len(r.RolledBack)+len(r.RolledForward) > 0 {
		fmt.Fprintf(e.stderr, "aim: recovered an interrupted transaction (rolled back: %s; finished: %s)\n",
			strings.Join(r.RolledBack, " "), strings.Join(r.RolledForward, " "))
	}
	if len(r.Interrupted) > 0 {
		fmt.Fprintf(e.stderr, "aim: interrupted tasks now failed: %s\n", strings.Join(r.Interrupted, " "))
	}
	if len(r.Unconfigured) > 0 {
		fmt.Fprintf(e.stderr, "aim: left half-configured by the interruption: %s\n", strings.Join(r.Unconfigured, " "))
	}
	if len(r.Configured) > 0 {
		fmt.Fprintf(e.stderr, "aim: finished configuring: %s\n", strings.Join(r.Configured, " "))
	}
	if len(r.Triggered) > 0 {
		fmt.Fprintf(e.stderr, "aim: ran pending triggers of: %s\n", strings.Join(r.Triggered, " "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(e.stderr, "aim: recovery: %s\n", n)
	}
}

// apply decides req and, unless -s, shows the plan, asks and runs it,
// all under one opening of the root: nothing else can change the system
// between the decision and the commit.
func apply(e *env, af *applyFlags, req install.Request) error {
	in, err := openInstaller(e, af.chrootless, af.simulate)
	if err != nil {
		return err
	}
	defer in.Close()
	d, err := in.Decide(req)
	if err != nil {
		return refusal(e, err)
	}
	if af.simulate {
		return printDecision(e, d)
	}
	if d.Empty() {
		if e.g.json {
			return writeJSON(e.stdout, newResultJSON(d, &install.Result{}))
		}
		fmt.Fprintln(e.stdout, "Nothing to do.")
		return nil
	}
	if !e.g.json {
		if d.Outcome != nil {
			printSummary(e.stdout, d)
		}
		printPurges(e, d)
	}
	if err := confirm(e); err != nil {
		return err
	}
	return runDecision(e, in, d)
}

// runDecision runs a decided plan as one task and prints its result.
func runDecision(e *env, in *install.Installer, d *install.Decision) error {
	pkg := ""
	if len(d.Tx.Changes) == 1 {
		pkg = d.Tx.Changes[0].Name
	}
	bar := newTaskProgress(e)
	observe := bar.observe
	if e.onProgress != nil {
		observe = func(ev install.Event) { bar.observe(ev); e.onProgress(ev.State.String(), ev.Progress) }
	}
	res, err := in.Run(context.Background(), install.NewTask(string(d.Request.Kind), pkg, observe), d)
	bar.done()
	if me := (*hooks.MissingError)(nil); errors.As(err, &me) && me.Root != "/" {
		return fmt.Errorf("%w (scripts run chrooted into the root: install a shell there, or run again with --scripts-chrootless to run them on this system)", err)
	}
	if err != nil {
		return err
	}
	printResult(e, d, res)
	return nil
}

// confirm asks the user to go on, unless -y; without a terminal it
// refuses, as apt does.
func confirm(e *env) error {
	if e.g.yes {
		return nil
	}
	if !isTerminal(e.stdin) {
		return errors.New("aborting: no terminal to ask; use -y")
	}
	fmt.Fprint(e.stdout, "Do you want to continue? [Y/n] ")
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "" && a != "y" && a != "yes" {
		return errors.New("aborted")
	}
	return nil
}

// printResult says what a finished transaction did, in apt's words.
func printResult(e *env, d *install.Decision, r *install.Result) {
	if e.g.json {
		writeJSON(e.stdout, newResultJSON(d, r))
		return
	}
	if e.g.quiet {
		return
	}
	for _, p := range r.KeptConffiles {
		fmt.Fprintf(e.stdout, "Kept your changed %s; the package's version is %s.aim-new\n", p, p)
	}
	if r.Reboot {
		fmt.Fprintln(e.stdout, "A reboot is needed to complete the operation.")
	} else if r.CloseApps {
		fmt.Fprintln(e.stdout, "Close running applications to complete the operation.")
	}
	if d.Request.Kind == install.KindReinstall {
		fmt.Fprintf(e.stdout, "Done: %d reinstalled.\n", len(r.Upgraded))
		return
	}
	fmt.Fprintf(e.stdout, "Done: %d installed, %d upgraded, %d removed", len(r.Installed), len(r.Upgraded), len(r.Removed))
	if purged := len(r.Purged) + purgedRemovals(d, r); purged > 0 {
		fmt.Fprintf(e.stdout, ", %d purged", purged)
	}
	fmt.Fprintln(e.stdout, ".")
}

// resultJSON is what install, remove, upgrade and the other changing
// commands print with --json once the transaction has run: the lists
// are never null.
type resultJSON struct {
	Installed     []string `json:"installed"`
	Upgraded      []string `json:"upgraded"`
	Reinstalled   []string `json:"reinstalled"`
	Removed       []string `json:"removed"`
	Purged        []string `json:"purged"`
	KeptConffiles []string `json:"keptConffiles"`
	Reboot        bool     `json:"reboot"`
	CloseApps     bool     `json:"closeApps"`
}

// newResultJSON is the JSON form of a transaction's result.
func newResultJSON(d *install.Decision, r *install.Result) resultJSON {
	j := resultJSON{Installed: nonNil(r.Installed), Upgraded: nonNil(r.Upgraded), Reinstalled: []string{},
		Removed: nonNil(r.Removed), Purged: nonNil(r.Purged), KeptConffiles: nonNil(r.KeptConffiles),
		Reboot: r.Reboot, CloseApps: r.CloseApps}
	if d.Request.Kind == install.KindReinstall {
		j.Reinstalled, j.Upgraded = j.Upgraded, []string{}
	}
	if d.Tx != nil && d.Tx.Purge {
		j.Purged = append(j.Purged, r.Removed...)
	}
	return j
}

// purgedRemovals counts the removals of a purging transaction: their
// configuration files went too.
func purgedRemovals(d *install.Decision, r *install.Result) int {
	if !d.Tx.Purge {
		return 0
	}
	return len(r.Removed)
}

// openWriter opens the root for writing through the engine's door
// (writer lock held, recovery done) for commands that change only the
// database or the archives cache; closing the returned database
// releases the lock.
func openWriter(e *env) (*db.DB, error) {
	return openWriterKeeping(e, false)
}

// openWriterKeeping is openWriter that leaves pending configuration
// alone when keep is set (for commands that only look).
func openWriterKeeping(e *env, keep bool) (*db.DB, error) {
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	in, err := install.Open(e.g.root, install.Options{Arch: nativeArch(cfg), LockWait: 10 * time.Second,
		NoSessionLog: true, KeepPending: keep, Report: reportTo(e)})
	if err != nil {
		return nil, needsRoot(e, err)
	}
	return in.DB(), nil
}
