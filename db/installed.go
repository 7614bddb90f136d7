package db

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"aim/deb"
)

// InstalledPackage is a package installed under the root: either one aim
// installed (stored in the database) or one dpkg installed (read from its
// status file, FromDpkg set).
type InstalledPackage struct {
	Name         string
	Version      deb.Version
	Architecture string
	// Auto is true for a package installed only to satisfy a dependency
	// (autoremove may take it), false for one the user asked for.
	Auto bool
	// User is true for a user package (Section user/...): one the user may
	// remove. Always false for dpkg's packages.
	User bool
	// Origin is the name of the source the package came from; "" for a
	// local .deb file and for dpkg's packages.
	Origin string
	// InstalledAt is when aim installed (or last upgraded) the package,
	// to the second; zero for dpkg's packages.
	InstalledAt time.Time
	// Control is the package's full control paragraph (for dpkg's packages
	// its status paragraph); nil when none was stored.
	Control *deb.Paragraph
	// FromDpkg is true for a package read from dpkg's status file: a system
	// package aim never removes and whose files it never overwrites.
	FromDpkg bool
	// DpkgState is dpkg's state word for a FromDpkg package ("installed",
	// "unpacked", ...; see ReadDpkgStatus). For aim's own packages the
	// database leaves it ""; install.LoadInstalled sets the state aim keeps
	// for a package whose configuration is pending ("half-configured",
	// "triggers-pending").
	DpkgState string
}

// Configured reports whether the package is fully installed: always for
// aim's packages; for dpkg's, unless dpkg left it unpacked, half-installed
// or half-configured.
func (p *InstalledPackage) Configured() bool {
	switch p.DpkgState {
	case "unpacked", "half-installed", "half-configured":
		return false
	}
	return true
}

const installedColumns = `name, version, architecture, auto, user, origin, installed_at, control`

// ErrAmbiguous is wrapped by the error a lookup gives when it names a
// package without an architecture and aim has installed that package for
// several architectures (the instances of a Multi-Arch: same package).
var ErrAmbiguous = errors.New("installed for several architectures: name one as name:arch")

// Installed returns the instance of the package called name installed for
// architecture arch (as aim stored it; dpkg's packages are not included),
// or an error wrapping ErrNotFound. An empty arch means the package's only
// instance, whatever its architecture; when there are several the error
// wraps ErrAmbiguous.
func (s *store) Installed(name, arch string) (*InstalledPackage, error) {
	if arch != "" {
		row := s.queryRow(`SELECT `+installedColumns+` FROM installed WHERE name = ? AND architecture = ?`, name, arch)
		p, err := scanInstalled(row)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("installed package %s: %w", instanceName(name, arch), ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("installed package %s: %w", instanceName(name, arch), err)
		}
		return p, nil
	}
	all, err := s.Instances(name)
	if err != nil {
		return nil, err
	}
	switch len(all) {
	case 0:
		return nil, fmt.Errorf("installed package %s: %w", name, ErrNotFound)
	case 1:
		return &all[0], nil
	}
	return nil, fmt.Errorf("installed package %s (%s): %w", name, archList(all), ErrAmbiguous)
}

// Instances returns every instance of the package called name that aim
// installed, sorted by architecture: none, one, or one per architecture
// of a Multi-Arch: same package.
func (s *store) Instances(name string) ([]InstalledPackage, error) {
	return s.installedWhere(`WHERE name = ? ORDER BY architecture`, name)
}

// InstalledPackages returns every package aim installed, sorted by name
// then architecture. It does not include dpkg's packages; see
// ReadDpkgStatus.
func (s *store) InstalledPackages() ([]InstalledPackage, error) {
	return s.installedWhere(`ORDER BY name, architecture`)
}

