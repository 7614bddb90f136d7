package dbus

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"aim/db"
)

func TestForceRetriesRemovalWithFailingPrerm(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true,
		prerm: "echo refusing to go >&2\nexit 1\n"})
	id := c.str("startPackageInstallation", fileURL(path))
	c.call("acknowledgePackageInstallation", nil, id)
	c.until(id, "taskFinished")
	prerm := filepath.Join(root, "var/lib/aim/info/hello.prerm")

	id = c.str("removePackage", "hello", false, false)
	evs := c.until(id, "taskFailed")
	if msg := evs[len(evs)-1].body[2].(string); !strings.Contains(msg, "prerm") {
		t.Errorf("failure %q does not name the prerm", msg)
	}
	if ids := c.strs("packageIds"); !slices.Equal(ids, []string{"hello"}) {
		t.Fatalf("packageIds after the failed removal = %v", ids)
	}
	if _, err := os.Stat(prerm); err != nil {
		t.Fatalf("prerm gone after the failed removal: %v", err)
	}

	id = c.str("removePackage", "hello", false, true)
	c.until(id, "taskFinished")
	if ids := c.strs("packageIds"); len(ids) != 0 {
		t.Errorf("packageIds after the forced removal = %v", ids)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/hello/payload")); !os.IsNotExist(err) {
		t.Errorf("payload left: %v", err)
	}
	if left, _ := filepath.Glob(prerm + "*"); len(left) != 0 {
		t.Errorf("prerm left: %v", left)
	}
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	entries, err := d.Transcripts(0)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, e := range entries {
		if e.Task == id {
			text += e.Operation + "\n" + e.Text
		}
	}
	for _, want := range []string{"remove --force hello", "hello prerm failed", "ignored (forced removal)", "refusing to go"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript of the forced removal lacks %q:\n%s", want, text)
		}
	}
}
