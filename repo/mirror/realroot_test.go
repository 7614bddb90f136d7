package mirror_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/install/debiantest"
	"aim/repo/mirror"
)

// installFromMirror installs hello, jq and nano for real with the apt of
// a fresh minbase bookworm root whose only source is the published mirror
// at url (the test's HTTP server, reachable from inside the chroot),
// trusted through key alone (Dpkg::Use-Pty=0: the chroot has no
// /dev/pts). Every mirrored package must then be
// installed at the mirrored version, and the programs must run.
func installFromMirror(t *testing.T, url string, key []byte, mirrored []mirror.Package) {
	root := debiantest.MinbaseRoot(t)
	onlySource(t, root, "deb [signed-by=/etc/apt/keyrings/fleet.asc] "+url+" stable main", key)
	apt := func(args ...string) string {
		t.Helper()
		cmd := append([]string{"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q", "-o", "Acquire::Retries=0", "-o", "Dpkg::Use-Pty=0"}, args...)
		code, out := debiantest.Chroot(t, root, cmd...)
		if code != 0 || strings.Contains(out, "\nW:") || strings.Contains(out, "\nE:") || strings.HasPrefix(out, "E:") {
			t.Fatalf("chroot apt-get %v: exit %d\n%s", args, code, out)
		}
		return out
	}
	apt("update")
	apt("install", "-y", "--no-install-recommends", "hello", "jq", "nano")
	for _, p := range mirrored {
		code, out := debiantest.Chroot(t, root, "dpkg-query", "-W", "-f", "${db:Status-Abbrev}${Version}", p.Name)
		if code != 0 || out != "ii "+p.Version {
			t.Errorf("%s in the root: %q (exit %d), want installed at %s", p.Name, out, code, p.Version)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hello"}, "Hello, world!"},
		{[]string{"hello", "--version"}, "GNU Hello"},
		{[]string{"jq", "--version"}, "jq-1.6"},
		{[]string{"sh", "-c", `echo '{"a":"mirrored"}' | jq .a`}, `"mirrored"`},
		{[]string{"nano", "--version"}, "GNU nano"},
	} {
		if code, out := debiantest.Chroot(t, root, c.args...); code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v in the root: exit %d, output %q, want %q", c.args, code, out, c.want)
		}
	}
}

// onlySource makes line the root's only apt source, with key (armored) in
// /etc/apt/keyrings/fleet.asc, and forgets the indexes it had.
func onlySource(t *testing.T, root, line string, key []byte) {
	t.Helper()
	for _, dir := range []string{"etc/apt/sources.list.d", "var/lib/apt/lists"} {
		entries, _ := os.ReadDir(filepath.Join(root, dir))
		for _, e := range entries {
			if e.Type().IsRegular() {
				os.Remove(filepath.Join(root, dir, e.Name()))
			}
		}
	}
	files := map[string][]byte{
		"etc/apt/sources.list":       []byte(line + "\n"),
		"etc/apt/keyrings/fleet.asc": key,
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
