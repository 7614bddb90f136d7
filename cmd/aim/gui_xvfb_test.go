package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aim/install"
	"aim/install/dbus/dbustest"

	"github.com/godbus/dbus/v5"
)

// desktopTools are what the graphical test runs, with the Debian
// packages that bring them.
var desktopTools = map[string]string{"Xvfb": "xvfb", "zenity": "zenity", "xdotool": "xdotool", "tesseract": "tesseract-ocr",
	"import": "imagemagick", "convert": "imagemagick", "xdg-open": "xdg-utils", "xdg-mime": "xdg-utils",
	"update-mime-database": "shared-mime-info", "update-desktop-database": "desktop-file-utils",
	"mimetype": "libfile-mimeinfo-perl", "setpriv": "util-linux", "make": "make"}

// startXvfb runs Xvfb on a free display, open to every local user, and
// returns its DISPLAY. The server does not reset when its last client
// leaves (-noreset): a dialog connecting during a reset was refused
// ("cannot open display") when one dialog followed another.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1024x768x24", "-ac", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	n, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(n)
}

// notifications is a notification server on a session bus: it records
// every Notify call (the test's listener on org.freedesktop.Notifications).
type notifications struct {
	mu   sync.Mutex
	seen []string // "app|summary|body"
}

func (n *notifications) Notify(app string, _ uint32, _ string, summary, body string, _ []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seen = append(n.seen, app+"|"+summary+"|"+body)
	return uint32(len(n.seen)), nil
}

func (n *notifications) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func (n *notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "aim-test", "aim", "1", "1.2", nil
}

func (n *notifications) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string{}, n.seen...)
}

// serveNotifications owns org.freedesktop.Notifications on the bus at
// addr until the test ends.
func serveNotifications(t *testing.T, addr string) *notifications {
	t.Helper()
	conn, err := daemonConn(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notifications{}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.freedesktop.Notifications: %v %v", r, err)
	}
	return n
}

// screen is the test's view of the X display: it finds aim's windows,
// saves a screenshot of each and reads its text with OCR.
type screen struct {
	t       *testing.T
	display string
	dir     string
	// seen maps the ids of the windows found to the process that drew
	// each (_NET_WM_PID): X gives a closed window's id to the next
	// client's window, often the next dialog's.
	seen  map[string]string
	shots int
	// debug says what the test's processes printed, for a failure.
	debug func() string
}

