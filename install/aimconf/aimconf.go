package aimconf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aim/deb"
	"aim/deb/rootfs"
	"aim/internal/keyvalue"
)

// File is aim's settings file below a root.
const File = rootfs.ConfigFile

// Settings are the values of aim.conf. A key the file does not set leaves
// its field zero; callers apply their defaults.
type Settings struct {
	// Architecture is the native architecture ("architecture").
	Architecture string
	// ForeignArchitectures are other architectures packages may be
	// installed for ("foreign-architectures", separated by blanks or
	// commas).
	ForeignArchitectures []string
	// Distribution is the device's distribution ("distribution"): what
	// $(DISTRIBUTION) in a source stands for and the dist .install files
	// are read for.
	Distribution string
	// InstallKey is the classic .install form's deb-line key
	// ("install-key").
	InstallKey string
	// PackageTrust is what a package installed through the service must
	// carry ("package-trust"): "store", "developer", "none", or "" when
	// unset. It is lower case.
	PackageTrust string
	// AcknowledgeTimeout is how long an installation waits for an
	// acknowledge ("acknowledge-timeout", a Go duration such as 10m; more
	// than zero when set).
	AcknowledgeTimeout time.Duration
	// DocumentsDir is the service's documents directory below the root
	// ("documents-dir").
	DocumentsDir string
	// DBusAllowUsers are the user names or uids that may change the system
	// over D-Bus ("dbus-allow-users", separated by blanks or commas).
	DBusAllowUsers []string
	// DBusAllowGroups are the group names or gids that may
	// ("dbus-allow-groups", separated by blanks or commas).
	DBusAllowGroups []string
}

// Error is a bad line or value of aim.conf.
type Error struct {
	File string // the file's path, or "" for Parse
	Line int
	Msg  string
}

// Error returns "FILE:LINE: MSG", or "LINE: MSG" without a file.
func (e *Error) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Load reads root's aim.conf. A missing file gives zero Settings; a bad
// line or value is an *Error naming the file and line.
func Load(root string) (*Settings, error) {
	path := filepath.Join(root, File)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Settings{}, nil
	}
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if e, ok := err.(*Error); ok {
		e.File = path
	}
	return s, err
}

// Parse parses the text of an aim.conf file. When a key is set twice the
// last value counts. Errors are *Error values without a file.
func Parse(data []byte) (*Settings, error) {
	s := &Settings{}
	err := keyvalue.Parse(data, s.set)
	if le := (*keyvalue.LineError)(nil); errors.As(err, &le) {
		return nil, &Error{Line: le.Line, Msg: le.Err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// set stores one key's value, checked.
func (s *Settings) set(key, v string) error {
	switch key {
	case "architecture":
		s.Architecture = v
	case "foreign-architectures":
		s.ForeignArchitectures = splitList(v)
		for _, a := range s.ForeignArchitectures {
			if err := checkForeign(a); err != nil {
				return fmt.Errorf("foreign-architectures = %q: %w", v, err)
			}
		}
	case "distribution":
		s.Distribution = v
	case "install-key":
		s.InstallKey = v
	case "package-trust":
		switch p := strings.ToLower(v); p {
		case "", "store", "developer", "none":
			s.PackageTrust = p
		default:
			return fmt.Errorf("package-trust = %q: want store, developer or none", v)
		}
	case "acknowledge-timeout":
		if v == "" {
			s.AcknowledgeTimeout = 0
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("acknowledge-timeout = %q: want a duration such as 10m", v)
		}
		s.AcknowledgeTimeout = d
	case "documents-dir":
		s.DocumentsDir = v
	case "dbus-allow-users":
		s.DBusAllowUsers = splitList(v)
	case "dbus-allow-groups":
		s.DBusAllowGroups = splitList(v)
	}
	return nil
}

// splitList splits a list value at commas and blanks.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// DpkgArchFile is dpkg's list of foreign architectures below a root (what
// dpkg --add-architecture writes), one a line; recent dpkg puts the
// native architecture first.
const DpkgArchFile = "var/lib/dpkg/arch"

// checkForeign checks one foreign architecture name: a name dpkg accepts
// that is not a wildcard or "all".
func checkForeign(a string) error {
	if err := deb.CheckArchName(a); err != nil {
		return err
	}
	switch a {
	case "all", "any", "native":
		return fmt.Errorf("%q is not an architecture packages are built for", a)
	}
	if strings.Contains(a, "-any") || strings.HasPrefix(a, "any-") {
		return fmt.Errorf("%q is a wildcard, not an architecture", a)
	}
	return nil
}

// Foreign returns the foreign architectures of root: aim.conf's
// foreign-architectures (s, which may be nil), then those of dpkg's
// DpkgArchFile below root, in that order, without native and without
// duplicates. A missing dpkg file adds none; a bad name in it is an
// *Error naming the file and line.
func Foreign(root string, s *Settings, native string) ([]string, error) {
	var out []string
	add := func(a string) {
		if a != native && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if s != nil {
		for _, a := range s.ForeignArchitectures {
			add(a)
		}
	}
	path := filepath.Join(root, DpkgArchFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for n, line := range strings.Split(string(data), "\n") {
		a := strings.TrimSpace(line)
		if a == "" {
			continue
		}
		if err := checkForeign(a); err != nil {
			return nil, &Error{File: path, Line: n + 1, Msg: err.Error()}
		}
		add(a)
	}
	return out, nil
}
