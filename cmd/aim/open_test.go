package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/install"
	"aim/install/singleclick"
	"aim/repo/pgp"
)

// openFixture is a signed repository served over HTTP, with the demo
// package, and an empty root that does not trust its key yet.
type openFixture struct {
	root, dir, url, fpr string
	installed           [][]string // what openInstall was asked for
}

func newOpenFixture(t *testing.T) *openFixture {
	t.Helper()
	dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	aimOK(t, "repo", "publish", dir, "--key", repoTestKey, "--valid-for", "7d")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	kr, err := pgp.LoadKeyring("../../testdata/keys/ed25519.asc")
	if err != nil {
		t.Fatal(err)
	}
	f := &openFixture{root: t.TempDir(), dir: dir, url: srv.URL, fpr: kr.Keys()[0].Fingerprint}
	os.MkdirAll(filepath.Join(f.root, "etc/aim"), 0o755)
	os.WriteFile(filepath.Join(f.root, "etc/aim/aim.conf"), []byte("architecture = amd64\ndistribution = fremantle\n"), 0o644)
	// A shell for chrooted scripts: aim open refuses a root without one.
	os.MkdirAll(filepath.Join(f.root, "bin"), 0o755)
	os.WriteFile(filepath.Join(f.root, "bin/sh"), []byte("#!/bin/sh\n"), 0o755)
	old := openInstall
	openInstall = func(e *env, _ *install.Installer, d *install.Decision) error {
		f.installed = append(f.installed, d.Request.Names)
		return nil
	}
	t.Cleanup(func() { openInstall = old })
	return f
}

// installFile writes a catalogue-form .install file into the served
// directory and returns its URL.
func (f *openFixture) installFile(t *testing.T, name, uri, pkgs string) string {
	t.Helper()
	data := "[install]\ncatalogues = demo\npackage = " + pkgs + "\n\n[demo]\nname = Demo\nname[de] = Vorführung\n" +
		"uri = " + uri + "\ndist = stable\ncomponents = main\n"
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return f.url + "/" + name
}

// sourceFiles lists the files of sources.list.d and keyrings.
func (f *openFixture) sourceFiles() []string {
	var out []string
	for _, d := range []string{"etc/aim/sources.list.d", "etc/aim/keyrings"} {
		ents, _ := os.ReadDir(filepath.Join(f.root, d))
		for _, e := range ents {
			out = append(out, d+"/"+e.Name())
		}
	}
	return out
}

func TestOpenUnknownKey(t *testing.T) {
	f := newOpenFixture(t)
	file := f.installFile(t, "hello.install", f.url, "hello")
	_, errs, code := aim(t, "open", "--root", f.root, "-s", file)
	if code == 0 || !strings.Contains(errs, spacedFingerprint(f.fpr)) || !strings.Contains(errs, "--trust-key "+f.fpr) {
		t.Errorf("unknown key without --trust-key: exit %d\n%s", code, errs)
	}
	if files := f.sourceFiles(); len(files) != 0 {
		t.Errorf("refusal left %q", files)
	}
	// -y alone never trusts a key.
	if _, errs, code := aim(t, "open", "--root", f.root, "-y", file); code == 0 || !strings.Contains(errs, "is not trusted") {
		t.Errorf("-y without --trust-key: exit %d\n%s", code, errs)
	}
	if _, errs, code := aim(t, "open", "--root", f.root, "-y", "--trust-key", strings.Repeat("AB", 20), file); code == 0 || !strings.Contains(errs, "not trusted") {
		t.Errorf("another fingerprint: exit %d\n%s", code, errs)
	}
	if files := f.sourceFiles(); len(files) != 0 || len(f.installed) != 0 {
		t.Errorf("refusals left %q, installed %q", files, f.installed)
	}
}

// TestOpenWithoutShellStopsFirst opens a file into a root without
// /bin/sh as root: aim stops before asking about the key or adding a
// source, naming --scripts-chrootless; with that flag it goes on.
func TestOpenWithoutShellStopsFirst(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chrooted scripts need root; an ordinary user is checked by the engine")
	}
	f := newOpenFixture(t)
	os.Remove(filepath.Join(f.root, "bin/sh"))
	file := f.installFile(t, "hello.install", f.url, "hello")
	out, errs, code := aim(t, "open", "--root", f.root, "-y", "--trust-key", f.fpr, file)
	if code == 0 || !strings.Contains(errs, "/bin/sh") || !strings.Contains(errs, "--scripts-chrootless") ||
		strings.Contains(out+errs, "trusted") || strings.Contains(out, "asks to") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	if files := f.sourceFiles(); len(files) != 0 || len(f.installed) != 0 {
		t.Errorf("refusal left %q, installed %q", files, f.installed)
	}
	aimOK(t, "open", "--root", f.root, "-y", "--scripts-chrootless", "--trust-key", f.fpr, file)
	if len(f.installed) != 1 {
		t.Errorf("with --scripts-chrootless: installed %q", f.installed)
	}
}

