package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/repo/server"
)

// TestSingleClickEndToEnd is the whole user story: a maintainer publishes
// the demo app, the deployment server serves it, and a user opens its
// .install URL, trusts the key after checking its fingerprint, and gets the
// app installed below a root, files verified; then removes it.
func TestSingleClickEndToEnd(t *testing.T) {
	deb := buildDemo(t)
	dir := filepath.Join(t.TempDir(), "repo")
	aimOK(t, "repo", "init", dir, "--dist", "stable", "--component", "main", "--arch", "amd64")
	aimOK(t, "repo", "add", dir, deb)
	aimOK(t, "repo", "publish", dir, "--key", "../../testdata/keys/ed25519.secret.asc")
	srv, err := server.New(server.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	url := hs.URL + "/install/hello.install"
	root := t.TempDir()
	const fpr = "EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B" // testdata/keys/ed25519.asc

	// -y alone never trusts an unknown key, and nothing is left behind.
	out, errs, code := aim(t, "--root", root, "-y", "open", "--scripts-chrootless", url)
	if code == 0 || !strings.Contains(out+errs, "EFA7 54EB CD1D D505 D8DC 6DD3 CED4 52CF F844 3D5B") {
		t.Fatalf("untrusted key: exit %d\n%s%s", code, out, errs)
	}
	if list, _, _ := aim(t, "--root", root, "source", "list"); strings.Contains(list, "127.0.0.1") {
		t.Errorf("a refused open left its source behind:\n%s", list)
	}

	out, errs, code = aim(t, "--root", root, "-y", "open", "--scripts-chrootless", "--trust-key", fpr, url)
	if code != 0 || !strings.Contains(out, "Done: 1 installed") {
		t.Fatalf("open: exit %d\n%s%s", code, out, errs)
	}
	if b, err := os.ReadFile(filepath.Join(root, "usr/bin/hello")); err != nil || !strings.HasPrefix(string(b), "#!") {
		t.Errorf("usr/bin/hello not installed: %v", err)
	}
	if files := aimOK(t, "--root", root, "files", "hello"); !strings.Contains(files, "/usr/bin/hello\n") {
		t.Errorf("aim files hello:\n%s", files)
	}
	if _, errs, code := aim(t, "--root", root, "verify"); code != 0 {
		t.Errorf("verify after install: exit %d %s", code, errs)
	}
	if list := aimOK(t, "--root", root, "list", "--user"); !strings.Contains(list, "hello/stable 1.0.0-1 all [installed] (Tools)") {
		t.Errorf("list --user:\n%s", list)
	}
	// Opening the same file again says it is installed and changes nothing.
	if out, errs, code := aim(t, "--root", root, "-y", "open", "--scripts-chrootless", url); code != 0 || !strings.Contains(out+errs, "already installed") {
		t.Errorf("second open: exit %d\n%s%s", code, out, errs)
	}
	aimOK(t, "--root", root, "-y", "remove", "--scripts-chrootless", "hello")
	if _, err := os.Stat(filepath.Join(root, "usr/bin/hello")); !os.IsNotExist(err) {
		t.Errorf("usr/bin/hello still there after remove: %v", err)
	}
}
