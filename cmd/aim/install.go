package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"aim/db"
	"aim/hooks"
	"aim/install"
	"aim/policy"
	"aim/resolver"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{name: "install", summary: "install packages with their dependencies (-s: show the plan)", setup: setupInstall})
}

// applyFlags are the flags of every command that changes the system.
type applyFlags struct {
	simulate, chrootless, purge bool
	// summaryShown is set by callers that already showed the plan and
	// asked (aim open), so it is not printed twice.
	summaryShown bool
	// extra are changes run after the decided plan's (purges of removed
	// packages' leftover conffiles).
	extra []install.Change
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
		locals, names, err := localDebs(args)
		if err != nil {
			return fmt.Errorf("install: %w", err)
		}
		if err := checkLocalTrust(e, locals); err != nil {
			return err
		}
		var wants []policy.Want
		for _, a := range names {
			w, err := policy.ParseWant(a)
			if err != nil {
				return fmt.Errorf("install: %w", err)
			}
			wants = append(wants, w)
		}
		if reinstall {
			return reinstallPackages(e, &af, names)
		}
		opts := policy.Options{NoRecommends: noRec, AllowDowngrades: downgrades}
		decide := func(s *policy.System) (*policy.Outcome, error) { return policy.Install(s, wants, opts) }
		if af.simulate {
			return decideAndPrint(e, decide)
		}
		return decideAndApply(e, &af, "install", locals, decide)
	}
}

// decideAndApply loads the system, decides, prints the summary, asks and
// runs the plan.
func decideAndApply(e *env, af *applyFlags, kind string, locals []localDeb, decide func(*policy.System) (*policy.Outcome, error)) error {
	if err := recoverFirst(e, af); err != nil {
		return err
	}
	s, err := loadSystemWith(e, locals)
	if err != nil {
		return err
	}
	defer s.close()
	out, err := decide(s.sys)
	if err != nil {
		return refusal(e, err)
	}
	if out.Plan.Empty() && len(af.extra) == 0 {
		fmt.Fprintln(e.stdout, "Nothing to do.")
		return nil
	}
	if !e.g.json && !af.summaryShown {
		printSummary(e.stdout, s, out)
		printPurges(e, af.extra)
	}
	if err := confirm(e); err != nil {
		return err
	}
	tx, err := transactionOf(s, out)
	if err != nil {
		return err
	}
	tx.Purge = af.purge
	tx.Changes = append(tx.Changes, af.extra...)
	return runTransaction(e, af, kind, tx)
}

// confirm asks the user to go on, unless -y; without a terminal it
// refuses, as apt does.
func confirm(e *env) error {
	if e.g.yes {
		return nil
	}
	if !askable(e.stdin) {
		return errors.New("aborting: no terminal to ask; use -y")
	}
	fmt.Fprint(e.stdout, "Do you want to continue? [Y/n] ")
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "" && a != "y" && a != "yes" {
		return errors.New("aborted")
	}
	return nil
}

// transactionOf turns a decided plan into the engine's transaction.
func transactionOf(s *system, out *policy.Outcome) (*install.Transaction, error) {
	return install.TransactionOf(s.source.Cache, out)
}

// openWriter opens the database for writing with the writer lock held and
// recovers an interrupted transaction.
func openWriter(e *env) (*db.DB, error) { return openWriterWith(e, false) }

// openWriterWith is openWriter with recovery running maintainer scripts
// chrootless when asked (--scripts-chrootless), as the transaction would.
func openWriterWith(e *env, chrootless bool) (*db.DB, error) {
	d, err := db.Open(e.g.root)
	if err != nil {
		return nil, err
	}
	if err := d.Lock(10 * time.Second); err != nil {
		d.Close()
		return nil, err
	}
	r, err := recoverRoot(e, d, chrootless)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(r.RolledBack)+len(r.RolledForward) > 0 && !e.g.quiet {
		fmt.Fprintf(e.stderr, "aim: recovered an interrupted transaction (rolled back: %s; finished: %s)\n",
			strings.Join(r.RolledBack, " "), strings.Join(r.RolledForward, " "))
	}
	if len(r.Unconfigured) > 0 && !e.g.quiet {
		fmt.Fprintf(e.stderr, "aim: half-configured, configured by the next transaction: %s\n", strings.Join(r.Unconfigured, " "))
	}
	for _, n := range r.Notes {
		if !e.g.quiet {
			fmt.Fprintf(e.stderr, "aim: recovery: %s\n", n)
		}
	}
	return d, nil
}

