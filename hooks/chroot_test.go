package hooks

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// makeRoot builds a minimal root that can run shell scripts chrooted: a
// static busybox with applet links when the host has one, else the host's
// /bin/sh with the shared libraries ldd lists. It skips the test when aim
// does not run as root or neither works.
func makeRoot(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("chroot tests need root privileges")
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if bb, err := exec.LookPath("busybox"); err == nil && elfInterpreter(bb) == "" {
		copyFile(t, bb, filepath.Join(root, "bin/busybox"))
		for _, applet := range []string{"sh", "cat", "tty", "pwd", "sleep", "env"} {
			if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Skipf("no /bin/sh to copy: %v", err)
	}
	out, err := exec.Command("ldd", sh).Output()
	if err != nil {
		t.Skipf("neither a static busybox nor ldd: %v", err)
	}
	copyFile(t, sh, filepath.Join(root, "bin/sh"))
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, "/") {
			copyFile(t, f, filepath.Join(root, f))
		}
	}
	return root
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// rootProbe prints what a script sees of where it runs, using only shell
// builtins so that it works in any root.
const rootProbe = `#!/bin/sh
echo "argv0=$0"
echo "root=[$DPKG_ROOT]"
echo "admindir=$DPKG_ADMINDIR"
echo "cwd=$(pwd)"
if [ -e /in-root-marker ]; then echo "marker=yes"; else echo "marker=no"; fi
for a in "$@"; do echo "arg=[$a]"; done
`

func TestChrootAndChrootless(t *testing.T) {
	root := makeRoot(t)
	if err := os.WriteFile(filepath.Join(root, "in-root-marker"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p := writeScript(t, root, "var/lib/aim/info/foo.postinst", rootProbe)
	tests := []struct {
		name   string
		chroot bool
		want   []string
	}{
		{name: "chrooted", chroot: true, want: []string{
			"argv0=/var/lib/aim/info/foo.postinst", "root=[]", "admindir=/var/lib/dpkg",
			"cwd=/", "marker=yes", "arg=[configure]", "arg=[]"}},
		{name: "chrootless", chroot: false, want: []string{
			"argv0=" + p, "root=[" + root + "]", "admindir=" + filepath.Join(root, "var/lib/dpkg"),
			"cwd=" + root, "marker=no", "arg=[configure]", "arg=[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckRoot(root, tt.chroot); err != nil {
				t.Fatalf("CheckRoot: %v", err)
			}
			r := Runner{Root: root, Chroot: tt.chroot}
			res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: p, Args: PostinstConfigure("")})
			if err != nil {
				t.Fatalf("run: %v\n%s", err, res.Output)
			}
			got := strings.Split(strings.TrimSpace(string(res.Output)), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("script saw:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestChrootStdinAndTerminal checks inside a chroot what the host tests
// prove outside one: stdin gives end of file and is not a terminal.
func TestChrootStdinAndTerminal(t *testing.T) {
	root := makeRoot(t)
	p := writeScript(t, root, "var/lib/aim/info/foo.preinst", `#!/bin/sh
if read line; then echo read=got; else echo read=eof; fi
if [ -t 0 ]; then echo isatty=yes; else echo isatty=no; fi
if (exec 3</dev/tty) 2>&-; then echo devtty=open; else echo devtty=none; fi
`)
	// Give the root a real /dev/tty where the kernel allows it, so that
	// "none" means "no controlling terminal", not "no such file".
	if err := os.MkdirAll(filepath.Join(root, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mknod(filepath.Join(root, "dev/tty"), syscall.S_IFCHR|0o666, 5<<8); err != nil {
		t.Logf("no /dev/tty in the test root: %v", err)
	}
	r := Runner{Root: root, Chroot: true}
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "preinst", Path: p, Args: PreinstInstall()})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, res.Output)
	}
	if got, want := string(res.Output), "read=eof\nisatty=no\ndevtty=none\n"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
}

func TestCheckRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chroot checks need root privileges")
	}
	full := makeRoot(t)
	empty := t.TempDir()
	dangling := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dangling, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/bin/dash", filepath.Join(dangling, "bin/sh")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		root    string
		chroot  bool
		missing bool
		err     bool
	}{
		{name: "root with a shell", root: full, chroot: true},
		{name: "empty root chrooted", root: empty, chroot: true, missing: true},
		{name: "absolute link to nothing inside the root", root: dangling, chroot: true, missing: true},
		{name: "empty root chrootless uses the host shell", root: empty},
		{name: "root that does not exist", root: filepath.Join(empty, "nope"), chroot: true, err: true},
		{name: "host", root: "/", chroot: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRoot(tt.root, tt.chroot)
			var me *MissingError
			switch {
			case tt.missing:
				if !errors.As(err, &me) || me.Path != "/bin/sh" || !strings.Contains(err.Error(), "has no /bin/sh") {
					t.Fatalf("err = %v, want a missing /bin/sh", err)
				}
			case tt.err:
				if err == nil {
					t.Fatal("no error")
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestChrootRefusals checks the refusals made before anything runs: an
// interpreter missing from the root, a script outside the root.
func TestChrootRefusals(t *testing.T) {
	root := makeRoot(t)
	marker := filepath.Join(root, "ran")
	perl := writeScript(t, root, "var/lib/aim/info/foo.postinst", "#!/usr/bin/perl\nexit 0\n")
	outside := writeScript(t, t.TempDir(), "foo.postinst", "#!/bin/sh\ntouch "+marker+"\n")
	r := Runner{Root: root, Chroot: true}

	err := CheckScript(root, true, perl, "foo postinst")
	var me *MissingError
	if !errors.As(err, &me) || me.Path != "/usr/bin/perl" || !strings.Contains(err.Error(), "foo postinst") {
		t.Fatalf("CheckScript: %v, want missing /usr/bin/perl", err)
	}
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: perl, Args: PostinstConfigure("")})
	if !errors.As(err, &me) || res.StartError == nil {
		t.Fatalf("Run: %v, want missing /usr/bin/perl", err)
	}
	if err := CheckScript(root, false, perl, "foo postinst"); err != nil && !errors.As(err, &me) {
		t.Fatalf("chrootless CheckScript: %v", err)
	}
	if _, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: outside, Args: PostinstConfigure("")}); err == nil ||
		!strings.Contains(err.Error(), "not inside root") {
		t.Fatalf("Run outside the root: %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a refused script ran")
	}
	if !bytes.Equal(nil, res.Output) {
		t.Fatalf("refused script has output %q", res.Output)
	}
}
