package install

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"aim/db"
	"aim/hooks"
)

// A package removed without purging keeps its conffiles on disk, their
// rows in the conffiles table, and its postrm as InfoDir/PKG.postrm:
// dpkg's "config-files" state, which a package with a postrm and no
// conffiles (bc) enters too. The database has no column for the removed
// version, so the engine keeps it in the meta table under
// configFilesKey+PKG, which marks the state with the conffiles rows. The
// key is written in the commit that removes the package and deleted in
// the commit that purges or installs it again.
const configFilesKey = "config-files:"

// ConfigFiles reports whether the package called name is in the
// config-files state (not installed by aim, conffiles left behind) and,
// when it is, the version that was removed ("" when unknown) and the
// conffiles left, sorted.
func ConfigFiles(d *db.DB, name string) (version string, conffiles []string, err error) {
	if _, err := d.Installed(name, ""); err == nil || errors.Is(err, db.ErrAmbiguous) {
		return "", nil, nil
	} else if !errors.Is(err, db.ErrNotFound) {
		return "", nil, err
	}
	conf, err := d.Conffiles(name, "")
	if err != nil {
		return "", nil, err
	}
	for p := range conf {
		conffiles = append(conffiles, p)
	}
	sort.Strings(conffiles)
	version, err = d.Meta(configFilesKey + name)
	if errors.Is(err, db.ErrNotFound) {
		err = nil
	}
	if len(conffiles) == 0 && version == "" {
		return "", nil, err
	}
	return version, conffiles, err
}

// loadConfigFiles fills a Purge step, or an Install step of a package in
// the config-files state, from what the removal left behind.
func (x *txn) loadConfigFiles(s *step) error {
	v, conf, err := ConfigFiles(x.e.DB, s.c.Name)
	if err != nil {
		return err
	}
	s.cfgVersion = v
	if s.c.Action != Purge {
		return nil
	}
	if len(conf) == 0 && v == "" {
		return fmt.Errorf("purge %s: not installed and no configuration files left", s.c.Name)
	}
	dirs := map[string]bool{}
	for _, p := range conf {
		s.oldFiles = append(s.oldFiles, db.File{Path: p, Type: 'f', Conffile: true})
		// The conffile's directories (never a top-level one such as
		// /etc) go too once empty and listed by no package, aim's or
		// dpkg's: purging perl removes /etc/perl/Net and /etc/perl.
		for dir := path.Dir(p); strings.Count(dir, "/") >= 2; dir = path.Dir(dir) {
			dirs[dir] = true
		}
	}
	for dir := range dirs {
		s.oldFiles = append(s.oldFiles, db.File{Path: dir, Type: 'd'})
	}
	return nil
}

// purge deletes the conffiles a removed package left and runs its kept
// postrm with "purge".
func (x *txn) purge(s *step) error {
	s.dirs = dirsOf(x.e.Root, s.oldFiles)
	if err := x.saveUnwind(s); err != nil {
		return err
	}
	s.removed = true
	for _, f := range s.oldFiles {
		if f.Type == 'd' {
			continue
		}
		if err := moveAway(x.e.Root, f.Path); err != nil {
			return fmt.Errorf("purge %s: %w", s.c.Name, err)
		}
	}
	return x.script(s.c.Name, s.arch, "postrm", x.infoPath(s.key, "postrm"), hooks.PostrmPurge())
}

// recordConfigFilesState updates the config-files state of p's package
// in the commit: set when a removal leaves conffiles or a postrm (whose
// purge must still run), cleared otherwise.
func recordConfigFilesState(tx *db.Tx, p pendingStep, purge bool) error {
	key := configFilesKey + p.Name
	if p.Action != Remove || purge {
		return tx.DeleteMeta(key)
	}
	conf, err := tx.Conffiles(p.Name, p.Arch)
	if err != nil || len(conf) == 0 && !p.Postrm {
		return err
	}
	return tx.SetMeta(key, p.OldVersion)
}

// ConfigFilesPackages returns the packages in the config-files state
// (removed, their conffiles or postrm left for a purge), name → the
// version removed.
func ConfigFilesPackages(d *db.DB) (map[string]string, error) {
	m, err := d.MetaWithPrefix(configFilesKey)
	if err != nil {
		return nil, err
	}
	for name := range m {
		if _, err := d.Installed(name, ""); err == nil || errors.Is(err, db.ErrAmbiguous) {
			delete(m, name) // installed again; the key is stale
		} else if !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
	}
	return m, nil
}
