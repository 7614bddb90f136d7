package repo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ConfigFile is aim's settings file below a root.
const ConfigFile = "etc/aim/aim.conf"

// Config holds the settings of etc/aim/aim.conf: "key = value" lines,
// "#" comments and blank lines. Keys are case-insensitive.
type Config struct {
	values map[string]string
}

// LoadConfig reads root's aim.conf; a missing file gives empty settings.
// A line without "=" is an error naming the file and line.
func LoadConfig(root string) (*Config, error) {
	path := filepath.Join(root, ConfigFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Config{values: map[string]string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return c, nil
}

// ParseConfig parses the text of an aim.conf file. Errors start with the
// line number ("3: ...").
func ParseConfig(data []byte) (*Config, error) {
	c := &Config{values: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%d: want \"key = value\", got %q", n, line)
		}
		c.values[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return c, sc.Err()
}

// Get returns the value of key, or def when it is not set.
func (c *Config) Get(key, def string) string {
	if v, ok := c.values[strings.ToLower(key)]; ok {
		return v
	}
	return def
}