func TestOpenDryRunAndInstall(t *testing.T) {
	f := newOpenFixture(t)
	file := f.installFile(t, "hello.install", f.url+"/", "hello")
	spaced := strings.ToLower(spacedFingerprint(f.fpr)) // case and spaces ignored
	out, errs, code := aim(t, "open", "--root", f.root, "-s", "--trust-key", spaced, file)
	if code != 0 {
		t.Fatalf("open -s: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{`add the repository "Demo": deb ` + f.url + "/ stable main", "install hello",
		"The following NEW packages will be installed:\n  hello\n", "1 newly installed"} {
		if !strings.Contains(out, want) {
			t.Errorf("open -s output lacks %q:\n%s", want, out)
		}
	}
	if files := f.sourceFiles(); len(files) != 0 || len(f.installed) != 0 {
		t.Errorf("dry run left %q, installed %q", files, f.installed)
	}
	// No terminal and no -y: stop before changing anything.
	if _, errs, code := aim(t, "open", "--root", f.root, "--trust-key", f.fpr, file); code != 1 || !strings.Contains(errs, "no terminal") {
		t.Errorf("no terminal: exit %d %q", code, errs)
	}
	out = aimOK(t, "open", "--root", f.root, "-y", "--trust-key", f.fpr, file)
	if len(f.installed) != 1 || f.installed[0][0] != "hello" || !strings.Contains(out, "key "+f.fpr+" trusted for it only") {
		t.Errorf("install: %q\n%s", f.installed, out)
	}
	files := f.sourceFiles()
	if len(files) != 2 || !strings.HasSuffix(files[0], ".sources") || !strings.HasPrefix(files[1], "etc/aim/keyrings/") {
		t.Fatalf("sources after install: %q", files)
	}
	src, _ := os.ReadFile(filepath.Join(f.root, files[0]))
	if !strings.Contains(string(src), "Signed-By: /"+files[1]) {
		t.Errorf("source does not name its key:\n%s", src)
	}
	// Opening again finds the source present (another spelling of the same
	// URI), adds nothing and needs no key.
	out = aimOK(t, "open", "--root", f.root, "-y", f.installFile(t, "again.install", f.url+"//", "hello"))
	if !strings.Contains(out, "already configured as source") || len(f.sourceFiles()) != 2 || len(f.installed) != 2 {
		t.Errorf("second open: %q\n%s", f.sourceFiles(), out)
	}
	// Already installed at the candidate version: say so, exit 0.
	os.MkdirAll(filepath.Join(f.root, "var/lib/dpkg"), 0o755)
	os.WriteFile(filepath.Join(f.root, "var/lib/dpkg/status"),
		[]byte("Package: hello\nStatus: install ok installed\nVersion: 1.0.0-1\nArchitecture: all\n"), 0o644)
	out = aimOK(t, "open", "--root", f.root, file)
	if !strings.Contains(out, "hello 1.0.0-1 is already installed and up to date.") || len(f.installed) != 2 {
		t.Errorf("installed: %q\n%s", f.installed, out)
	}
}

func TestOpenFailuresLeaveNoTrace(t *testing.T) {
	f := newOpenFixture(t)
	tests := []struct {
		name, uri, pkgs, err string
	}{
		{"not found", f.url, "nothing-such", "nothing-such not found in the repositories"},
		{"unreachable", "file:///nonexistent/repo", "hello", "could not be used"},
		{"incompatible", "ftp://x.example/", "hello", "only http, https and file URLs"},
	}
	for _, tt := range tests {
		file := f.installFile(t, tt.name+".install", tt.uri, tt.pkgs)
		_, errs, code := aim(t, "open", "--root", f.root, "-y", "--trust-key", f.fpr, file)
		if code == 0 || !strings.Contains(errs, tt.err) {
			t.Errorf("%s: exit %d %q", tt.name, code, errs)
		}
		if files := f.sourceFiles(); len(files) != 0 {
			t.Errorf("%s left %q", tt.name, files)
		}
	}
	if _, errs, code := aim(t, "open", "--root", f.root, "-s", "--only", "other", f.installFile(t, "x.install", f.url, "hello")); code != 2 || !strings.Contains(errs, "the file offers hello") {
		t.Errorf("--only: exit %d %q", code, errs)
	}
}

func TestOpenJSON(t *testing.T) {
	f := newOpenFixture(t)
	file := f.installFile(t, "hello.install", f.url, "hello")
	t.Setenv("LANG", "de_DE.UTF-8")
	out, errs, code := aim(t, "open", "--root", f.root, "--json", "-s", "--trust-key", f.fpr, file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Repositories []singleclick.Repository `json:"repositories"`
		Packages     []string                 `json:"packages"`
		Plan         planJSON                 `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Repositories) != 1 || got.Repositories[0].Name != "Vorführung" || got.Repositories[0].Action != "add" ||
		got.Repositories[0].Key != f.fpr || len(got.Plan.Install) != 1 || got.Plan.Install[0].Package != "hello" {
		t.Errorf("json: %+v", got)
	}
	var v any
	json.Unmarshal([]byte(out), &v)
	var bad []string
	if checkKeys(v, "", nil, &bad); len(bad) > 0 {
		t.Errorf("keys not in lower camel case: %s", bad)
	}
}

// TestOpenDecidesOnce runs a whole single-click install with the real
// engine and counts the door's notices: one opening of the root (one
// recovery), one decision, shown and then run.
func TestOpenDecidesOnce(t *testing.T) {
	f := newOpenFixture(t)
	openInstall = func(e *env, in *install.Installer, d *install.Decision) error { return runDecision(e, in, d) }
	counts := map[install.NoticeKind]int{}
	noticeHook = func(n install.Notice) { counts[n.Kind]++ }
	t.Cleanup(func() { noticeHook = nil })
	file := f.installFile(t, "hello.install", f.url, "hello")
	out := aimOK(t, "open", "--root", f.root, "-y", "--scripts-chrootless", "--trust-key", f.fpr, file)
	if !strings.Contains(out, "1 newly installed") || !strings.Contains(out, "Done: 1 installed") {
		t.Errorf("open output:\n%s", out)
	}
	if counts[install.NoticeDecide] != 1 || counts[install.NoticeRecover] != 1 {
		t.Errorf("notices %v: want one decision and one recovery", counts)
	}
	if list := aimOK(t, "list", "--root", f.root, "--installed"); !strings.Contains(list, "hello") {
		t.Errorf("hello not installed:\n%s", list)
	}
}
