package publish

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"aim/deb"
	"aim/deb/rootfs"
	"aim/internal/keyvalue"
	"aim/repo/sources"
)

// Files of a maintainer's repository directory that are never served.
const (
	// ConfigFile holds the repository's settings (key = value).
	ConfigFile = "aim-repo.conf"
	// StateDir holds the package database, one file per dist and
	// component, and the publisher's history.
	StateDir = "aim-repo.state"
	// MirrorsDir, below StateDir, holds the mirrors of repo/mirror.
	MirrorsDir = "mirrors"
	// UploadsDir, below StateDir, holds what each object storage target
	// was sent (repo/objstore).
	UploadsDir = "objstore"
)

// Settings are a repository's settings as aim-repo.conf holds them.
type Settings struct {
	// Dists are the distributions (suites) the repository publishes; the
	// first is the default of add, remove and list.
	Dists []string
	// Components of every dist; the first is the default of add. A flat
	// repository has one, which names its pool directory only.
	Components []string
	// Architectures every dist indexes; packages of architecture all are
	// listed in each.
	Architectures []string
	// Origin, Label and Description are copied into every Release.
	Origin, Label, Description string
	// Flat repositories keep Release, InRelease and Packages at their
	// top, for "deb URI ./" sources.
	Flat bool
	// Catalogue names the repository in .install files ("repository"
	// when empty).
	Catalogue string
}

// reservedStateNames are the directories of StateDir that are not a
// dist's package database: snapshots, published sets, mirrors and the
// object storage records.
var reservedStateNames = map[string]bool{snapshotsDir: true, publishedDir: true, MirrorsDir: true, UploadsDir: true}

// ParseSettings parses the text of aim-repo.conf. It refuses settings
// without a dist, a component or an architecture, and names that could
// not appear in a sources.list entry.
func ParseSettings(data []byte) (*Settings, error) {
	c, err := parseKeyValues(data)
	if err != nil {
		return nil, err
	}
	s := &Settings{
		Dists:         strings.Fields(c.Get("dists", "")),
		Components:    strings.Fields(c.Get("components", "main")),
		Architectures: strings.Fields(c.Get("architectures", deb.HostArch())),
		Origin:        c.Get("origin", ""),
		Label:         c.Get("label", ""),
		Description:   c.Get("description", ""),
		Catalogue:     c.Get("catalogue", ""),
	}
	switch f := strings.ToLower(c.Get("flat", "no")); f {
	case "yes", "true":
		s.Flat = true
	case "no", "false":
	default:
		return nil, fmt.Errorf("flat: want yes or no, got %q", f)
	}
	return s, s.check()
}

// check refuses settings a Release or sources.list could not carry.
func (s *Settings) check() error {
	if len(s.Dists) == 0 || len(s.Components) == 0 || len(s.Architectures) == 0 {
		return errors.New("settings need a dist, a component and an architecture")
	}
	if s.Flat && len(s.Dists) > 1 {
		return errors.New("a flat repository has one dist")
	}
	for _, d := range s.Dists {
		if err := sources.CheckWord("dist", d, false); err != nil {
			return err
		}
		if reservedStateNames[d] {
			return fmt.Errorf("dist %q: the name is reserved for the repository's state", d)
		}
	}
	for _, c := range s.Components {
		if strings.Contains(c, "/") {
			return fmt.Errorf("component %q: no \"/\" allowed", c)
		}
		if err := sources.CheckWord("component", c, false); err != nil {
			return err
		}
	}
	for _, a := range s.Architectures {
		if err := deb.CheckArchName(a); err != nil || a == "all" || a == "any" {
			return fmt.Errorf("architecture %q: not a concrete architecture name", a)
		}
	}
	return nil
}

// Bytes returns the settings as aim-repo.conf text.
func (s *Settings) Bytes() []byte {
	var b strings.Builder
	b.WriteString("# aim repository settings (aim repo init); this file is never served\n")
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s = %s\n", k, v)
		}
	}
	line("dists", strings.Join(s.Dists, " "))
	line("components", strings.Join(s.Components, " "))
	line("architectures", strings.Join(s.Architectures, " "))
	line("origin", s.Origin)
	line("label", s.Label)
	line("description", s.Description)
	line("catalogue", s.Catalogue)
	if s.Flat {
		line("flat", "yes")
	}
	return []byte(b.String())
}

