package main

import (
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/install"
	"aim/install/aimconf"
	"aim/repo"
	"aim/repo/installfile"
)

// settings reads the root's aim.conf, once per command: later calls
// return the same values.
func settings(e *env) (*aimconf.Settings, error) {
	if e.g.conf == nil {
		cfg, err := aimconf.Load(e.g.root)
		if err != nil {
			return nil, err
		}
		e.g.conf = cfg
	}
	return e.g.conf, nil
}

// nativeArch returns the architecture packages are chosen for: aim.conf's
// "architecture" setting, else the one aim was built for.
func nativeArch(cfg *aimconf.Settings) string {
	if cfg.Architecture != "" {
		return cfg.Architecture
	}
	return deb.HostArch()
}

// archLabel is how listings name a package: NAME for the native
// architecture and all, NAME:ARCH for a foreign one.
func archLabel(name, arch, native string) string {
	if arch == "" || arch == "all" || arch == native {
		return name
	}
	return name + ":" + arch
}

// splitArch splits "NAME:ARCH" (as the command line names a package of
// an architecture) into its parts; arch is "" without a colon.
func splitArch(s string) (name, arch string) {
	name, arch, _ = strings.Cut(s, ":")
	return name, arch
}

// foreignArchs returns the root's foreign architectures: aim.conf's
// foreign-architectures and dpkg's list (aimconf.Foreign).
func foreignArchs(e *env, cfg *aimconf.Settings) ([]string, error) {
	return aimconf.Foreign(e.g.root, cfg, nativeArch(cfg))
}

// distribution returns the device's distribution: aim.conf's
// "distribution", else installfile.DefaultDistribution.
func distribution(cfg *aimconf.Settings) string {
	if cfg.Distribution != "" {
		return cfg.Distribution
	}
	return installfile.DefaultDistribution
}

// openCache opens the available-package cache of the root.
func openCache(e *env) (*repo.Cache, error) {
	c, err := repo.OpenCache(filepath.Join(e.g.root, repo.CacheFile))
	if errors.Is(err, repo.ErrNoCache) {
		return nil, fmt.Errorf("no package lists under %s yet: run aim update", e.g.root)
	}
	if err == nil && c.Len() == 0 && len(c.Sources()) == 0 {
		c.Close()
		return nil, fmt.Errorf("no package lists under %s: no source has been updated successfully (see aim source list, then run aim update)", e.g.root)
	}
	return c, err
}

// installedIndex is what is installed below the root: aim's packages and
// dpkg's, by key (NAME, or NAME:ARCH for a foreign instance; see
// install.Key).
type installedIndex map[string]*db.InstalledPackage

// loadInstalled reads aim's installed packages (when a database exists)
// and dpkg's status file (when present).
func loadInstalled(e *env) (installedIndex, error) {
	d, err := install.OpenInstalledReader(e.g.root)
	return loadInstalledFrom(e, d, err)
}

// loadInstalledOf is loadInstalled for a caller that looks only at the
// packages called names (any architecture): it skips aim's database when
// the installed-names index says aim installed none of them
// (install.OpenInstalledReaderOf), and the index then lacks every other
// package aim installed.
func loadInstalledOf(e *env, names []string) (installedIndex, error) {
	d, err := install.OpenInstalledReaderOf(e.g.root, names)
	return loadInstalledFrom(e, d, err)
}

// packageNames returns the package names of args, each "NAME",
// "NAME:ARCH" or "NAME=VERSION".
func packageNames(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		name, _, _ := strings.Cut(a, "=")
		out[i], _ = splitArch(name)
	}
	return out
}

func loadInstalledFrom(e *env, d *db.DB, err error) (installedIndex, error) {
	if err != nil {
		return nil, err
	}
	if d != nil {
		defer d.Close()
	}
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	return install.LoadInstalled(e.g.root, nativeArch(cfg), d)
}

// of returns the installed instance of name that a build for arch would
// be: the foreign instance NAME:ARCH, else the package keyed NAME (the
// native or all one, or nil).
func (ix installedIndex) of(name, arch string) *db.InstalledPackage {
	if ip := ix[name+":"+arch]; ip != nil {
		return ip
	}
	return ix[name]
}

// names returns the installed packages' keys in order.
func (ix installedIndex) names() []string {
	out := make([]string, 0, len(ix))
	for n := range ix {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// candidate returns the version of name that an install would pick from
// the cache (install.Candidate).
func candidate(c *repo.Cache, name, arch string) (repo.Available, bool) {
	return install.Candidate(c, name, arch)
}

// priorityOf returns the highest priority among the sources offering a.
func priorityOf(c *repo.Cache, a repo.Available) int { return install.SourcePriority(c, a) }

// isTerminal reports whether v (a reader or writer) is an *os.File open on
// a terminal, or says it is one with an IsTerminal method (tests draw
// progress into such a fake terminal). A character device such as
// /dev/null is not one: the check asks the terminal driver, as isatty(3)
// does.
func isTerminal(v any) bool {
	if t, ok := v.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := v.(*os.File)
	if !ok || f == nil {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// stateWord is dpkg's word for an installed package's state: "installed",
// or what an interruption left ("half-configured", "unpacked",
// "triggers-pending", ...).
func stateWord(ip *db.InstalledPackage) string {
	if ip.DpkgState == "" {
		return "installed"
	}
	return ip.DpkgState
}
