package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"aim/deb"
	"aim/repo"
)

// localRepo builds pkgs into a trusted flat repository and returns a root
// whose sources point at it, after aim update, and the repository.
func localRepo(t *testing.T, pkgs ...pkgSpec) (string, string) {
	t.Helper()
	dir := t.TempDir()
	var index strings.Builder
	for _, s := range pkgs {
		p := buildPkg(t, dir, s)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ar, err := deb.NewArchiveReader(strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		c := ar.Control().Control.Clone()
		ar.Close()
		sum := sha256.Sum256(data)
		c.Set("Filename", "./"+filepath.Base(p))
		c.Set("Size", fmt.Sprint(len(data)))
		c.Set("SHA256", hex.EncodeToString(sum[:]))
		index.WriteString(c.String() + "\n")
	}
	packages := index.String()
	os.WriteFile(filepath.Join(dir, "Packages"), []byte(packages), 0o644)
	sum := sha256.Sum256([]byte(packages))
	rel := &repo.Release{Origin: "Test", Suite: "flat", Date: time.Now().Add(-time.Hour),
		Files: []repo.ReleaseFile{{Path: "Packages", Size: int64(len(packages)), SHA256: hex.EncodeToString(sum[:])}}}
	os.WriteFile(filepath.Join(dir, "Release"), rel.Bytes(), 0o644)
	root := emptyRoot(t, "")
	os.WriteFile(filepath.Join(root, "etc/aim/sources.list"), []byte("deb [trusted=yes] file://"+dir+" ./\n"), 0o644)
	aimOK(t, "--root", root, "update")
	return root, dir
}

var (
	reTime     = regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?`)
	reTaskID   = regexp.MustCompile(`\b[0-9a-f]{16}\b`)
	reDuration = regexp.MustCompile(`\(\d+(\.\d+)?(ns|µs|ms|s|m)\)`)
	reTiming   = regexp.MustCompile(`timing: .*`)
)

// normalise replaces what changes from run to run: paths, times, task
// ids and durations.
func normalise(s, root, dir string) string {
	s = strings.NewReplacer(root, "ROOT", dir, "REPO").Replace(s)
	s = reTime.ReplaceAllString(s, "TIME")
	s = reTaskID.ReplaceAllString(s, "TASKID")
	s = reTiming.ReplaceAllString(s, "timing: TIMES")
	return reDuration.ReplaceAllString(s, "(DURATION)")
}

func TestEngineTranscripts(t *testing.T) {
	hello := pkgSpec{name: "hello", version: "1.0", fields: "Depends: libhello\nSection: user/games\n",
		files:     map[string]string{"/usr/bin/hello": "hello\n", "/etc/hello/hello.conf": "greeting = hi\n"},
		conffiles: []string{"/etc/hello/hello.conf"},
		scripts:   map[string]string{"postinst": "echo configured hello \"$@\"\n", "postrm": "echo postrm hello \"$@\"\n"}}
	lib := pkgSpec{name: "libhello", version: "1.0", fields: "Section: libs\n",
		files: map[string]string{"/usr/lib/libhello.txt": "lib\n"}}
	root, dir := localRepo(t, hello, lib)
	step := func(name string, wantCode int, args ...string) {
		t.Helper()
		out, errs, code := aim(t, append([]string{"--root", root}, args...)...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, wantCode, out, errs)
		}
		golden(t, "engine-"+name, normalise(out+errs, root, dir))
	}
	step("install", 0, "install", "-y", "--scripts-chrootless", "hello")
	step("files", 0, "files", "hello")
	step("owns", 0, "owns", "/usr/bin/hello", "/etc/hello/hello.conf")
	step("list-installed", 0, "list", "--installed")
	step("show-installed", 0, "show", "hello")
	os.WriteFile(filepath.Join(root, "usr/bin/hello"), []byte("tampered\n"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/hello/hello.conf"), []byte("greeting = mine\n"), 0o644)
	step("verify", 1, "verify")
	os.WriteFile(filepath.Join(root, "usr/bin/hello"), []byte("hello\n"), 0o644)
	step("remove", 0, "remove", "-y", "--scripts-chrootless", "hello")
	if got, _ := os.ReadFile(filepath.Join(root, "etc/hello/hello.conf")); string(got) != "greeting = mine\n" {
		t.Errorf("remove took the changed conffile: %q", got)
	}
	step("purge", 0, "purge", "-y", "--scripts-chrootless", "hello")
	if _, err := os.Stat(filepath.Join(root, "etc/hello")); err == nil {
		t.Error("purge left the conffile's directory")
	}
	step("tasks", 0, "tasks")
	step("log", 0, "log", "-n", "0")
}
