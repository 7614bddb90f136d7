package install

import (
	"errors"
	"fmt"
	"strings"

	"aim/db"
	"aim/policy"
	"aim/resolver"
)

// Kind is what a Request asks for.
type Kind string

// The kinds of request.
const (
	KindInstall    Kind = "install"
	KindRemove     Kind = "remove"
	KindPurge      Kind = "purge"
	KindUpgrade    Kind = "upgrade"
	KindAutoremove Kind = "autoremove"
	KindReinstall  Kind = "reinstall"
)

// Request is what a user or a caller of the service asks of the system.
type Request struct {
	Kind Kind
	// Names are NAME[=VERSION] for install, package names for remove,
	// purge and reinstall; upgrade and autoremove take none.
	Names []string
	// Locals are archives to install, offered beside the cache at a
	// priority above every source's; each becomes the want NAME=VERSION.
	Locals []LocalArchive
	// Options tune the policy's decision (recommends, downgrades).
	Options policy.Options
	// Purge (remove, autoremove; always for purge) also deletes the
	// conffiles of the removed packages and runs their postrm purge.
	Purge bool
}

// ParseRequest reads a request written as words: "install
// NAME[=VERSION]...", "remove NAME...", "purge NAME...", "reinstall
// NAME...", "upgrade" or "autoremove" (the service's plan() argument).
func ParseRequest(s string) (Request, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return Request{}, errors.New("empty request: want install, remove, purge, reinstall, upgrade or autoremove")
	}
	r := Request{Kind: Kind(f[0]), Names: f[1:]}
	switch r.Kind {
	case KindInstall, KindRemove, KindPurge, KindReinstall:
		if len(r.Names) == 0 {
			return Request{}, fmt.Errorf("request %s: name at least one package", f[0])
		}
	case KindUpgrade, KindAutoremove:
		if len(r.Names) > 0 {
			return Request{}, fmt.Errorf("request %s: takes no package names", f[0])
		}
	default:
		return Request{}, fmt.Errorf("request %q: want install, remove, purge, reinstall, upgrade or autoremove", f[0])
	}
	return r, r.Validate()
}

// Validate checks the names of an install request (NAME[=VERSION], with
// a valid name and version).
func (r Request) Validate() error {
	if r.Kind != KindInstall {
		return nil
	}
	_, err := r.wants()
	return err
}

