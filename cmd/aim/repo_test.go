package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const repoTestKey = "../../testdata/keys/ed25519.secret.asc"

// repoWithDemo makes a repository holding the demo package and returns
// its directory.
func repoWithDemo(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	deb := buildDemo(t)
	aimOK(t, append([]string{"repo", "init", dir, "--dist", "stable", "--arch", "amd64,arm64", "--origin", "Demo"}, extra...)...)
	aimOK(t, "repo", "add", dir, deb)
	return dir
}

func TestRepoCommands(t *testing.T) {
	dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	out := aimOK(t, "repo", "list", dir)
	if !strings.Contains(out, "stable  main  hello") {
		t.Errorf("list: %q", out)
	}
	var pkgs []repoPackageJSON
	if err := json.Unmarshal([]byte(aimOK(t, "repo", "list", dir, "--json")), &pkgs); err != nil || len(pkgs) != 1 || pkgs[0].Filename == "" {
		t.Errorf("list --json: %+v %v", pkgs, err)
	}
	aimOK(t, "repo", "publish", dir, "--key", repoTestKey, "--valid-for", "7d", "--install-files", "--base-url", "https://example.org/r")
	for _, f := range []string{"dists/stable/InRelease", "dists/stable/Release.gpg", "key.asc", "install/hello.install"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("publish did not write %s", f)
		}
	}
	if out := aimOK(t, "repo", "publish", dir, "--key", repoTestKey, "--valid-for", "7d"); !strings.Contains(out, "stable: unchanged") {
		t.Errorf("second publish: %q", out)
	}
	aimOK(t, "repo", "check", dir)
	os.WriteFile(filepath.Join(dir, "dists/stable/main/binary-arm64/Packages.xz"), []byte("x"), 0o644)
	if out, _, code := aim(t, "repo", "check", dir); code == 0 || !strings.Contains(out, "binary-arm64/Packages.xz") {
		t.Errorf("check of a corrupt index: status %d\n%s", code, out)
	}
	aimOK(t, "repo", "remove", dir, "hello")
	if out := aimOK(t, "repo", "list", dir); out != "" {
		t.Errorf("list after remove: %q", out)
	}
	if _, errs, code := aim(t, "repo", "publish", dir); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("publish without --key: %d %q", code, errs)
	}
}

func TestRepoPublishSourceDateEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(time.Now().Unix(), 10))
	var releases []string
	for range 2 {
		dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
		aimOK(t, "repo", "publish", dir, "--key", repoTestKey)
		b, _ := os.ReadFile(filepath.Join(dir, "dists/stable/InRelease"))
		releases = append(releases, string(b))
	}
	if releases[0] != releases[1] {
		t.Errorf("InRelease differs between two runs:\n%s\n%s", releases[0], releases[1])
	}
}

func TestRepoAddStrict(t *testing.T) {
	tree := copyDemo(t)
	ctl := filepath.Join(tree, "DEBIAN/control")
	b, _ := os.ReadFile(ctl)
	os.WriteFile(ctl, []byte(strings.Replace(string(b), "Architecture: all", "Architecture: arm64", 1)), 0o644)
	elf := make([]byte, 64)
	copy(elf, "\x7fELF\x02\x01\x01")
	elf[18] = 62 // x86-64
	os.MkdirAll(filepath.Join(tree, "usr/bin"), 0o755)
	os.WriteFile(filepath.Join(tree, "usr/bin/tool"), elf, 0o755)
	deb := filepath.Join(t.TempDir(), "tool.deb")
	aimOK(t, "deb", "build", "-q", tree, deb)
	dir := filepath.Join(t.TempDir(), "r")
	aimOK(t, "repo", "init", dir, "--dist", "stable", "--arch", "arm64")
	_, errs, code := aim(t, "repo", "add", "--strict", dir, deb)
	if code == 0 || !strings.Contains(errs, "usr/bin/tool: architecture arm64, but this is an ELF 64-bit LSB machine 62 (amd64)") {
		t.Errorf("strict add: status %d\n%s", code, errs)
	}
	_, errs, code = aim(t, "repo", "add", dir, deb)
	if code != 0 || !strings.Contains(errs, "aim: "+deb+": warning: usr/bin/tool") {
		t.Errorf("add: status %d\n%s", code, errs)
	}
}

// TestRepoAddLink checks that repo add --link shares a package file with
// the pool (same inode), and that a plain add copies it.
func TestRepoAddLink(t *testing.T) {
	src := t.TempDir()
	deb := filepath.Join(src, "demo.deb")
	aimOK(t, "deb", "build", "-q", copyDemo(t), deb)
	if err := os.Chmod(deb, 0o644); err != nil {
		t.Fatal(err)
	}
	srcInfo, err := os.Stat(deb)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		shared bool
	}{{[]string{"--link"}, true}, {nil, false}} {
		dir := filepath.Join(t.TempDir(), "r")
		aimOK(t, "repo", "init", dir, "--dist", "stable", "--arch", "amd64")
		aimOK(t, append(append([]string{"repo", "add", "-q"}, c.args...), dir, deb)...)
		pool, _ := filepath.Glob(filepath.Join(dir, "pool/main/*/*/*.deb"))
		if len(pool) != 1 {
			t.Fatalf("add %v: pool files %v, want one", c.args, pool)
		}
		fi, err := os.Stat(pool[0])
		if err != nil {
			t.Fatal(err)
		}
		if os.SameFile(fi, srcInfo) != c.shared {
			t.Errorf("add %v: pool file shares the source's inode: %v, want %v", c.args, !c.shared, c.shared)
		}
		if _, err := os.Stat(deb); err != nil {
			t.Errorf("add %v: the source is gone: %v", c.args, err)
		}
	}
}
