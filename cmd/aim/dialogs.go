package main

// This file runs the desktop's dialog programs for aim open's windows:
// zenity (GNOME-like desktops) or kdialog (KDE), whichever is installed,
// kdialog first on KDE.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// dialogs shows windows through one dialog program.
type dialogs interface {
	// question asks text (head in bold) with the two buttons and
	// reports whether ok was chosen; defaultNo puts the focus on cancel.
	question(title, head, text, ok, cancel string, defaultNo bool) (bool, error)
	// message shows an information (or, with isError, an error) window
	// and returns when it is closed.
	message(title, head, text string, isError bool) error
	// progress opens a progress window; onCancel runs when the user
	// cancels it.
	progress(title, text, cancelLabel string, onCancel func()) (progressWindow, error)
}

// progressWindow is an open progress window.
type progressWindow interface {
	set(percent int, text string)
	close()
}

// findDialogs returns the dialog program to use, nil when none is
// installed.
func findDialogs(getenv func(string) string) dialogs {
	kde := strings.Contains(strings.ToUpper(getenv("XDG_CURRENT_DESKTOP")), "KDE")
	zenity, zerr := exec.LookPath("zenity")
	kdialog, kerr := exec.LookPath("kdialog")
	switch {
	case kerr == nil && (kde || zerr != nil):
		return &kdialogProgram{bin: kdialog}
	case zerr == nil:
		return &zenityProgram{bin: zenity}
	}
	return nil
}

// zenityProgram is zenity.
type zenityProgram struct{ bin string }

// command is zenity with args, its complaints on aim's stderr (the
// session's log).
func (z *zenityProgram) command(args ...string) *exec.Cmd {
	cmd := exec.Command(z.bin, args...)
	cmd.Stderr = os.Stderr
	return cmd
}

// markup escapes s for zenity's Pango markup.
func markup(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// zenityText is head in bold above text.
func zenityText(head, text string) string {
	out := "<b>" + markup(head) + "</b>"
	if text != "" {
		out += "\n\n" + markup(text)
	}
	return out
}

func (z *zenityProgram) question(title, head, text, ok, cancel string, defaultNo bool) (bool, error) {
	args := []string{"--question", "--title", title, "--text", zenityText(head, text), "--ok-label", ok, "--cancel-label", cancel, "--width", "460"}
	if defaultNo {
		args = append(args, "--default-cancel")
	}
	return answer(z.command(args...).Run())
}

func (z *zenityProgram) message(title, head, text string, isError bool) error {
	kind := "--info"
	if isError {
		kind = "--error"
	}
	_, err := answer(z.command(kind, "--title", title, "--text", zenityText(head, text), "--width", "460").Run())
	return err
}

func (z *zenityProgram) progress(title, text, cancelLabel string, onCancel func()) (progressWindow, error) {
	cmd := z.command("--progress", "--title", title, "--text", markup(text), "--percentage", "0",
		"--auto-close", "--width", "460", "--cancel-label", cancelLabel)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("zenity: %w", err)
	}
	w := &zenityProgress{cmd: cmd, in: in, exited: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		w.mu.Lock()
		closing := w.closing
		w.mu.Unlock()
		if !closing && err != nil && onCancel != nil {
			onCancel() // the user pressed cancel, or closed the window
		}
		close(w.exited)
	}()
	return w, nil
}

// zenityProgress feeds zenity --progress: "N" sets the bar, "# TEXT" the
// text.
type zenityProgress struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	exited  chan struct{}
	mu      sync.Mutex
	closing bool
}

func (w *zenityProgress) set(percent int, text string) {
	if text != "" {
		fmt.Fprintf(w.in, "# %s\n", strings.ReplaceAll(text, "\n", " "))
	}
	if percent >= 0 {
		fmt.Fprintf(w.in, "%d\n", min(percent, 99)) // 100 closes it: close does
	}
}

func (w *zenityProgress) close() {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	fmt.Fprintln(w.in, "100")
	w.in.Close()
	w.cmd.Process.Kill() // already gone with --auto-close; ends it otherwise
	<-w.exited
}

// kdialogProgram is kdialog. Its progress bar needs D-Bus calls to the
// dialog; aim shows a passive popup instead.
type kdialogProgram struct{ bin string }

func kdialogText(head, text string) string {
	if text == "" {
		return head
	}
	return head + "\n\n" + text
}

func (k *kdialogProgram) question(title, head, text, ok, cancel string, _ bool) (bool, error) {
	return answer(exec.Command(k.bin, "--title", title, "--yes-label", ok, "--no-label", cancel, "--yesno", kdialogText(head, text)).Run())
}

func (k *kdialogProgram) message(title, head, text string, isError bool) error {
	kind := "--msgbox"
	if isError {
		kind = "--error"
	}
	_, err := answer(exec.Command(k.bin, "--title", title, kind, kdialogText(head, text)).Run())
	return err
}

func (k *kdialogProgram) progress(title, text, _ string, _ func()) (progressWindow, error) {
	exec.Command(k.bin, "--title", title, "--passivepopup", text, "10").Start()
	return noProgress{}, nil
}

type noProgress struct{}

func (noProgress) set(int, string) {}
func (noProgress) close()          {}

// answer turns a dialog program's exit into yes (0) or no (1, or 5 for a
// timeout); anything else is an error (it could not show the window).
func answer(err error) (bool, error) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ee) && (ee.ExitCode() == 1 || ee.ExitCode() == 5):
		return false, nil
	}
	return false, fmt.Errorf("dialog: %w", err)
}

// desktopSession reports whether a graphical session is there to show
// windows on.
func desktopSession(getenv func(string) string) bool {
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}
