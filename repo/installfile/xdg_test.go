package installfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// xdgTools are what the desktop check runs: xdg-utils, shared-mime-info,
// desktop-file-utils, and mimetype from libfile-mimeinfo-perl, without
// which xdg-mime asks file(1) and never sees the MIME database.
var xdgTools = []string{"xdg-mime", "update-mime-database", "update-desktop-database", "mimetype"}

// xdgEnv is a desktop-less environment whose XDG directories are below
// home: nothing reads or writes the real user's (or the system's) files,
// and no make variables of an outer make leak into contrib's Makefile.
func xdgEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "XDG_"), k == "HOME", k == "DISPLAY", k == "WAYLAND_DISPLAY",
			k == "DBUS_SESSION_BUS_ADDRESS", k == "DESKTOP_SESSION", k == "KDE_FULL_SESSION",
			k == "GNOME_DESKTOP_SESSION_ID", k == "MATE_DESKTOP_SESSION_ID", k == "BROWSER",
			k == "MAKEFLAGS", k == "MFLAGS", k == "MAKELEVEL", k == "DESTDIR", k == "PREFIX":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home,
		"XDG_DATA_HOME="+filepath.Join(home, ".local/share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
}

// xdgRun runs a command in env and returns its trimmed standard output.
func xdgRun(t *testing.T, env []string, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
	}
	return strings.TrimSpace(string(out))
}

// checkOpensWithAim asks xdg-mime what a .install file is and which
// application opens it.
func checkOpensWithAim(t *testing.T, env []string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "hello.install")
	data, err := os.ReadFile("../../testdata/install/classic.install")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := xdgRun(t, env, "", "xdg-mime", "query", "filetype", file); got != "application/x-install-instructions" {
		t.Errorf("xdg-mime query filetype = %q", got)
	}
	if got := xdgRun(t, env, "", "xdg-mime", "query", "default", "application/x-install-instructions"); got != "aim-install.desktop" {
		t.Errorf("xdg-mime query default = %q", got)
	}
}

// TestContribOpensWithAim installs contrib's MIME type and desktop entry
// into a temporary home, by hand and with "make install-desktop", and
// checks with the real xdg-mime that a .install file opens with aim.
// Skipped where the desktop tools are not installed.
func TestContribOpensWithAim(t *testing.T) {
	for _, tool := range xdgTools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (xdg-utils shared-mime-info desktop-file-utils libfile-mimeinfo-perl)", tool)
		}
	}
	t.Run("by hand", func(t *testing.T) {
		home := t.TempDir()
		env := xdgEnv(home)
		mime := filepath.Join(home, ".local/share/mime")
		apps := filepath.Join(home, ".local/share/applications")
		copyFile(t, "../../contrib/x-install-instructions.xml", filepath.Join(mime, "packages/x-install-instructions.xml"))
		copyFile(t, "../../contrib/aim-install.desktop", filepath.Join(apps, "aim-install.desktop"))
		xdgRun(t, env, "", "update-mime-database", mime)
		xdgRun(t, env, "", "update-desktop-database", apps)
		xdgRun(t, env, "", "xdg-mime", "default", "aim-install.desktop", "application/x-install-instructions")
		checkOpensWithAim(t, env)
	})
	t.Run("make install-desktop", func(t *testing.T) {
		if _, err := exec.LookPath("make"); err != nil {
			t.Skip("make not installed")
		}
		home := t.TempDir()
		env := xdgEnv(home)
		xdgRun(t, env, "../../contrib", "make", "--no-print-directory", "-s", "install-desktop")
		if _, err := os.Stat(filepath.Join(home, ".local/share/applications/aim-install.desktop")); err != nil {
			t.Errorf("desktop entry not installed: %v", err)
		}
		checkOpensWithAim(t, env)
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