func (s *store) installedWhere(where string, args ...any) ([]InstalledPackage, error) {
	rows, err := s.query(`SELECT `+installedColumns+` FROM installed `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("installed packages: %w", err)
	}
	defer rows.Close()
	var out []InstalledPackage
	for rows.Next() {
		p, err := scanInstalled(rows)
		if err != nil {
			return nil, fmt.Errorf("installed packages: %w", err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("installed packages: %w", err)
	}
	return out, nil
}

// archList is the architectures of instances, comma-separated.
func archList(pkgs []InstalledPackage) string {
	archs := make([]string, len(pkgs))
	for i, p := range pkgs {
		archs[i] = p.Architecture
	}
	return strings.Join(archs, ", ")
}

// instanceName is "name:arch", or name when arch is empty.
func instanceName(name, arch string) string {
	if arch == "" {
		return name
	}
	return name + ":" + arch
}

// PutInstalled records p as installed, replacing the row of the same name
// and architecture in place (its id, and so whatever references it,
// stays); instances of other architectures are left alone. A zero
// InstalledAt means now. Packages read from dpkg cannot be stored.
func (s *store) PutInstalled(p *InstalledPackage) error {
	if err := checkInstalled(p); err != nil {
		return err
	}
	at := p.InstalledAt
	if at.IsZero() {
		at = time.Now()
	}
	control := ""
	if p.Control != nil {
		control = p.Control.String()
	}
	_, err := s.exec(`INSERT INTO installed (`+installedColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name, architecture) DO UPDATE SET version = excluded.version,
			auto = excluded.auto, user = excluded.user, origin = excluded.origin,
			installed_at = excluded.installed_at, control = excluded.control`,
		p.Name, p.Version.String(), p.Architecture, p.Auto, p.User, p.Origin, at.Unix(), control)
	if err != nil {
		return fmt.Errorf("put installed package %s: %w", instanceName(p.Name, p.Architecture), err)
	}
	return nil
}

// MoveInstalled changes the architecture of the instance name:from to to,
// keeping its row (and so its files) and carrying its conffiles along, as
// an upgrade that changes a package's architecture (to or from all) does.
// It fails when there is no such instance or one of name:to exists.
func (s *store) MoveInstalled(name, from, to string) error {
	err := s.atomic(func(s *store) error {
		if err := deb.CheckArchName(to); err != nil {
			return err
		}
		res, err := s.exec(`UPDATE installed SET architecture = ? WHERE name = ? AND architecture = ?`, to, name, from)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(`DELETE FROM conffiles WHERE package = ? AND architecture = ?`, name, to); err != nil {
			return err
		}
		_, err = s.exec(`UPDATE conffiles SET architecture = ? WHERE package = ? AND architecture = ?`, to, name, from)
		return err
	})
	if err != nil {
		return fmt.Errorf("move installed package %s to %s: %w", instanceName(name, from), to, err)
	}
	return nil
}

func checkInstalled(p *InstalledPackage) error {
	if p.FromDpkg {
		return fmt.Errorf("put installed package %s: packages of dpkg are not stored", p.Name)
	}
	if err := deb.CheckPackageName(p.Name); err != nil {
		return fmt.Errorf("put installed package: %w", err)
	}
	if p.Version.IsZero() {
		return fmt.Errorf("put installed package %s: no version", p.Name)
	}
	if err := deb.CheckArchName(p.Architecture); err != nil {
		return fmt.Errorf("put installed package %s: %w", p.Name, err)
	}
	return nil
}

// DeleteInstalled forgets the instance of the package called name for
// architecture arch (its only instance when arch is empty); an error
// wrapping ErrNotFound when there is none, ErrAmbiguous when arch is
// empty and there are several. Its file list goes with it.
func (s *store) DeleteInstalled(name, arch string) error {
	err := s.atomic(func(s *store) error {
		id, _, err := s.packageID(name, arch)
		if err != nil {
			return err
		}
		_, err = s.exec(`DELETE FROM installed WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete installed package %s: %w", instanceName(name, arch), err)
	}
	return nil
}

// SetAuto marks the instance of name for arch (its only instance when
// arch is empty) as automatically installed (auto) or requested by the
// user (!auto); an error wrapping ErrNotFound when there is none.
func (s *store) SetAuto(name, arch string, auto bool) error {
	err := s.atomic(func(s *store) error {
		id, _, err := s.packageID(name, arch)
		if err != nil {
			return err
		}
		_, err = s.exec(`UPDATE installed SET auto = ? WHERE id = ?`, auto, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark %s: %w", instanceName(name, arch), err)
	}
	return nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanInstalled(sc scanner) (*InstalledPackage, error) {
	var p InstalledPackage
	var version, control string
	var at int64
	if err := sc.Scan(&p.Name, &version, &p.Architecture, &p.Auto, &p.User, &p.Origin, &at, &control); err != nil {
		return nil, err
	}
	v, err := deb.ParseVersionLax(version)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", p.Name, err)
	}
	p.Version, p.InstalledAt = v, time.Unix(at, 0)
	if control != "" {
		if p.Control, err = parseControl(control); err != nil {
			return nil, fmt.Errorf("package %s: control: %w", p.Name, err)
		}
	}
	return &p, nil
}

// readers recycles the buffers of parseControl: deb.NewParagraphReader
// wants at least 64 KiB of buffer, too much to allocate per row.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// parseControl parses a stored control paragraph: exactly one paragraph.
func parseControl(text string) (*deb.Paragraph, error) {
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(strings.NewReader(text))
	defer br.Reset(nil)
	r := deb.NewParagraphReader(br)
	p, err := r.Next()
	if err == nil {
		if _, err = r.Next(); err == io.EOF {
			return p, nil
		} else if err == nil {
			err = deb.ErrMultipleParagraphs
		}
	}
	if err == io.EOF {
		err = errors.New("empty paragraph")
	}
	return nil, err
}
