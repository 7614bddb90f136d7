package dbus

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/db"

	"github.com/godbus/dbus/v5"
)

// names lists the signal names of events.
func names(evs []event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.name)
	}
	return out
}

// states lists the states taskStateChanged reported.
func states(evs []event) []string {
	var out []string
	for _, e := range evs {
		if e.name == "taskStateChanged" {
			out = append(out, e.body[1].(string))
		}
	}
	return out
}

// checkProgress fails unless progress only grows, from at least 0 to 1
// when finished.
func checkProgress(t *testing.T, evs []event, finished bool) {
	t.Helper()
	last := -1.0
	for _, e := range evs {
		if e.name != "taskProgressChanged" {
			continue
		}
		p := e.body[1].(float64)
		if p <= last || p < 0 || p > 1 {
			t.Errorf("progress %v after %v", p, last)
		}
		last = p
	}
	if finished && last != 1 {
		t.Errorf("last progress %v, want 1", last)
	}
}

func fileURL(p string) string { return (&url.URL{Scheme: "file", Path: p}).String() }

func TestInstallAcknowledgeAndRemove(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Fatalf("packageIds = %v, want none", ids)
	}
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true,
		fields: "Maemo-Display-Name: Hello\nMaemo-Display-Name-de: Hallo\nAim-Store-Id: 42\n" + iconField(t)})
	id := c.str("startPackageInstallation", fileURL(path))
	if id == "" {
		t.Fatal("no task")
	}
	evs := c.until(id, "taskBlockingUntilInstallationAcknowledge")
	if got := c.str("taskState", id); got != "AwaitingAcknowledge" {
		t.Errorf("taskState = %s, want AwaitingAcknowledge", got)
	}
	if got := c.str("taskPackageId", id); got != "hello" {
		t.Errorf("taskPackageId = %q", got)
	}
	i := slices.Index(names(evs), "taskRequestingInstallationAcknowledge")
	if i < 0 {
		t.Fatalf("no taskRequestingInstallationAcknowledge in %v", names(evs))
	}
	pkg, extra := evs[i].body[1].(map[string]dbus.Variant), evs[i].body[2].(map[string]dbus.Variant)
	if pkg["packageId"].Value() != "hello" || pkg["name"].Value() != "Hallo" || pkg["version"].Value() != "1.0" {
		t.Errorf("acknowledge package = %v", pkg)
	}
	if extra["Aim-Store-Id"].Value() != "42" {
		t.Errorf("extra metadata = %v", extra)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/hello/payload")); err == nil {
		t.Fatal("files installed before the acknowledge")
	}
	c.call("acknowledgePackageInstallation", nil, id)
	evs = append(evs, c.until(id, "taskFinished")...)
	want := []string{"Executing", "AwaitingAcknowledge", "Installing", "CleaningUp", "Finished"}
	if got := states(evs); !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	if names(evs)[1] != "taskStarted" {
		t.Errorf("signals %v: taskStarted not right after Executing", names(evs))
	}
	if !slices.Contains(names(evs), "packageAdded") {
		t.Errorf("no packageAdded in %v", names(evs))
	}
	checkProgress(t, evs, true)
	if ids := c.strs("packageIds"); !slices.Equal(ids, []string{"hello"}) {
		t.Fatalf("packageIds = %v", ids)
	}
	var m map[string]dbus.Variant
	c.call("get", []any{&m}, "hello")
	if m["name"].Value() != "Hallo" || m["isRemovable"].Value() != true || m["isUpdating"].Value() != false ||
		!slices.Equal(m["categories"].Value().([]string), []string{"games"}) || m["description"].Value() != "a test package" {
		t.Errorf("get = %v", m)
	}
	icon, _ := url.Parse(m["icon"].Value().(string))
	if _, err := os.Stat(icon.Path); icon.Scheme != "file" || err != nil {
		t.Errorf("icon %v: %v", m["icon"], err)
	}
	var size int64
	c.call("installedPackageSize", []any{&size}, "hello")
	if size != 4096 {
		t.Errorf("installedPackageSize = %d", size)
	}
	c.call("installedPackageSize", []any{&size}, "nope")
	if size != -1 {
		t.Errorf("installedPackageSize(nope) = %d", size)
	}
	for _, method := range []string{"installedPackageExtraMetaData", "installedPackageExtraSignedMetaData"} {
		c.call(method, []any{&m}, "hello")
		if m["Aim-Store-Id"].Value() != "42" || m["Maemo-Display-Name"].Value() != "Hello" {
			t.Errorf("%s = %v", method, m)
		}
	}
	var count int32
	if err := c.obj.StoreProperty(QtInterface+".count", &count); err != nil || count != 1 {
		t.Errorf("count = %d, %v", count, err)
	}

	// Removal with the (sb) overload: documents go unless kept.
	docs := filepath.Join(root, DefaultDocumentsDir, "hello")
	if _, err := os.Stat(docs); err != nil {
		t.Errorf("no documents directory: %v", err)
	}
	rid := c.str("removePackage", "hello", false)
	evs = c.until(rid, "taskFinished")
	if got := states(evs); !slices.Equal(got, []string{"Executing", "Finished"}) {
		t.Errorf("removal states %v", got)
	}
	if i := slices.Index(names(evs), "packageAboutToBeRemoved"); i < 0 || i > slices.Index(names(evs), "taskFinished") ||
		slices.Index(names(evs), "countChanged") < i {
		t.Errorf("signals %v: want packageAboutToBeRemoved before the removal is done", names(evs))
	}
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Errorf("packageIds after removal = %v", ids)
	}
	if _, err := os.Stat(docs); !os.IsNotExist(err) {
		t.Errorf("documents kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/hello/payload")); !os.IsNotExist(err) {
		t.Errorf("payload left: %v", err)
	}
	if got := c.str("removePackage", "hello", false, false); got != "" {
		t.Errorf("removePackage of a removed package = %q, want no task", got)
	}
}

