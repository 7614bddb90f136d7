package db

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"aim/deb"
)

// DpkgUpdatesPath is the directory of dpkg's journal: records written
// since the status file was last rewritten, applied on top of it.
const DpkgUpdatesPath = "var/lib/dpkg/updates"

// StatusError reports a malformed entry of dpkg's status file (or of one
// of its journal files) at a line.
type StatusError struct {
	Path string
	Line int
	Err  error
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *StatusError) Unwrap() error { return e.Err }

// ReadDpkgStatus returns the packages dpkg has installed under root, read
// from var/lib/dpkg/status and the journal in var/lib/dpkg/updates (in
// numeric order, as dpkg applies it), sorted by name then architecture.
// Without a status file it returns an empty list and no error. Every
// package has FromDpkg set: it is a system package that aim never removes
// and whose files it never overwrites.
//
// Which states count as installed: as in apt, every package dpkg has a
// current version of, that is every state but not-installed and
// config-files. So unpacked, half-installed and half-configured packages
// are included (their files are on disk, and apt too lets them satisfy
// dependencies while reporting them broken), as are triggers-awaited and
// triggers-pending ones (configured; dpkg itself counts them as
// installed). DpkgState gives the state and Configured tells the first
// group apart, so a caller can warn that dpkg needs `dpkg --configure -a`.
//
// A malformed file yields a *StatusError with the file and line.
func ReadDpkgStatus(root string) ([]InstalledPackage, error) {
	if root == "" {
		root = "/"
	}
	path := filepath.Join(root, DpkgStatusPath)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read dpkg status: %w", err)
	}
	defer f.Close()
	set := make(dpkgSet)
	if err := set.read(f, path); err != nil {
		return nil, err
	}
	if err := set.readUpdates(filepath.Join(root, DpkgUpdatesPath)); err != nil {
		return nil, err
	}
	return set.sorted(), nil
}

// dpkgSet holds the installed packages by "name:arch".
type dpkgSet map[string]InstalledPackage

// read adds or replaces the packages of one file; an entry in a state that
// is not installed removes the package.
func (set dpkgSet) read(r io.Reader, path string) error {
	pr := deb.NewParagraphReader(r)
	seen := make(map[string]bool)
	for {
		p, err := pr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return statusReadError(path, err)
		}
		pkg, installed, err := dpkgPackage(p, path)
		if err != nil {
			return err
		}
		key := pkg.Name + ":" + pkg.Architecture
		if seen[key] {
			return &StatusError{Path: path, Line: p.Line, Err: fmt.Errorf("package %s listed twice", key)}
		}
		seen[key] = true
		if installed {
			set[key] = pkg
		} else {
			delete(set, key)
		}
	}
}

func statusReadError(path string, err error) error {
	var se *deb.SyntaxError
	if errors.As(err, &se) {
		return &StatusError{Path: path, Line: se.Line, Err: errors.New(se.Msg)}
	}
	return fmt.Errorf("read %s: %w", path, err)
}

// readUpdates applies dpkg's journal: the files of dir whose names are all
// digits, in numeric order.
func (set dpkgSet) readUpdates(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read dpkg journal: %w", err)
	}
	type journal struct {
		n    int
		name string
	}
	var files []journal
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && isDigits(e.Name()) && e.Type().IsRegular() {
			files = append(files, journal{n, e.Name()})
		}
	}
	slices.SortFunc(files, func(a, b journal) int { return a.n - b.n })
	for _, f := range files {
		if err := set.readFile(filepath.Join(dir, f.name)); err != nil {
			return err
		}
	}
	return nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func (set dpkgSet) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read dpkg journal: %w", err)
	}
	defer f.Close()
	return set.read(f, path)
}

func (set dpkgSet) sorted() []InstalledPackage {
	out := make([]InstalledPackage, 0, len(set))
	for _, p := range set {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b InstalledPackage) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Architecture, b.Architecture)
	})
	return out
}

// dpkgPackage decodes one status entry and reports whether its state
// counts as installed. Errors are *StatusError.
func dpkgPackage(p *deb.Paragraph, path string) (InstalledPackage, bool, error) {
	fail := func(field string, format string, args ...any) (InstalledPackage, bool, error) {
		return InstalledPackage{}, false, &StatusError{Path: path, Line: fieldLine(p, field), Err: fmt.Errorf(format, args...)}
	}
	id := deb.IdentityOf(p)
	name := id.Package
	if err := deb.CheckPackageName(name); err != nil {
		return fail("Package", "%w", err)
	}
	state, err := parseDpkgStatus(p.Get("Status"))
	if err != nil {
		return fail("Status", "package %s: %w", name, err)
	}
	arch := id.Architecture
	if arch != "" {
		if err := deb.CheckArchName(arch); err != nil {
			return fail("Architecture", "package %s: %w", name, err)
		}
	}
	pkg := InstalledPackage{Name: name, Architecture: arch, Control: p, FromDpkg: true, DpkgState: state}
	if state == "not-installed" || state == "config-files" {
		return pkg, false, nil
	}
	// An empty Version is malformed, an absent one missing: look it up.
	v, ok := p.Lookup("Version")
	if !ok {
		return fail("Package", "package %s: missing Version field", name)
	}
	if pkg.Version, err = deb.ParseVersionLax(v); err != nil {
		return fail("Version", "package %s: %w", name, err)
	}
	return pkg, true, nil
}

var (
	dpkgWants  = []string{"unknown", "install", "hold", "deinstall", "purge"}
	dpkgEflags = []string{"ok", "reinstreq", "hold", "hold-reinstreq"}
	dpkgStates = []string{"not-installed", "config-files", "half-installed", "unpacked",
		"half-configured", "triggers-awaited", "triggers-pending", "installed"}
)

// parseDpkgStatus checks a Status value ("want eflag state", as dpkg's
// lib/dpkg/parse.c reads it) and returns its state word.
func parseDpkgStatus(s string) (string, error) {
	w := strings.Fields(s)
	switch {
	case len(w) == 0:
		return "", errors.New("missing Status field")
	case len(w) != 3:
		return "", fmt.Errorf("invalid Status %q: want three words (selection, flag, state)", s)
	case !slices.Contains(dpkgWants, w[0]):
		return "", fmt.Errorf("invalid Status %q: unknown selection %q", s, w[0])
	case !slices.Contains(dpkgEflags, w[1]):
		return "", fmt.Errorf("invalid Status %q: unknown flag %q", s, w[1])
	case !slices.Contains(dpkgStates, w[2]):
		return "", fmt.Errorf("invalid Status %q: unknown state %q", s, w[2])
	}
	return w[2], nil
}

// fieldLine returns the line of the field called name in p's input (the
// paragraph's first line when absent). Each field takes one line plus one
// per continuation line, and a status file allows no comments in between.
func fieldLine(p *deb.Paragraph, name string) int {
	line := p.Line
	for _, f := range p.Fields {
		if strings.EqualFold(f.Name, name) {
			return line
		}
		line += 1 + strings.Count(f.Value, "\n")
	}
	return p.Line
}
