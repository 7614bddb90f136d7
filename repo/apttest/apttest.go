// Package apttest runs the real apt-get in a sandbox of its own for
// interop tests: its sources.list, lists, cache and (empty) dpkg status
// live in a temporary directory, so the system's apt is never touched.
package apttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Sandbox is an apt-get with a sources.list of its own.
type Sandbox struct {
	// Dir holds the sandbox's files.
	Dir  string
	opts []string
}

// New makes a sandbox whose sources.list is sourceLine, for amd64. It
// skips the test when apt-get is not installed.
func New(t testing.TB, sourceLine string) *Sandbox {
	t.Helper()
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get not installed")
	}
	a := &Sandbox{Dir: t.TempDir()}
	for _, d := range []string{"lists/partial", "cache/archives/partial", "parts", "etc"} {
		os.MkdirAll(filepath.Join(a.Dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(a.Dir, "status"), nil, 0o644)
	os.WriteFile(filepath.Join(a.Dir, "sources.list"), []byte(sourceLine+"\n"), 0o644)
	a.opts = []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(a.Dir, "sources.list"),
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(a.Dir, "parts"),
		"-o", "Dir::Etc::Trusted=" + filepath.Join(a.Dir, "etc/trusted.gpg"),
		"-o", "Dir::Etc::TrustedParts=" + filepath.Join(a.Dir, "parts"),
		"-o", "Dir::Etc::Preferences=" + filepath.Join(a.Dir, "etc/preferences"),
		"-o", "Dir::Etc::PreferencesParts=" + filepath.Join(a.Dir, "parts"),
		"-o", "Dir::State::Lists=" + filepath.Join(a.Dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(a.Dir, "cache"),
		"-o", "Dir::State::status=" + filepath.Join(a.Dir, "status"),
		"-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
		"-o", "APT::Architecture=amd64", "-o", "APT::Architectures=amd64",
		"-o", "Acquire::Languages=none", "-o", "Acquire::Retries=0",
		"-o", "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false",
		"-o", "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false",
		"-o", "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false",
		"-o", "Acquire::IndexTargets::deb::CNF::DefaultEnabled=false",
	}
	return a
}

// Run runs apt-get with args in dir and returns its output and error.
func (a *Sandbox) Run(dir string, args ...string) (string, error) {
	cmd := exec.Command("apt-get", append(a.opts, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Update runs apt-get update from scratch and reports whether apt
// accepted every source without an error or warning.
func (a *Sandbox) Update() (string, bool) {
	os.RemoveAll(filepath.Join(a.Dir, "lists"))
	os.MkdirAll(filepath.Join(a.Dir, "lists/partial"), 0o755)
	out, err := a.Run(a.Dir, "update")
	return out, err == nil && !strings.Contains(out, "\nW:") && !strings.Contains(out, "\nE:") && !strings.HasPrefix(out, "E:")
}