// window waits for a new window titled title whose OCR text holds want,
// saves its screenshot as NAME.png and returns its id and text.
func (s *screen) window(title, name, want string, timeout time.Duration) (string, string) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		out, _ := s.run("xdotool", "search", "--onlyvisible", "--name", "^"+title+"$")
		for _, id := range strings.Fields(out) {
			if pid, ok := s.seen[id]; ok && pid == s.pid(id) {
				continue
			}
			text, png := s.read(id)
			if text == "" {
				continue // not drawn yet
			}
			if strings.Contains(text, want) {
				s.seen[id] = s.pid(id)
				s.save(png, name)
				return id, text
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	extra := ""
	if s.debug != nil {
		extra = s.debug()
	}
	s.t.Fatalf("no window %q showing %q within %v\n%s", title, want, timeout, extra)
	return "", ""
}

// read captures window id and returns its OCR text (one line) and the
// screenshot's path.
func (s *screen) read(id string) (string, string) {
	s.shots++
	png := filepath.Join(s.dir, fmt.Sprintf("shot-%d.png", s.shots))
	if _, err := s.run("import", "-window", id, png); err != nil {
		return "", ""
	}
	big := png + ".ocr.png"
	s.run("convert", png, "-colorspace", "Gray", "-resize", "300%", big)
	out, _ := s.run("tesseract", big, "-")
	return strings.Join(strings.Fields(out), " "), png
}

func (s *screen) save(png, name string) {
	data, err := os.ReadFile(png)
	if err == nil {
		err = os.WriteFile(filepath.Join(s.dir, name+".png"), data, 0o644)
	}
	if err != nil {
		s.t.Error(err)
	}
}

// keys sends keystrokes to window id, as a user typing.
func (s *screen) keys(id string, keys ...string) {
	s.t.Helper()
	// Focus the window, then type: key events sent to a window directly
	// (XSendEvent) are ignored by GTK.
	if out, err := s.run("xdotool", "windowfocus", "--sync", id); err != nil {
		s.t.Fatalf("xdotool windowfocus: %v %s", err, out)
	}
	for _, k := range keys {
		if out, err := s.run("xdotool", "key", "--clearmodifiers", k); err != nil {
			s.t.Fatalf("xdotool key: %v %s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.gone(id)
}

// gone waits for window id to close: it is no longer a visible window,
// or it is one of another process (X gave its id to a later window). It
// asks about the window itself, and so holds whether or not the server
// resets between clients: a display that does not answer is asked again,
// not taken for one without the window.
func (s *screen) gone(id string) {
	s.t.Helper()
	drawnBy := s.seen[id]
	for range 300 {
		out, err := s.run("xdotool", "search", "--onlyvisible", "--name", ".")
		var exit *exec.ExitError
		if errors.As(err, &exit) && strings.Contains(string(exit.Stderr), "xdo instance") {
			time.Sleep(100 * time.Millisecond)
			continue // the display did not answer, which says nothing of the window
		}
		if !slices.Contains(strings.Fields(out), id) {
			delete(s.seen, id)
			return
		}
		if pid := s.pid(id); pid != "" && pid != drawnBy {
			s.t.Logf("window %s of process %s closed; its id now names a window of process %s", id, drawnBy, pid)
			delete(s.seen, id)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("window %s (process %s) still open", id, drawnBy)
}

// pid returns the process id window id carries in _NET_WM_PID, or "" when
// the window is gone or has none.
func (s *screen) pid(id string) string {
	out, err := s.run("xdotool", "getwindowpid", id)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func (s *screen) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+s.display)
	out, err := cmd.Output()
	return string(out), err
}

// desktopUser is nobody's desktop: a home with aim registered for
// .install files by contrib's Makefile, aim on PATH for the system root,
// the session and system buses and the display.
type desktopUser struct {
	uid       int
	home, log string
	env       []string
}

// newDesktopUser makes the user's home; language is LANGUAGE (the
// machine may lack that locale: LANG is C.UTF-8, which every Debian has,
// since GLib refuses non-ASCII arguments in a locale it cannot load).
func newDesktopUser(t *testing.T, uid int, root, display, session, system, language string) *desktopUser {
	t.Helper()
	home := t.TempDir()
	os.Chmod(filepath.Dir(home), 0o755)
	bin := filepath.Join(home, "bin")
	os.MkdirAll(bin, 0o755)
	exe := filepath.Join(bin, "aim.test") // the test binary, where the user may run it
	if err := exec.Command("cp", testBinary(t), exe).Run(); err != nil {
		t.Fatal(err)
	}
	u := &desktopUser{uid: uid, home: home, log: filepath.Join(home, "aim.log")}
	// aim as installed for the system whose root is root: the test binary
	// is aim (AIM_TEST_ARGV), its output kept as a session's log.
	script := fmt.Sprintf("#!/bin/sh\nAIM_TEST_ARGV=1 exec %s --root %s \"$@\" >>%s 2>&1\n", exe, root, u.log)
	if err := os.WriteFile(filepath.Join(bin, "aim"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	u.env = append(xdgEnvOf(home), "PATH="+bin+":/usr/local/bin:/usr/bin:/bin", "DISPLAY="+display,
		"DBUS_SESSION_BUS_ADDRESS="+session, "DBUS_SYSTEM_BUS_ADDRESS="+system, "LANG=C.UTF-8", "LANGUAGE="+language)
	cmd := exec.Command("make", "--no-print-directory", "-s", "install-desktop")
	cmd.Dir, cmd.Env = "../../contrib", u.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install-desktop: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(home, "Downloads"), 0o755)
	if err := exec.Command("chown", "-R", fmt.Sprintf("%d:%d", uid, uid), home).Run(); err != nil {
		t.Fatal(err)
	}
	return u
}

// testBinary is the path of the running test binary.
func testBinary(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// xdgEnvOf is the environment less anything of a desktop, with the XDG
// directories below home.
func xdgEnvOf(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "XDG_"), strings.HasPrefix(k, "DBUS_"), strings.HasPrefix(k, "AIM_TEST"), k == "HOME", k == "DISPLAY",
			k == "WAYLAND_DISPLAY", k == "PATH", strings.HasPrefix(k, "LC_"), k == "LANG", k == "LANGUAGE", k == "BROWSER":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, ".local/share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
}

// download saves url into the user's Downloads, as a browser does, and
// returns the file's path.
func (u *desktopUser) download(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download %s: %v %s", url, err, resp.Status)
	}
	p := filepath.Join(u.home, "Downloads", filepath.Base(url))
	os.WriteFile(p, data, 0o644)
	os.Chown(p, u.uid, u.uid)
	return p
}

// open runs xdg-open file as the user, as a browser hands a download
// over, without a terminal.
func (u *desktopUser) open(t *testing.T, file string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	id := fmt.Sprint(u.uid)
	cmd := exec.Command("setpriv", "--reuid="+id, "--regid="+id, "--clear-groups", "xdg-open", file)
	cmd.Env, cmd.Dir = u.env, u.home
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// wait waits at most two minutes for cmd to end, killing it then.
func wait(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s did not end within two minutes", cmd.Path)
	}
}

func (u *desktopUser) aimLog() string {
	b, _ := os.ReadFile(u.log)
	return string(b)
}

// desktop starts a desktop session for a graphical test: Xvfb, a session
// bus with a notification listener, and the screen the test reads
// (screenshots in AIM_SCREENSHOTS/TESTNAME when set). It skips the test
// where a tool is missing.
func desktop(t *testing.T) (*screen, string, *notifications) {
	t.Helper()
	for tool, pkg := range desktopTools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package %s)", tool, pkg)
		}
	}
	session := dbustest.SessionBus(t)
	notes := serveNotifications(t, session)
	display := startXvfb(t)
	shots := t.TempDir()
	if dir := os.Getenv("AIM_SCREENSHOTS"); dir != "" {
		shots = filepath.Join(dir, t.Name())
	}
	os.MkdirAll(shots, 0o755)
	return &screen{t: t, display: display, dir: shots, seen: map[string]string{}}, session, notes
}

// TestDesktopClickPath is the desktop user's whole path under Xvfb with
// the real zenity: a .install file downloaded into ~/Downloads is opened
// with xdg-open, which picks aim by contrib's MIME registration; aim (as
// nobody, for the system root) goes to the system daemon and asks in
// windows: the unknown key with its spaced fingerprint, then the install
// with its packages and sizes; a progress window follows, then the
// result, and a notification reaches the session bus. Each window is
// saved as a screenshot (AIM_SCREENSHOTS=DIR keeps them) and read with
// OCR; the answers are keystrokes sent with xdotool. A second user, in
// German, declines: nothing changes; one the daemon refuses is told so;
// one who cancels in the progress window is told so, nothing changes.
func TestDesktopClickPath(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the daemon and act as the desktop user")
	}
	scr, session, notes := desktop(t)
	display, shots := scr.display, scr.dir
	url := servedDemo(t)
	root := systemRoot(t, "dbus-allow-users = nobody\n")
	system := serveOn(t, root, dbustest.SystemBus(t, busPolicy))
	hello := filepath.Join(root, "usr/bin/hello")

	// In German, the user declines the key: no window follows, nothing changes.
	de := newDesktopUser(t, nobody, root, display, session, system, "de")
	cmd, out := de.open(t, de.download(t, url))
	scr.debug = func() string { return "xdg-open: " + out.String() + "\naim: " + de.aimLog() }
	id, text := scr.window("Anwendungsinstallation", "de-key", "Fingerabdruck", time.Minute)
	if !strings.Contains(text, "nicht vertraut") || !strings.Contains(text, "EFA7") {
		t.Errorf("German key window reads %q", text)
	}
	scr.keys(id, "Return") // the focus is on Abbrechen
	if err := wait(t, cmd); err == nil {
		t.Errorf("declined open succeeded: %s\n%s", out, de.aimLog())
	}
	if _, err := os.Stat(hello); !os.IsNotExist(err) {
		t.Errorf("hello installed after a no: %v", err)
	}
	if list, _, _ := aim(t, "--root", root, "source", "list"); strings.Contains(list, "127.0.0.1") {
		t.Errorf("a declined open left its source behind:\n%s", list)
	}

	// A user the daemon refuses gets a window saying so in plain words.
	bin := newDesktopUser(t, uidBin, root, display, session, system, "en")
	cmd, out = bin.open(t, bin.download(t, url))
	scr.debug = func() string { return "xdg-open: " + out.String() + "\naim: " + bin.aimLog() }
	id, text = scr.window("Installation failed", "refused", "could not be installed", time.Minute)
	if !strings.Contains(text, "You are not allowed to install applications on this computer") || strings.Contains(text, "dbus") {
		t.Errorf("refusal window reads %q", text)
	}
	scr.keys(id, "Return")
	if err := wait(t, cmd); err == nil {
		t.Errorf("refused open succeeded")
	}

	// A user cancels in the progress window (held open: the test holds the
	// root's writer lock): told so, nothing changes.
	quitter := newDesktopUser(t, nobody, root, display, session, system, "en")
	cmd, out = quitter.open(t, quitter.download(t, url))
	scr.debug = func() string { return "xdg-open: " + out.String() + "\naim: " + quitter.aimLog() }
	id, _ = scr.window("Application Installer", "cancel-key", "Fingerprint", time.Minute)
	lock, err := install.Open(root, install.Options{LockWait: time.Minute}) // the offer is made: the lock is free
	if err != nil {
		t.Fatal(err)
	}
	scr.keys(id, "Tab", "Return")
	id, _ = scr.window("Application Installer", "cancel-confirm", "Install hello from", time.Minute)
	scr.keys(id, "Return")
	id, _ = scr.window("Application Installer", "cancel-progress", "Preparing", time.Minute)
	scr.keys(id, "Escape") // the progress window's Cancel
	time.Sleep(time.Second)
	lock.Close()
	id, text = scr.window("Installation failed", "cancelled", "was cancelled", time.Minute)
	if !strings.Contains(text, "Nothing was changed") {
		t.Errorf("cancel window reads %q", text)
	}
	scr.keys(id, "Return")
	if err := wait(t, cmd); err == nil {
		t.Errorf("cancelled open succeeded")
	}
	if _, err := os.Stat(hello); !os.IsNotExist(err) {
		t.Errorf("hello installed after a cancel: %v", err)
	}
	if list, _, _ := aim(t, "--root", root, "source", "list"); strings.Contains(list, "127.0.0.1") {
		t.Errorf("a cancelled open left its source behind:\n%s", list)
	}

	// In English, the user trusts the key and installs.
	en := newDesktopUser(t, nobody, root, display, session, system, "en")
	cmd, out = en.open(t, en.download(t, url))
	scr.debug = func() string { return "xdg-open: " + out.String() + "\naim: " + en.aimLog() }
	id, text = scr.window("Application Installer", "key", "Fingerprint", time.Minute)
	if !strings.Contains(text, "not trusted") || !strings.Contains(text, "EFA7 54EB CD1D D505") {
		t.Errorf("key window reads %q", text)
	}
	// The install's task will wait for the root's writer lock, held here,
	// so that its progress window stays until it is seen.
	if lock, err = install.Open(root, install.Options{LockWait: time.Minute}); err != nil {
		t.Fatal(err)
	}
	scr.keys(id, "Tab", "Return") // from Cancel to Trust key
	id, text = scr.window("Application Installer", "confirm", "Install hello from", time.Minute)
	// The sizes are 2.2 kB and 14.3 kB (the terminal tests check the
	// numbers); OCR may misread a digit.
	if !regexp.MustCompile(`Packages: hello Download: \d[.,]\d kB, disk space: \d+[.,]\d kB`).MatchString(text) {
		t.Errorf("confirmation window reads %q", text)
	}
	scr.keys(id, "Return") // Install
	id, text = scr.window("Application Installer", "progress", "Preparing", time.Minute)
	t.Logf("progress window: %q", text)
	lock.Close()
	scr.gone(id)
	id, text = scr.window("Application Installer", "done", "hello is installed", 2*time.Minute)
	if !strings.Contains(text, "applications menu") {
		t.Errorf("result window reads %q", text)
	}
	scr.keys(id, "Return")
	if err := wait(t, cmd); err != nil {
		t.Errorf("xdg-open: %v\n%s\naim's log:\n%s", err, out, en.aimLog())
	}
	if _, err := os.Stat(hello); err != nil {
		t.Errorf("hello not installed: %v\naim's log:\n%s", err, en.aimLog())
	}
	if n := notes.list(); len(n) != 1 || n[0] != "Application Installer|hello is installed.|You can start it from the applications menu." {
		t.Errorf("notifications: %q", n)
	}
	t.Logf("screenshots in %s; aim's log:\n%s", shots, en.aimLog())
}

// TestDesktopLocalOpen is aim open on the desktop for a root the user
// may write (root itself here): no daemon, the same windows, the install
// done by this process.
func TestDesktopLocalOpen(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for the root's ownership and to run Xvfb's clients alike")
	}
	scr, session, notes := desktop(t)
	url := servedDemo(t)
	root := t.TempDir()
	t.Setenv("DISPLAY", scr.display)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", session)
	t.Setenv("LANGUAGE", "fr")
	t.Setenv("LANG", "C.UTF-8")
	type result struct {
		out, errs string
		code      int
	}
	done := make(chan result, 1)
	go func() {
		out, errs, code := aim(t, "--root", root, "open", "--scripts-chrootless", url)
		done <- result{out, errs, code}
	}()
	id, text := scr.window("Installateur d'applications", "key", "Empreinte", time.Minute)
	if !strings.Contains(text, "EFA7 54EB") {
		t.Errorf("key window reads %q", text)
	}
	scr.keys(id, "Tab", "Return")
	id, text = scr.window("Installateur d'applications", "confirm", "Installer hello depuis", time.Minute)
	if !strings.Contains(text, "Paquets : hello") && !strings.Contains(text, "Paquets: hello") {
		t.Errorf("confirmation window reads %q", text)
	}
	scr.keys(id, "Return")
	id, _ = scr.window("Installateur d'applications", "done", "hello est install", 2*time.Minute)
	scr.keys(id, "Return")
	r := <-done
	if r.code != 0 {
		t.Fatalf("aim open: exit %d\n%s%s", r.code, r.out, r.errs)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin/hello")); err != nil {
		t.Errorf("hello not installed: %v", err)
	}
	if n := notes.list(); len(n) != 1 || !strings.HasPrefix(n[0], "Installateur d'applications|hello est installé.|") {
		t.Errorf("notifications: %q", n)
	}
}