// recoverRoot runs the engine's crash recovery with the script runner a
// transaction would use.
func recoverRoot(e *env, d *db.DB, chrootless bool) (*install.Recovered, error) {
	eng, err := install.New(e.g.root, d)
	if err != nil {
		return nil, err
	}
	if chrootless {
		if eng.Scripts, err = hooks.NewRunner(eng.Root, true); err != nil {
			return nil, err
		}
	}
	return eng.Recover(context.Background())
}

// recoverFirst recovers an interrupted transaction before a plan is made.
func recoverFirst(e *env, af *applyFlags) error {
	d, err := openWriterWith(e, af.chrootless)
	if err != nil {
		return err
	}
	return d.Close()
}

// runTransaction runs tx as one task and prints its result.
func runTransaction(e *env, af *applyFlags, kind string, tx *install.Transaction) error {
	d, err := openWriterWith(e, af.chrootless)
	if err != nil {
		return err
	}
	defer d.Close()
	eng, err := install.New(e.g.root, d)
	if err != nil {
		return err
	}
	if af.chrootless {
		if eng.Scripts, err = hooks.NewRunner(eng.Root, true); err != nil {
			return err
		}
	}
	if log, err := hooks.OpenSessionLog(filepath.Join(eng.Root, "var/log/aim"), 1<<20, 3); err == nil {
		defer log.Close()
		eng.Log = log
	}
	pkg := ""
	if len(tx.Changes) == 1 {
		pkg = tx.Changes[0].Name
	}
	task := install.NewTask(kind, pkg, nil)
	res, err := eng.Run(context.Background(), task, tx)
	if err != nil {
		return err
	}
	printResult(e, res)
	return nil
}

func printResult(e *env, r *install.Result) {
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
	fmt.Fprintf(e.stdout, "Done: %d installed, %d upgraded, %d removed", len(r.Installed), len(r.Upgraded), len(r.Removed))
	if len(r.Purged) > 0 {
		fmt.Fprintf(e.stdout, ", %d purged", len(r.Purged))
	}
	fmt.Fprintln(e.stdout, ".")
}

// reinstallPackages installs the named packages again at their installed
// version, from the cache.
func reinstallPackages(e *env, af *applyFlags, names []string) error {
	if err := recoverFirst(e, af); err != nil {
		return err
	}
	s, err := loadSystem(e)
	if err != nil {
		return err
	}
	defer s.close()
	tx := &install.Transaction{}
	for _, n := range names {
		in := s.ix[n]
		if in == nil || in.FromDpkg {
			return fmt.Errorf("reinstall: %s is not installed by aim", n)
		}
		var found *resolver.Package
		for _, a := range s.source.Versions(n) {
			if a.Package.Version.Compare(in.Version) == 0 {
				found = a.Package
			}
		}
		if found == nil {
			return fmt.Errorf("reinstall: %s %s is not available from any source", n, in.Version)
		}
		c, err := install.ChangeOf(s.source.Cache, resolver.Step{Action: resolver.Upgrade, Package: found}, map[string]bool{n: !in.Auto})
		if err != nil {
			return err
		}
		tx.Changes = append(tx.Changes, c)
	}
	if af.simulate {
		fmt.Fprintf(e.stdout, "%d reinstalled.\n", len(tx.Changes))
		return nil
	}
	if err := confirm(e); err != nil {
		return err
	}
	return runTransaction(e, af, "reinstall", tx)
}
