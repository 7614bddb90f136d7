package dbus

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

// controlEnd returns the offset just past the control.tar member of the
// .deb data.
func controlEnd(t *testing.T, data []byte) int {
	t.Helper()
	off := 8
	for off+60 <= len(data) {
		name := strings.TrimRight(string(data[off:off+16]), " ")
		size, err := strconv.Atoi(strings.TrimSpace(string(data[off+48 : off+58])))
		if err != nil {
			t.Fatalf("ar header at %d: %v", off, err)
		}
		off += 60 + size + size%2
		if strings.HasPrefix(name, "control.tar") {
			return off
		}
	}
	t.Fatal("no control.tar member")
	return 0
}

// gatedSocket serves the package at path on a UNIX socket: the control
// part at once, the rest only after release is called. It returns the
// socket:// URL and release.
func gatedSocket(t *testing.T, path string) (string, func()) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := controlEnd(t, data)
	if cut >= len(data) {
		t.Fatal("package has no payload after the control part")
	}
	sock := filepath.Join(t.TempDir(), "pkg.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.Write(data[:cut])
		<-gate
		conn.Write(data[cut:])
	}()
	t.Cleanup(func() { release(); l.Close(); <-done })
	return "socket://" + sock, release
}

// sentNothing fails when root holds the package's files, a partial
// archive or an installed package.
func sentNothing(t *testing.T, c *client, root string) {
	t.Helper()
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Errorf("packageIds = %v", ids)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/hello")); !os.IsNotExist(err) {
		t.Errorf("files left: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, IncomingDir)); len(left) != 0 {
		t.Errorf("partial archives left: %v", left)
	}
}

func TestAcknowledgeRequestedBeforePayload(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true,
		fields: "Maemo-Display-Name: Hello\nAim-Store-Id: 42\n" + iconField(t)})
	u, release := gatedSocket(t, path)
	id := c.str("startPackageInstallation", u)
	// The server holds the payload back until the signal has been seen:
	// without streaming this waits for ever (until fails after 20 s).
	evs := c.until(id, "taskRequestingInstallationAcknowledge")
	if got := c.str("taskState", id); got != "Executing" {
		t.Errorf("taskState while downloading = %s, want Executing", got)
	}
	if got := c.str("taskPackageId", id); got != "hello" {
		t.Errorf("taskPackageId = %q", got)
	}
	ack := evs[len(evs)-1].body
	pkg, extra, signed := ack[1].(map[string]dbus.Variant), ack[2].(map[string]dbus.Variant), ack[3].(map[string]dbus.Variant)
	if pkg["packageId"].Value() != "hello" || pkg["version"].Value() != "1.0" || pkg["name"].Value() != "Hello" {
		t.Errorf("package = %v", pkg)
	}
	if size, _ := pkg["size"].Value().(int64); size != 4096 {
		t.Errorf("size = %v, want 4096", pkg["size"])
	}
	if icon, _ := pkg["icon"].Value().(string); !strings.HasPrefix(icon, "file://") {
		t.Errorf("icon = %q", icon)
	}
	if extra["Aim-Store-Id"].Value() != "42" || len(signed) != 0 {
		t.Errorf("extra = %v, signed = %v", extra, signed)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/hello")); !os.IsNotExist(err) {
		t.Errorf("files before acknowledge: %v", err)
	}
	release()
	evs = c.until(id, "taskBlockingUntilInstallationAcknowledge")
	c.call("acknowledgePackageInstallation", nil, id)
	evs = append(evs, c.until(id, "taskFinished")...)
	if got, want := states(evs), []string{"AwaitingAcknowledge", "Installing", "CleaningUp", "Finished"}; !slices.Equal(got, want) {
		t.Errorf("states after the control part %v, want %v", got, want)
	}
	if ids := c.strs("packageIds"); !slices.Equal(ids, []string{"hello"}) {
		t.Errorf("packageIds = %v", ids)
	}
	var signedMeta map[string]dbus.Variant
	c.call("installedPackageExtraSignedMetaData", []any{&signedMeta}, "hello")
	if signedMeta["Aim-Store-Id"].Value() != "42" {
		t.Errorf("signed extra metadata after verification = %v", signedMeta)
	}
}

func TestCancelWhileDownloading(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	u, _ := gatedSocket(t, path)
	id := c.str("startPackageInstallation", u)
	c.until(id, "taskRequestingInstallationAcknowledge")
	var ok bool
	c.call("cancelTask", []any{&ok}, id)
	if !ok {
		t.Fatal("cancelTask while downloading = false")
	}
	evs := c.until(id, "taskFailed")
	if code := evs[len(evs)-1].body[1].(int32); code != codeCanceled {
		t.Errorf("code %d, want Canceled", code)
	}
	if slices.Contains(states(evs), "Installing") {
		t.Errorf("states %v", states(evs))
	}
	if got := c.str("taskState", id); got != "Failed" {
		t.Errorf("taskState = %s", got)
	}
	sentNothing(t, c, root)
}

func TestCancelRefusedFromInstalling(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	gate := filepath.Join(t.TempDir(), "go")
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true,
		postinst: "i=0\nwhile [ ! -e '" + gate + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n"})
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	evs := c.until(id, "taskStateChanged")
	for states(evs)[len(states(evs))-1] != "Installing" {
		evs = c.until(id, "taskStateChanged")
	}
	var ok bool
	c.call("cancelTask", []any{&ok}, id)
	if ok {
		t.Error("cancelTask while Installing = true")
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c.until(id, "taskFinished")
	c.call("cancelTask", []any{&ok}, id)
	if ok {
		t.Error("cancelTask of a finished task = true")
	}
	if ids := c.strs("packageIds"); !slices.Equal(ids, []string{"hello"}) {
		t.Errorf("packageIds = %v", ids)
	}
}

func TestCancelQueuedTask(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	u, release := gatedSocket(t, path)
	first := c.str("startPackageInstallation", u)
	second := c.str("startPackageInstallation", fileURL(path))
	var ok bool
	c.call("cancelTask", []any{&ok}, second)
	if !ok {
		t.Fatal("cancelTask of a queued task = false")
	}
	c.call("cancelTask", []any{&ok}, first)
	release()
	for _, id := range []string{first, second} {
		evs := c.until(id, "taskFailed")
		if code := evs[len(evs)-1].body[1].(int32); code != codeCanceled {
			t.Errorf("%s: code %d, want Canceled", id, code)
		}
	}
	sentNothing(t, c, root)
}