func TestCancelWhileAwaitingRollsBack(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	id := c.str("startPackageInstallation", fileURL(path))
	c.until(id, "taskBlockingUntilInstallationAcknowledge")
	var ok bool
	c.call("cancelTask", []any{&ok}, id)
	if !ok {
		t.Fatal("cancelTask = false")
	}
	evs := c.until(id, "taskFailed")
	if code := evs[len(evs)-1].body[1].(int32); code != codeCanceled {
		t.Errorf("code %d, want Canceled", code)
	}
	if got := c.str("taskState", id); got != "Failed" {
		t.Errorf("taskState = %s", got)
	}
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Errorf("packageIds = %v", ids)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/hello")); !os.IsNotExist(err) {
		t.Errorf("files left after cancel: %v", err)
	}
	c.call("cancelTask", []any{&ok}, id)
	if ok {
		t.Error("cancelTask of a failed task = true")
	}
}

func TestAcknowledgeTimeoutCancels(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 300*time.Millisecond)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	id := c.str("startPackageInstallation", fileURL(path))
	evs := c.until(id, "taskFailed")
	if code := evs[len(evs)-1].body[1].(int32); code != codeCanceled {
		t.Errorf("code %d, want Canceled", code)
	}
}

func TestEarlyAcknowledgeSkipsAwaiting(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	evs := c.until(id, "taskFinished")
	if got, want := states(evs), []string{"Executing", "Installing", "CleaningUp", "Finished"}; !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	if slices.Contains(names(evs), "taskBlockingUntilInstallationAcknowledge") {
		t.Error("blocked although acknowledged")
	}
}

func TestUnsignedRefusedUnderStorePolicy(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games"})
	id := c.str("startPackageInstallation", fileURL(path))
	evs := c.until(id, "taskFailed")
	last := evs[len(evs)-1]
	if code := last.body[1].(int32); code != codeCryptography || !strings.Contains(last.body[2].(string), "store") {
		t.Errorf("taskFailed %v, want Cryptography about the store signature", last.body)
	}
	if slices.Contains(states(evs), "AwaitingAcknowledge") {
		t.Error("an unsigned package reached AwaitingAcknowledge")
	}
	if _, err := os.Stat(filepath.Join(root, IncomingDir, id+".deb")); !os.IsNotExist(err) {
		t.Errorf("download left: %v", err)
	}
}

func TestUnsignedAllowedWithPolicyNone(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, "package-trust = none\n"), 0)
	c := dial(t, addr)
	var allowed bool
	if err := c.obj.StoreProperty(QtInterface+".allowInstallationOfUnsignedPackages", &allowed); err != nil || !allowed {
		t.Fatalf("allowInstallationOfUnsignedPackages = %v, %v", allowed, err)
	}
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games"})
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	c.until(id, "taskFinished")
	var m map[string]dbus.Variant
	c.call("installedPackageExtraSignedMetaData", []any{&m}, "hello")
	if len(m) != 0 {
		t.Errorf("signed metadata of an unsigned package: %v", m)
	}
}

func TestBadURLMakesNoTask(t *testing.T) {
	addr := startBus(t)
	service(t, addr, newRoot(t, ""), 0)
	c := dial(t, addr)
	for _, u := range []string{"ftp://example.invalid/x.deb", "no url", ""} {
		if id := c.str("startPackageInstallation", u); id != "" {
			t.Errorf("startPackageInstallation(%q) = %q, want no task", u, id)
		}
	}
	id := c.str("startPackageInstallation", fileURL("/nonexistent/x.deb"))
	evs := c.until(id, "taskFailed")
	if code := evs[len(evs)-1].body[1].(int32); code != codeIO {
		t.Errorf("code %d, want IO", code)
	}
}

func TestTaskStateSurvivesRestart(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	s, err := New(Config{Root: root, ChrootlessScripts: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Connect(addr, s)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, addr)
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	c.until(id, "taskFinished")
	s.Close()
	conn.Close()
	service(t, addr, root, 0)
	if got := c.str("taskState", id); got != "Finished" {
		t.Errorf("taskState after restart = %s", got)
	}
	if got := c.str("taskPackageId", id); got != "hello" {
		t.Errorf("taskPackageId after restart = %s", got)
	}
	if got := c.str("taskState", "unknown"); got != "Invalid" {
		t.Errorf("taskState(unknown) = %s", got)
	}
}

func TestUnfinishedTaskFailsAtStart(t *testing.T) {
	root := newRoot(t, "")
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = d.Update(func(tx *db.Tx) error {
		return tx.PutTask(&db.Task{ID: "old", Kind: "install", Package: "hello", State: "AwaitingAcknowledge", Created: now, Updated: now})
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.TaskState("old"); got != "Failed" {
		t.Errorf("taskState of an interrupted task = %s, want Failed", got)
	}
	if ids := s.activeTaskIDs(); len(ids) != 0 {
		t.Errorf("active tasks %v", ids)
	}
}
