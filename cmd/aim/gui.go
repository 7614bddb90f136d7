package main

// This file is aim open's graphical front end: when there is no terminal
// and a desktop session is there, the offer, the unknown keys, the
// confirmation, the progress and the end are shown in windows of the
// desktop's dialog program, in the user's language, errors in words a
// user understands, and a notification says when the app is ready.

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"aim/install/singleclick"
)

// gui is the graphical frontEnd.
type gui struct {
	e      *env
	d      dialogs
	t      guiTexts
	cancel func() // cancels the running task

	mu    sync.Mutex
	bar   progressWindow
	what  string // the packages, as the windows name them
	state string
}

// newGUI returns the graphical front end when the user has no terminal
// to answer on (and did not answer with -y or ask for --json), a desktop
// session is there, and zenity or kdialog is installed; nil otherwise.
func newGUI(e *env) frontEnd {
	if isTerminal(e.stdin) || e.g.yes || e.g.json || !desktopSession(os.Getenv) {
		return nil
	}
	d := findDialogs(os.Getenv)
	if d == nil {
		return nil
	}
	return &gui{e: e, d: d, t: userLanguage()}
}

// onCancel sets what cancelling the progress window does.
func (g *gui) onCancel(cancel func()) { g.cancel = cancel }

func (g *gui) title() string { return g.t.get(txTitle) }

func (g *gui) showOffer(o *singleclick.Offer) {
	g.what = offerName(o)
	printOffer(g.e.stdout, o) // for the session's log
}

// offerName is how the windows name what the offer installs.
func offerName(o *singleclick.Offer) string {
	if len(o.Packages) > 0 {
		return strings.Join(o.Packages, ", ")
	}
	return path.Base(o.File)
}

// offerSource names where the offer's packages come from.
func offerSource(o *singleclick.Offer) string {
	for _, r := range o.Repositories {
		if r.Name != "" {
			return r.Name
		}
	}
	return path.Base(o.File)
}

func (g *gui) trustKey(k singleclick.OfferKey) (bool, error) {
	who := k.Algorithm
	if k.UserID != "" {
		who += " “" + k.UserID + "”"
	}
	text := fmt.Sprintf(g.t.get(txKey), k.Repository, who, spacedFingerprint(k.Fingerprint))
	head, body, _ := strings.Cut(text, "\n\n")
	return g.d.question(g.title(), head, body, g.t.get(txTrust), g.t.get(txCancel), true)
}

func (g *gui) confirm(o *singleclick.Offer) (bool, error) {
	var lines []string
	lines = append(lines, fmt.Sprintf(g.t.get(txPackages), strings.Join(o.Packages, ", ")))
	if o.Plan != nil {
		lines = append(lines, fmt.Sprintf(g.t.get(txSizes), g.t.size(o.DownloadSize), g.t.size(max(o.InstalledSize, 0))))
	}
	for _, r := range o.Repositories {
		if r.Action == singleclick.Add || r.Action == singleclick.Enable {
			lines = append(lines, fmt.Sprintf(g.t.get(txAddRepo), r.Name))
		}
	}
	head := fmt.Sprintf(g.t.get(txConfirm), offerName(o), offerSource(o))
	return g.d.question(g.title(), head, strings.Join(lines, "\n"), g.t.get(txInstall), g.t.get(txCancel), false)
}

func (g *gui) progress(state string, fraction float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.bar == nil {
		bar, err := g.d.progress(g.title(), fmt.Sprintf(g.t.get(txInstalling), g.what), g.t.get(txCancel), g.cancel)
		if err != nil {
			fmt.Fprintf(g.e.stderr, "aim: warning: %v\n", err)
			bar = noProgress{}
		}
		g.bar = bar
	}
	text := ""
	if state != "" && state != g.state {
		g.state = state
		switch state {
		case "Queued", "Executing":
			text = fmt.Sprintf(g.t.get(txPreparing), g.what)
		case "Installing":
			text = fmt.Sprintf(g.t.get(txInstalling), g.what)
		case "CleaningUp":
			text = g.t.get(txFinishing)
		}
	}
	pct := -1
	if fraction >= 0 {
		pct = int(fraction * 100)
	}
	g.bar.set(pct, text)
}

// closeBar closes the progress window, if open.
func (g *gui) closeBar() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.bar != nil {
		g.bar.close()
		g.bar = nil
	}
}

func (g *gui) finished(o *singleclick.Offer) error {
	g.closeBar()
	head, body := fmt.Sprintf(g.t.get(txDone), offerName(o)), g.t.get(txDoneBody)
	if o.Plan == nil && len(o.AlreadyInstalled) > 0 {
		head, body = fmt.Sprintf(g.t.get(txAlready), offerName(o)), ""
	}
	if err := notify(g.title(), "system-software-install", head, body); err != nil {
		fmt.Fprintf(g.e.stderr, "aim: warning: %v\n", err)
	}
	return g.d.message(g.title(), head, body, false)
}

func (g *gui) failed(err error) error {
	g.closeBar()
	var d *declinedError
	if errors.As(err, &d) {
		return err // the user said no: nothing to tell
	}
	head := g.t.get(txFailedAny)
	if g.what != "" {
		head = fmt.Sprintf(g.t.get(txFailed), g.what)
	}
	if merr := g.d.message(g.t.get(txFailedTitle), head, userWords(g.t, err), true); merr != nil {
		fmt.Fprintf(g.e.stderr, "aim: warning: %v\n", merr)
	}
	return err
}

// declinedError is the user's no, to a key or to the install.
type declinedError struct{ msg string }

func (e *declinedError) Error() string { return e.msg }

// userWords says in a user's words why an install failed; the whole
// error goes to stderr (and the daemon's log) as ever.
func userWords(t guiTexts, err error) string {
	var re *refusedError
	var nd *noDaemonError
	var tf *taskFailedError
	msg := strings.ToLower(err.Error())
	var key string
	switch {
	case errors.As(err, &re) && re.authNeeded:
		key = txAuthNeeded
	case errors.As(err, &re):
		key = txNotAllowed
	case errors.As(err, &nd):
		key = txNoService
	case errors.As(err, &tf) && tf.Code == codeCancelledTask:
		return t.get(txCancelled) + " " + t.get(txNothingAdded)
	case errors.As(err, &tf) && tf.Code == codeStorageSpaceTask:
		key = txDiskSpace
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"), strings.Contains(msg, "timeout"),
		strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "could not be read"):
		key = txNetwork
	case strings.Contains(msg, "not found in the repositories"):
		key = txNotFound
	case strings.Contains(msg, "signature"), strings.Contains(msg, "signed by"):
		key = txUntrusted
	case strings.Contains(msg, ".install"), strings.Contains(msg, "catalogue"):
		key = txBadFile
	default:
		return t.get(txSeeLog)
	}
	if key == txAuthNeeded || key == txNotAllowed || key == txNoService {
		return t.get(key) // nothing more to see in the log
	}
	return t.get(key) + "\n\n" + t.get(txSeeLog)
}
