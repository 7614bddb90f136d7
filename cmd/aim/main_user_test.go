package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets a test run the command line in a process of its own
// (AIM_TEST_MAIN holds the arguments as JSON), for example as another
// user; with AIM_TEST_ARGV=1 the test binary is aim itself, taking its
// arguments as given (for scripts that call aim).
func TestMain(m *testing.M) {
	if os.Getenv("AIM_TEST_ARGV") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if args := os.Getenv("AIM_TEST_MAIN"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			os.Exit(99)
		}
		os.Exit(run(argv, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestOrdinaryUserIsToldAboutRoot runs aim install as the user nobody
// against a root owned by root: the error says that this needs root.
func TestOrdinaryUserIsToldAboutRoot(t *testing.T) {
	setpriv, err := exec.LookPath("setpriv")
	if os.Geteuid() != 0 || err != nil {
		t.Skip("needs root and setpriv to run as another user")
	}
	root := t.TempDir()
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Dir(root), 0o755)
	exe, _ := os.Executable()
	os.Chmod(exe, 0o755)
	args, _ := json.Marshal([]string{"--root", root, "install", "-y", "hello"})
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", exe)
	cmd.Env = append(os.Environ(), "AIM_TEST_MAIN="+string(args), "HOME=/")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs root") || !strings.HasPrefix(string(out), "aim: ") {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
}
