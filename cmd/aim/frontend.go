package main

// This file is how aim open talks to the user about a .install file it
// opens through the daemon: the offer, the unknown keys, the confirmation,
// the progress and the end. On a terminal (terminalUI) it asks text
// questions; without one, in a desktop session, it shows windows
// (see gui.go).

import (
	"fmt"
	"io"
	"strings"

	"aim/install/singleclick"
)

// frontEnd shows an offer and asks about it.
type frontEnd interface {
	// showOffer says what the file asks for and what installing it takes.
	showOffer(o *singleclick.Offer)
	// trustKey asks whether to trust key k for its repository only.
	trustKey(k singleclick.OfferKey) (bool, error)
	// confirm asks whether to go on.
	confirm(o *singleclick.Offer) (bool, error)
	// progress is told the task's state (when not "") and progress (when
	// not negative) while it runs.
	progress(state string, fraction float64)
	// finished says that the install is done and returns nil.
	finished(o *singleclick.Offer) error
	// failed tells about err and returns the command's error.
	failed(err error) error
}

// newFrontEnd returns the graphical front end when there is no terminal
// and a desktop session with a dialog program, else the terminal's.
func newFrontEnd(e *env, trustKeys []string) frontEnd {
	if g := newGUI(e); g != nil {
		return g
	}
	return &terminalUI{e: e, trustKeys: trustKeys}
}

// terminalUI asks on the terminal, as aim open does locally.
type terminalUI struct {
	e         *env
	trustKeys []string
}

func (t *terminalUI) showOffer(o *singleclick.Offer) {
	if !t.e.g.json {
		printOffer(t.e.stdout, o)
	}
}

func (t *terminalUI) trustKey(k singleclick.OfferKey) (bool, error) {
	e := t.e
	fmt.Fprintf(e.stderr, "Repository %s (%s) is signed by a key that is not trusted:\n  %s %q\n  fingerprint %s\n",
		k.Repository, k.URI, k.Algorithm, k.UserID, spacedFingerprint(k.Fingerprint))
	for _, f := range t.trustKeys {
		if strings.EqualFold(strings.ReplaceAll(f, " ", ""), k.Fingerprint) {
			return true, nil
		}
	}
	if len(t.trustKeys) > 0 || !isTerminal(e.stdin) {
		return false, fmt.Errorf("signed by key %s, which is not trusted: check its fingerprint with the publisher and run again with --trust-key %s", k.Fingerprint, k.Fingerprint)
	}
	return ask(e, "Trust this key for this repository only? [y/N] ", false)
}

func (t *terminalUI) confirm(*singleclick.Offer) (bool, error) {
	if t.e.g.yes {
		return true, nil
	}
	if !isTerminal(t.e.stdin) {
		return false, &exitError{code: 1, msg: "open: no terminal to ask on: run again with -y (abort: nothing was changed)"}
	}
	return ask(t.e, "Do you want to continue? [Y/n] ", true)
}

func (t *terminalUI) progress(string, float64) {} // followTask prints it

func (t *terminalUI) finished(o *singleclick.Offer) error {
	if o.Plan == nil && !t.e.g.json {
		for _, d := range o.AlreadyInstalled {
			fmt.Fprintf(t.e.stdout, "%s is already installed and up to date.\n", d)
		}
	}
	return nil
}

func (t *terminalUI) failed(err error) error { return err }

// printOffer prints what the offer asks for and its plan, as aim open
// does locally.
func printOffer(w io.Writer, o *singleclick.Offer) {
	fmt.Fprintf(w, "%s asks to\n", o.File)
	for _, r := range o.Repositories {
		switch r.Action {
		case singleclick.Add:
			fmt.Fprintf(w, "  add the repository %q: %s\n", r.Name, r.Line)
		case singleclick.Enable:
			fmt.Fprintf(w, "  enable the repository %q (source %s, disabled): %s\n", r.Name, r.Source, r.Line)
		default:
			fmt.Fprintf(w, "  use the repository %q, already configured as source %s\n", r.Name, r.Source)
		}
	}
	if len(o.Packages) > 0 {
		fmt.Fprintf(w, "  install %s\n", strings.Join(o.Packages, ", "))
	}
	if p := o.Plan; p != nil {
		var inst, ups, rm []string
		for _, q := range p.Install {
			inst = append(inst, q.Package)
		}
		for _, q := range p.Upgrade {
			ups = append(ups, q.Package)
		}
		for _, q := range p.Remove {
			rm = append(rm, q.Package)
		}
		printList(w, "The following NEW packages will be installed:", inst)
		printList(w, "The following packages will be upgraded:", ups)
		printList(w, "The following packages will be REMOVED:", rm)
		fmt.Fprintf(w, "%d upgraded, %d newly installed, %d to remove.\n", len(ups), len(inst), len(rm))
		if o.DownloadSize > 0 {
			fmt.Fprintf(w, "Need to get %s of archives.\n", humanSize(o.DownloadSize))
		}
		switch {
		case o.InstalledSize > 0:
			fmt.Fprintf(w, "After this operation, %s of additional disk space will be used.\n", humanSize(o.InstalledSize))
		case o.InstalledSize < 0:
			fmt.Fprintf(w, "After this operation, %s disk space will be freed.\n", humanSize(-o.InstalledSize))
		}
	}
}
