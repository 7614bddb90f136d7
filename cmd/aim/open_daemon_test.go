package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/install"
	aimdbus "aim/install/dbus"
	"aim/install/dbus/dbustest"
	"aim/install/singleclick"
	"aim/repo/server"

	"github.com/godbus/dbus/v5"
)

// busPolicy is contrib's system bus policy of the service.
const busPolicy = "../../contrib/dbus/org.aim.PackageManager.conf"

// demoFPR is the fingerprint of testdata/keys/ed25519.asc, which signs
// the served demo repository.
const demoFPR = "EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B"

// servedDemo publishes the demo app signed with the test key and serves
// it as the deployment server does; it returns the .install URL.
func servedDemo(t *testing.T) string {
	t.Helper()
	deb := buildDemo(t)
	dir := filepath.Join(t.TempDir(), "repo")
	aimOK(t, "repo", "init", dir, "--dist", "stable", "--component", "main", "--arch", "amd64")
	aimOK(t, "repo", "add", dir, deb)
	aimOK(t, "repo", "publish", dir, "--key", "../../testdata/keys/ed25519.secret.asc")
	srv, err := server.New(server.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL + "/install/hello.install"
}

// asUser runs aim args as uid (gid the same, no other groups) with env
// added, in a process of its own, and returns its output and exit code.
func asUser(t *testing.T, uid int, env []string, args ...string) (string, int) {
	t.Helper()
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("needs setpriv (util-linux) to run as another user")
	}
	exe, _ := os.Executable()
	os.Chmod(exe, 0o755)
	argv, _ := json.Marshal(args)
	u := itoa(uid)
	cmd := exec.Command(setpriv, "--reuid="+u, "--regid="+u, "--clear-groups", exe)
	cmd.Env = append(append(os.Environ(), "AIM_TEST_MAIN="+string(argv), "HOME=/", "DBUS_SESSION_BUS_ADDRESS="), env...)
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// nobody is the uid ordinary-user tests run as.
const nobody = 65534

// systemRoot is a root owned by root that ordinary users cannot write,
// with conf as its aim.conf.
func systemRoot(t *testing.T, conf string) string {
	t.Helper()
	root := t.TempDir()
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Dir(root), 0o755)
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestOrdinaryUserOpensThroughDaemon is the routing: the user nobody
// opens a .install URL for a root it cannot write; aim sends it to the
// system daemon (a private system bus with contrib's policy), which
// refuses an unknown key unless the user accepted its fingerprint, and
// installs; remove goes the same way. Where no daemon answers the user
// is told what to start, and the user's own --root works directly.
func TestOrdinaryUserOpensThroughDaemon(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the daemon and act as another user")
	}
	url := servedDemo(t)
	root := systemRoot(t, "dbus-allow-users = nobody\n")
	addr := serveOn(t, root, dbustest.SystemBus(t, busPolicy))
	sys := []string{"DBUS_SYSTEM_BUS_ADDRESS=" + addr}
	hello := filepath.Join(root, "usr/bin/hello")

	out, code := asUser(t, nobody, sys, "--root", root, "-y", "open", url)
	if code == 0 || !strings.Contains(out, "EFA7 54EB CD1D D505 D8DC 6DD3 CED4 52CF F844 3D5B") || !strings.Contains(out, "--trust-key "+demoFPR) {
		t.Fatalf("unknown key: exit %d\n%s", code, out)
	}
	if list, _, _ := aim(t, "--root", root, "source", "list"); strings.Contains(list, "127.0.0.1") {
		t.Errorf("a refused open left its source behind:\n%s", list)
	}

	out, code = asUser(t, nobody, sys, "--root", root, "-y", "open", "--trust-key", demoFPR, url)
	if code != 0 || !strings.Contains(out, "asks to") || !strings.Contains(out, "The following NEW packages will be installed:\n  hello") ||
		!strings.Contains(out, "Need to get") || !strings.Contains(out, "finished") {
		t.Fatalf("open through the daemon: exit %d\n%s", code, out)
	}
	t.Logf("aim open as nobody, through the daemon:\n%s", out)
	if _, err := os.Stat(hello); err != nil {
		t.Errorf("hello not installed: %v", err)
	}
	if list, _, _ := aim(t, "--root", root, "source", "list"); !strings.Contains(list, "127.0.0.1") {
		t.Errorf("the installed file's source is not configured:\n%s", list)
	}

	if out, code = asUser(t, nobody, sys, "--root", root, "-y", "remove", "hello"); code != 0 {
		t.Fatalf("remove through the daemon: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(hello); !os.IsNotExist(err) {
		t.Errorf("hello not removed: %v", err)
	}

	// No daemon: the user is told what to start.
	out, code = asUser(t, nobody, []string{"DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "--root", root, "-y", "install", "hello")
	if code != 1 || !strings.Contains(out, "aim's system service could not be reached") || !strings.Contains(out, "systemctl start aim-daemon") {
		t.Errorf("no daemon: exit %d\n%s", code, out)
	}
	// A root the daemon does not manage is refused, not changed.
	other := systemRoot(t, "")
	out, code = asUser(t, nobody, sys, "--root", other, "-y", "install", "hello")
	if code != 1 || !strings.Contains(out, "the aim daemon manages "+root) {
		t.Errorf("another root: exit %d\n%s", code, out)
	}

	// The user's own root is changed directly, with no daemon at all.
	own := t.TempDir()
	os.Chmod(filepath.Dir(own), 0o755)
	os.Chown(own, nobody, nobody)
	out, code = asUser(t, nobody, []string{"DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus"},
		"--root", own, "-y", "open", "--scripts-chrootless", "--trust-key", demoFPR, url)
	if code != 0 || !strings.Contains(out, "Done: 1 installed") {
		t.Errorf("own root: exit %d\n%s", code, out)
	}
}

// TestTerminalKeepsTextQuestions opens through the daemon as nobody on a
// terminal (script(1) gives it one) in a desktop session with zenity
// installed: the questions stay text on the terminal, answered there.
func TestTerminalKeepsTextQuestions(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the daemon and act as another user")
	}
	for _, tool := range []string{"script", "setpriv", "zenity"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	url := servedDemo(t)
	root := systemRoot(t, "dbus-allow-users = nobody\n")
	addr := serveOn(t, root, dbustest.SystemBus(t, busPolicy))
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	exe := filepath.Join(dir, "aim.test")
	if err := exec.Command("cp", testBinary(t), exe).Run(); err != nil {
		t.Fatal(err)
	}
	argv, _ := json.Marshal([]string{"--root", root, "open", url})
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "script", "-qefc", exe, "/dev/null")
	cmd.Env = append(os.Environ(), "AIM_TEST_MAIN="+string(argv), "HOME=/", "DISPLAY=:4242", "DBUS_SESSION_BUS_ADDRESS=",
		"DBUS_SYSTEM_BUS_ADDRESS="+addr)
	cmd.Dir = "/"
	in, _ := cmd.StdinPipe()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("y\n\n")) // trust the key; install (the default)
	err := wait(t, cmd)
	in.Close()
	if err != nil || !strings.Contains(out.String(), "Trust this key for this repository only? [y/N]") ||
		!strings.Contains(out.String(), "Do you want to continue? [Y/n]") || !strings.Contains(out.String(), "finished") {
		t.Fatalf("open on a terminal: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin/hello")); err != nil {
		t.Errorf("hello not installed: %v", err)
	}
}

// TestInstallFileOverDBus drives openInstallFile, confirmInstallFile and
// declineInstallFile directly: the offer names the key and the plan with
// sizes and leaves nothing configured; only the connection that opened an
// offer may answer it, once; a confirmation with a fingerprint other than
// the signer's fails and removes what it staged; a cancelled one too.
func TestInstallFileOverDBus(t *testing.T) {
	url := servedDemo(t)
	root := t.TempDir()
	addr := privateDaemon(t, root)
	conn, err := daemonConn(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	other, err := daemonConn(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	obj := conn.Object(aimdbus.Name, aimdbus.Path)
	open := func() singleclick.Offer {
		t.Helper()
		var js string
		if err := obj.Call(aimdbus.Interface+".openInstallFile", 0, url, []byte{}).Store(&js); err != nil {
			t.Fatal(err)
		}
		var o singleclick.Offer
		if err := json.Unmarshal([]byte(js), &o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	noSource := func(what string) {
		t.Helper()
		if list, _, _ := aim(t, "--root", root, "source", "list"); strings.Contains(list, "127.0.0.1") {
			t.Errorf("%s: a source stayed:\n%s", what, list)
		}
	}
	o := open()
	if len(o.Keys) != 1 || o.Keys[0].Fingerprint != demoFPR || o.Plan == nil || len(o.Plan.Install) != 1 ||
		o.DownloadSize <= 0 || o.InstalledSize <= 0 || o.ID == "" || len(o.Repositories) != 1 || o.Repositories[0].Action != singleclick.Add {
		t.Fatalf("offer: %+v", o)
	}
	noSource("open")

	var id string
	other.Object(aimdbus.Name, aimdbus.Path).Call(aimdbus.Interface+".confirmInstallFile", 0, o.ID, []string{demoFPR}).Store(&id)
	if id != "" {
		t.Errorf("another connection confirmed the offer: task %q", id)
	}
	var ok bool
	obj.Call(aimdbus.Interface+".declineInstallFile", 0, o.ID).Store(&ok)
	if !ok {
		t.Error("decline: no such offer")
	}
	obj.Call(aimdbus.Interface+".declineInstallFile", 0, o.ID).Store(&ok)
	if ok {
		t.Error("declined twice")
	}

	sigs := make(chan *dbus.Signal, 256)
	conn.Signal(sigs)
	conn.AddMatchSignal(dbus.WithMatchObjectPath(aimdbus.Path), dbus.WithMatchInterface(aimdbus.Interface))
	e := &env{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{}, g: &globals{quiet: true}}
	confirm := func(o singleclick.Offer, fprs ...string) error {
		t.Helper()
		var id string
		if err := obj.Call(aimdbus.Interface+".confirmInstallFile", 0, o.ID, fprs).Store(&id); err != nil || id == "" {
			t.Fatalf("confirm: %q %v", id, err)
		}
		return follow(context.Background(), e, conn, obj, sigs, id)
	}
	var tf *taskFailedError
	if err := confirm(open(), "0123456789ABCDEF0123456789ABCDEF01234567"); !errors.As(err, &tf) || !strings.Contains(tf.Msg, "not trusted") {
		t.Errorf("confirm with another fingerprint: %v", err)
	}
	noSource("wrong fingerprint")

	// Cancelled while it waits for the root's writer lock, held here.
	o = open()
	lock, err := install.Open(root, install.Options{LockWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.Call(aimdbus.Interface+".confirmInstallFile", 0, o.ID, []string{demoFPR}).Store(&id); err != nil || id == "" {
		t.Fatalf("confirm: %v", err)
	}
	// follow cancels the task when its context ends (^C, or the progress
	// window's Cancel), then waits for the task's end.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, func() { cancel(); time.Sleep(200 * time.Millisecond); lock.Close() })
	if err := follow(ctx, e, conn, obj, sigs, id); !errors.As(err, &tf) || tf.Code != codeCancelledTask {
		t.Errorf("cancelled confirm: %v", err)
	}
	noSource("cancelled")
	if _, err := os.Stat(filepath.Join(root, "usr/bin/hello")); !os.IsNotExist(err) {
		t.Errorf("hello installed: %v", err)
	}

	if err := confirm(open(), demoFPR); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin/hello")); err != nil {
		t.Errorf("hello not installed: %v", err)
	}
}
