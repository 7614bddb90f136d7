package mirror

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"aim/deb"
	"aim/internal/keyvalue"
	"aim/repo/publish"
	"aim/repo/sources"
)

// Config is a mirror's settings.
type Config struct {
	Name string `json:"name"`
	// URL is the upstream repository's base URL (http, https or file).
	URL        string   `json:"url"`
	Suite      string   `json:"suite"`
	Components []string `json:"components"`
	// Architectures are those mirrored; the repository's when empty.
	Architectures []string `json:"architectures"`
	// Filter names the packages kept, as a relation field ("a, b (>= 2)");
	// every package when empty.
	Filter string `json:"filter,omitempty"`
	// WithDeps adds what the filtered packages need, for each
	// architecture.
	WithDeps bool `json:"withDeps"`
	// Dist and Component of the repository the packages go to (the
	// repository's first when empty).
	Dist      string `json:"dist,omitempty"`
	Component string `json:"component,omitempty"`
}

const (
	configFile  = "mirror.conf"
	keyringFile = "keyring.gpg"
	addedFile   = "added"
)

// ErrNoMirror is returned for a mirror name the repository has not.
var ErrNoMirror = errors.New("no such mirror")

// Dir is where the repository keeps the mirror name: its settings, its
// keyring, its private root with the verified upstream indexes, and the
// list of packages it added.
func Dir(r *publish.Repo, name string) string {
	return filepath.Join(r.Dir, publish.StateDir, publish.MirrorsDir, name)
}

// check refuses settings that could not name a source or a package set.
func (c *Config) check() error {
	if err := publish.CheckSnapshotName(c.Name); err != nil {
		return fmt.Errorf("mirror name: %w", err)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || u.Scheme != "file" && u.Host == "" {
		return fmt.Errorf("mirror %s: URL %q: want http://, https:// or file://", c.Name, c.URL)
	}
	if err := sources.CheckWord("suite", c.Suite, false); err != nil {
		return fmt.Errorf("mirror %s: %w", c.Name, err)
	}
	if len(c.Components) == 0 {
		return fmt.Errorf("mirror %s: no component", c.Name)
	}
	for _, comp := range c.Components {
		if err := sources.CheckWord("component", comp, false); err != nil {
			return fmt.Errorf("mirror %s: %w", c.Name, err)
		}
	}
	for _, a := range c.Architectures {
		if err := deb.CheckArchName(a); err != nil || a == "all" || a == "any" {
			return fmt.Errorf("mirror %s: architecture %q: not a concrete architecture name", c.Name, a)
		}
	}
	if _, err := c.filter(); err != nil {
		return err
	}
	return nil
}

// filter parses Filter.
func (c *Config) filter() (deb.Relations, error) {
	if strings.TrimSpace(c.Filter) == "" {
		return nil, nil
	}
	rels, err := deb.ParseRelations(c.Filter)
	if err != nil {
		return nil, fmt.Errorf("mirror %s: filter %q: %w", c.Name, c.Filter, err)
	}
	return rels, nil
}

// bytes returns the settings as key = value lines.
func (c *Config) bytes() []byte {
	var b strings.Builder
	b.WriteString("# aim mirror settings (aim repo mirror create)\n")
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s = %s\n", k, v)
		}
	}
	line("url", c.URL)
	line("suite", c.Suite)
	line("components", strings.Join(c.Components, " "))
	line("architectures", strings.Join(c.Architectures, " "))
	line("filter", c.Filter)
	if c.WithDeps {
		line("with-deps", "yes")
	}
	line("dist", c.Dist)
	line("component", c.Component)
	return []byte(b.String())
}

// parseConfig reads the settings of mirror name.
func parseConfig(name string, data []byte) (*Config, error) {
	c := &Config{Name: name}
	if err := keyvalue.Parse(data, c.set); err != nil {
		return nil, fmt.Errorf("%s: %w", configFile, err)
	}
	return c, c.check()
}

// set stores one setting of mirror.conf.
func (c *Config) set(k, v string) error {
	switch k {
	case "url":
		c.URL = v
	case "suite":
		c.Suite = v
	case "components":
		c.Components = strings.Fields(v)
	case "architectures":
		c.Architectures = strings.Fields(v)
	case "filter":
		c.Filter = v
	case "with-deps":
		c.WithDeps = v == "yes"
	case "dist":
		c.Dist = v
	case "component":
		c.Component = v
	default:
		return fmt.Errorf("unknown setting %q", k)
	}
	return nil
}

// Create records a new mirror in r with the keyring (binary or armored
// OpenPGP keys) its Release must be signed by. Nothing is fetched until
// Update.
func Create(r *publish.Repo, c Config, keyring []byte) error {
	if len(c.Architectures) == 0 {
		c.Architectures = slices.Clone(r.Settings.Architectures)
	}
	if err := c.check(); err != nil {
		return err
	}
	if c.Dist != "" && !slices.Contains(r.Settings.Dists, c.Dist) {
		return fmt.Errorf("mirror %s: dist %q is not one of the repository's", c.Name, c.Dist)
	}
	if c.Component != "" && !slices.Contains(r.Settings.Components, c.Component) {
		return fmt.Errorf("mirror %s: component %q is not one of the repository's", c.Name, c.Component)
	}
	dir := Dir(r, c.Name)
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("mirror %s exists already", c.Name)
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, configFile), c.bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, keyringFile), keyring, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// Load reads the settings of mirror name.
func Load(r *publish.Repo, name string) (*Config, error) {
	if err := publish.CheckSnapshotName(name); err != nil {
		return nil, fmt.Errorf("mirror name: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(Dir(r, name), configFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("mirror %s: %w", name, ErrNoMirror)
	}
	if err != nil {
		return nil, err
	}
	return parseConfig(name, data)
}