// merge adds what other names to s: dists, components and architectures
// s lacks, and the texts other sets.
func (s *Settings) merge(other *Settings) error {
	if s.Flat != other.Flat {
		return errors.New("cannot change a repository between flat and dists form")
	}
	add := func(to *[]string, from []string) {
		for _, v := range from {
			if !slices.Contains(*to, v) {
				*to = append(*to, v)
			}
		}
	}
	add(&s.Dists, other.Dists)
	add(&s.Components, other.Components)
	add(&s.Architectures, other.Architectures)
	for _, p := range [][2]*string{{&s.Origin, &other.Origin}, {&s.Label, &other.Label},
		{&s.Description, &other.Description}, {&s.Catalogue, &other.Catalogue}} {
		if *p[1] != "" {
			*p[0] = *p[1]
		}
	}
	return s.check()
}

// Init creates the repository directory dir with settings s, or adds
// to an existing one s's dists, components and architectures (and takes
// its non-empty texts). It writes only aim-repo.conf and the state
// directory; nothing is published until Publish.
func Init(dir string, s Settings) (*Settings, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, StateDir), 0o755); err != nil {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	path := filepath.Join(dir, ConfigFile)
	if data, err := os.ReadFile(path); err == nil {
		old, err := ParseSettings(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := old.merge(&s); err != nil {
			return nil, fmt.Errorf("init %s: %w", dir, err)
		}
		s = *old
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	if err := rootfs.WriteFile(path, s.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &s, nil
}

// Repo is a maintainer's repository directory opened for changes:
// its settings are read and an exclusive lock is held until Close, so two
// aim processes never change one repository at once.
type Repo struct {
	Dir      string
	Settings Settings
	lock     *os.File
	// fault, when set (by tests), is asked before each change Publish
	// makes; an error stops the publish there (see step).
	fault func(step string) error
}

// Open reads dir's settings and locks the repository. It fails
// without waiting when another process holds the lock.
func Open(dir string) (*Repo, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is not an aim repository (no %s; see aim repo init)", dir, ConfigFile)
	}
	if err != nil {
		return nil, err
	}
	s, err := ParseSettings(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, StateDir), 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, StateDir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("repository %s is locked by another process: %w", dir, err)
	}
	return &Repo{Dir: dir, Settings: *s, lock: lock}, nil
}

// Close releases the repository's lock.
func (r *Repo) Close() error {
	if r.lock == nil {
		return nil
	}
	err := r.lock.Close()
	r.lock = nil
	return err
}

// dist returns d, or the default dist when d is empty, and refuses a dist
// the settings do not name.
func (r *Repo) dist(d string) (string, error) {
	if d == "" {
		return r.Settings.Dists[0], nil
	}
	if !slices.Contains(r.Settings.Dists, d) {
		return "", fmt.Errorf("dist %q is not one of the repository's (%s); add it with aim repo init", d, strings.Join(r.Settings.Dists, " "))
	}
	return d, nil
}

// component is dist for components.
func (r *Repo) component(c string) (string, error) {
	if c == "" {
		return r.Settings.Components[0], nil
	}
	if !slices.Contains(r.Settings.Components, c) {
		return "", fmt.Errorf("component %q is not one of the repository's (%s); add it with aim repo init", c, strings.Join(r.Settings.Components, " "))
	}
	return c, nil
}

// stateFile is where the packages of dist and component are recorded.
func (r *Repo) stateFile(dist, component string) string {
	return setFile(filepath.Join(r.Dir, StateDir), dist, component)
}

// setFile is where a package set kept in the directory base (the live
// database, a snapshot or a published set) records dist and component.
func setFile(base, dist, component string) string {
	return filepath.Join(base, url.PathEscape(dist), component+".packages")
}

// distDir is the directory below Dir holding dist's Release.
func (r *Repo) distDir(dist string) string {
	if r.Settings.Flat {
		return ""
	}
	return "dists/" + dist
}

// keyValues are the "key = value" settings of aim-repo.conf, keys in
// lower case.
type keyValues map[string]string

// parseKeyValues reads "key = value" lines, "#" comments and blank lines;
// keys are case-insensitive. Errors start with the line number ("3: ...").
func parseKeyValues(data []byte) (keyValues, error) {
	c := keyValues{}
	err := keyvalue.Parse(data, func(k, v string) error {
		c[k] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns the value of key, or def when it is not set.
func (c keyValues) Get(key, def string) string {
	if v, ok := c[strings.ToLower(key)]; ok {
		return v
	}
	return def
}