// wants returns the install request's names and local archives as what
// policy installs. It is the one place names become wants.
func (r Request) wants() ([]policy.Want, error) {
	var out []policy.Want
	for _, n := range r.Names {
		w, err := policy.ParseWant(n)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	for _, l := range r.Locals {
		out = append(out, policy.Want{Name: l.Name(), Version: l.Version()})
	}
	return out, nil
}

// Decision is a decided request, ready to run: the transaction and what
// a caller shows before asking.
type Decision struct {
	Request Request
	// Outcome is the policy's decision; nil when the request needed none
	// (reinstall, or a purge of removed packages' leftovers only).
	Outcome *policy.Outcome
	// Tx is what Run applies.
	Tx *Transaction
	// Purges names the removed packages (config-files state) whose
	// leftovers the transaction purges; Reinstalls the packages installed
	// again at their version.
	Purges, Reinstalls []string
	// NothingToPurge names what a purge request named that is neither
	// installed nor in the config-files state; the rest is purged.
	NothingToPurge []string
	// Download is the bytes to fetch; Disk the change in disk use (bytes,
	// negative when space is freed).
	Download, Disk int64
	// Arch is the native architecture the decision was made for: listings
	// name packages of other architectures (but all) NAME:ARCH.
	Arch string
}

// Label returns how listings name q: NAME for the native architecture
// and all, NAME:ARCH for a foreign one.
func (d *Decision) Label(q *resolver.Package) string {
	if q.Arch == d.Arch || q.Arch == "all" || q.Arch == "" {
		return q.Name
	}
	return q.Name + ":" + q.Arch
}

// Empty reports whether the decision changes nothing.
func (d *Decision) Empty() bool { return len(d.Tx.Changes) == 0 }

// Decide loads the system (with the request's local archives) and
// decides the request on it. A refusal is the policy's error (a
// *resolver.ConflictError where a dependency conflict explains it).
// Removals need no package lists; the other kinds fail without them
// (ErrNoLists) unless local archives are given.
func (in *Installer) Decide(req Request) (*Decision, error) {
	needLists := req.Kind != KindRemove && req.Kind != KindPurge && req.Kind != KindAutoremove
	s, err := loadSystem(in.root, in.opts.Arch, in.opts.Foreign, in.db, needLists, req.Locals)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return in.DecideOn(s, req)
}

// DecideOn decides req on s, a system this Installer loaded (with the
// same local archives). The transaction is complete: running it needs
// neither s nor the cache.
func (in *Installer) DecideOn(s *System, req Request) (*Decision, error) {
	in.report(Notice{Kind: NoticeDecide, Request: req.Kind})
	d := &Decision{Request: req, Arch: in.opts.Arch, Tx: &Transaction{Purge: req.Purge || req.Kind == KindPurge}}
	var err error
	switch req.Kind {
	case KindReinstall:
		err = in.decideReinstall(s, d)
	case KindRemove, KindPurge, KindAutoremove:
		err = in.decideRemoval(s, d)
	default:
		err = in.decidePolicy(s, d, func(sys *policy.System) (*policy.Outcome, error) {
			if req.Kind == KindUpgrade {
				return policy.Upgrade(sys, req.Options)
			}
			if req.Kind != KindInstall {
				return nil, fmt.Errorf("request %q: want install, remove, purge, reinstall, upgrade or autoremove", req.Kind)
			}
			wants, err := req.wants()
			if err != nil {
				return nil, err
			}
			return policy.Install(sys, wants, req.Options)
		})
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// decidePolicy runs the policy's decision and turns its plan into d's
// transaction, sizes included.
func (in *Installer) decidePolicy(s *System, d *Decision, decide func(*policy.System) (*policy.Outcome, error)) error {
	out, err := decide(s.Policy)
	if err != nil {
		return err
	}
	tx, err := TransactionOf(s.Cache, out)
	if err != nil {
		return err
	}
	d.Outcome = out
	d.Tx.Changes = append(d.Tx.Changes, tx.Changes...)
	d.Download, d.Disk = s.sizes(out.Plan)
	return nil
}

// decideRemoval decides remove, purge and autoremove. With Purge, the
// named packages in the config-files state (removed, conffiles or postrm
// left) become Purge changes run after the removals; a request naming
// only such packages needs no policy decision.
func (in *Installer) decideRemoval(s *System, d *Decision) error {
	if d.Request.Kind == KindAutoremove {
		return in.decidePolicy(s, d, policy.Autoremove)
	}
	names := d.Request.Names
	var purges []Change
	if d.Tx.Purge {
		var err error
		if purges, names, err = in.configFilesOf(names); err != nil {
			return err
		}
	}
	if d.Request.Kind == KindPurge {
		names, d.NothingToPurge = splitInstalled(s, names)
		if len(names) == 0 && len(purges) == 0 {
			return &NothingToPurgeError{Names: d.NothingToPurge}
		}
	}
	if len(names) > 0 {
		if err := in.decidePolicy(s, d, func(sys *policy.System) (*policy.Outcome, error) {
			return policy.Remove(sys, names)
		}); err != nil {
			return err
		}
	}
	for _, c := range purges {
		d.Purges = append(d.Purges, c.Name)
	}
	d.Tx.Changes = append(d.Tx.Changes, purges...)
	return nil
}

// splitInstalled separates the names of installed packages (aim's or
// dpkg's, which the policy refuses to remove with its own reason) from
// the others.
func splitInstalled(s *System, names []string) (installed, absent []string) {
	for _, n := range names {
		if s.Lookup(n) != nil {
			installed = append(installed, n)
		} else {
			absent = append(absent, n)
		}
	}
	return installed, absent
}

// NothingToPurgeError is a purge request none of whose packages is
// installed or has configuration files left.
type NothingToPurgeError struct{ Names []string }

func (e *NothingToPurgeError) Error() string {
	return "nothing to purge: " + strings.Join(e.Names, ", ") + " not installed and no configuration files left"
}

// configFilesOf separates the names of packages in the config-files
// state from the others; the former become Purge changes.
func (in *Installer) configFilesOf(names []string) (purges []Change, rest []string, err error) {
	if in.db == nil {
		return nil, names, nil
	}
	for _, n := range names {
		v, conf, err := ConfigFiles(in.db, n)
		if err != nil {
			return nil, nil, err
		}
		if v == "" && len(conf) == 0 {
			rest = append(rest, n)
			continue
		}
		purges = append(purges, Change{Action: Purge, Name: n, Version: v})
	}
	return purges, rest, nil
}

// decideReinstall installs the named packages again at their installed
// version, from the cache.
func (in *Installer) decideReinstall(s *System, d *Decision) error {
	for _, n := range d.Request.Names {
		p := s.Lookup(n)
		if p == nil || p.FromDpkg {
			return fmt.Errorf("reinstall: %s is not installed by aim", n)
		}
		found := s.sameVersion(p)
		if found == nil {
			return fmt.Errorf("reinstall: %s %s is not available from any source", n, p.Version)
		}
		c, err := ChangeOf(s.Cache, resolver.Step{Action: resolver.Upgrade, Package: found}, map[string]bool{n: !p.Auto})
		if err != nil {
			return err
		}
		d.Tx.Changes = append(d.Tx.Changes, c)
		d.Reinstalls = append(d.Reinstalls, n)
	}
	return nil
}

// sameVersion returns the available package at p's installed version.
func (s *System) sameVersion(p *db.InstalledPackage) *resolver.Package {
	var found *resolver.Package
	for _, a := range s.Policy.Source.Versions(p.Name) {
		if a.Package.Version.Compare(p.Version) == 0 && a.Package.Arch == p.Architecture {
			found = a.Package
		}
	}
	return found
}
