package install

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"aim/db"
	"aim/deb"
	"aim/hooks"
)

// spec describes a test package.
type spec struct {
	name, version string
	files         map[string]string // path -> contents
	scripts       map[string]string // name -> body (after #!/bin/sh)
	conffiles     []string
	fields        string // extra control lines
	arch          string // Architecture; all when empty
}

// fixture is a root with a database and an engine running scripts
// chrootless, logging every script call to log.
type fixture struct {
	t    *testing.T
	root string
	dir  string // where archives are built
	log  string
	d    *db.DB
	e    *Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{t: t, root: filepath.Join(base, "root"), dir: filepath.Join(base, "debs"), log: filepath.Join(base, "scripts.log")}
	os.MkdirAll(f.root, 0o755)
	os.MkdirAll(f.dir, 0o755)
	d, err := db.Open(f.root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	f.d = d
	f.e, err = New(f.root, d)
	if err != nil {
		t.Fatal(err)
	}
	f.e.Scripts, _ = hooks.NewRunner(f.root, true)
	return f
}

// logScript is a script body that records its name and arguments.
func (f *fixture) logScript(extra string) string {
	return fmt.Sprintf("echo \"$DPKG_MAINTSCRIPT_PACKAGE $DPKG_MAINTSCRIPT_NAME $*\" >> %s\n%s", f.log, extra)
}

// build writes the archive of s and returns its path.
func (f *fixture) build(s spec) string {
	f.t.Helper()
	m := fstest.MapFS{}
	arch := s.arch
	if arch == "" {
		arch = "all"
	}
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.org>\nDescription: test\n%s", s.name, s.version, arch, s.fields)
	m["DEBIAN/control"] = &fstest.MapFile{Data: []byte(control), Mode: 0o644}
	for p, c := range s.files {
		m[strings.TrimPrefix(p, "/")] = &fstest.MapFile{Data: []byte(c), Mode: 0o644}
	}
	for n, body := range s.scripts {
		mode := fs.FileMode(0o755)
		if n == "triggers" {
			m["DEBIAN/"+n] = &fstest.MapFile{Data: []byte(body), Mode: 0o644}
			continue
		}
		m["DEBIAN/"+n] = &fstest.MapFile{Data: []byte("#!/bin/sh\n" + body), Mode: mode}
	}
	if len(s.conffiles) > 0 {
		m["DEBIAN/conffiles"] = &fstest.MapFile{Data: []byte(strings.Join(s.conffiles, "\n") + "\n"), Mode: 0o644}
	}
	addDirs(m)
	file := s.name + "_" + s.version + ".deb"
	if s.arch != "" {
		file = s.name + "_" + s.version + "_" + s.arch + ".deb"
	}
	p := filepath.Join(f.dir, file)
	out, err := os.Create(p)
	if err != nil {
		f.t.Fatal(err)
	}
	defer out.Close()
	if _, err := deb.Build(m, out, deb.BuildOptions{}); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// run applies changes and returns the result and error.
func (f *fixture) run(purge bool, changes ...Change) (*Result, error) {
	t := NewTask("test", "", nil)
	return f.e.Run(context.Background(), t, &Transaction{Changes: changes, Purge: purge})
}

func (f *fixture) mustRun(changes ...Change) *Result {
	f.t.Helper()
	r, err := f.run(false, changes...)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) install(s spec) Change {
	return Change{Action: Install, Name: s.name, Version: s.version, Path: f.build(s)}
}

// scriptLog returns the script calls recorded so far and resets the log.
func (f *fixture) scriptLog() []string {
	data, _ := os.ReadFile(f.log)
	os.Remove(f.log)
	s := strings.TrimSpace(string(data))
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (f *fixture) read(p string) string {
	data, err := os.ReadFile(filepath.Join(f.root, p))
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(data)
}

// snapshot lists every path under the root but aim's state, with contents.
func (f *fixture) snapshot() string {
	var lines []string
	filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(f.root, p)
		if err != nil || rel == "var" || rel == "var/lib" || strings.HasPrefix(rel, "var/lib/aim") || strings.HasPrefix(rel, "var/log") || strings.HasPrefix(rel, "var/cache") {
			return nil
		}
		line := rel
		if d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			line += "=" + string(data)
		}
		lines = append(lines, line)
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// checkConsistent fails when verify finds a file problem or the journal
// is not empty (pending configuration is a state, checked by the tests
// that make it).
func (f *fixture) checkConsistent() {
	f.t.Helper()
	probs, err := Verify(f.root, f.e.Arch, f.d, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range probs {
		if p.Kind != ConffileChanged && p.Kind != NotConfigured {
			f.t.Errorf("verify: %s", p)
		}
	}
	if j, _ := f.d.Journal(); len(j) != 0 {
		f.t.Errorf("journal left: %+v", j)
	}
}

// addDirs gives every directory of m an explicit 0755 entry.
func addDirs(m fstest.MapFS) {
	for p := range m {
		for d := filepath.Dir(p); d != "."; d = filepath.Dir(d) {
			m[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		}
	}
}
