package install

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/hooks"
)

// Once every package of a transaction is unpacked, the engine stores
// what its commit will record under the meta key pendingKey+TXID and
// moves the journal to phaseUnpacked. A crash from then on, while the
// postinsts or triggers run, is rolled forward by Recover: the stored
// records are committed and the unpacked packages are marked
// half-configured (dpkg's state) in the meta key halfConfiguredKey, a
// JSON object from package to the version postinst configure is given.
// The next Engine.Run runs their postinst configure before anything
// else, as "dpkg --configure -a" would. Recover itself runs no script.
// Both keys live in the meta table, so no schema change is needed.
const (
	pendingKey        = "pending-commit:"
	halfConfiguredKey = "half-configured"
	phaseUnpacked     = "unpacked"
)

// pendingStep is what the commit records for one step.
type pendingStep struct {
	Action                Action
	Name, Version, Origin string
	// Arch is the instance's architecture (the new one for an unpack),
	// OldArch the installed one's; Key names the instance (see Key).
	// Records written before aim kept instances have none of them.
	Arch, OldArch, Key string
	Control            string
	Auto, HadOld       bool
	// Postrm: the removed package has a postrm, which keeps it in the
	// config-files state until purged, as under dpkg.
	Postrm                 bool
	OldVersion, CfgVersion string
	Files                  []db.File
	Conf                   map[string]string
	Takeover               map[string][]string
}

// key is the instance's key; its name in a record without one.
func (p pendingStep) key() string { return cmp.Or(p.Key, p.Name) }

// pendingOf is the record of s's outcome.
func (x *txn) pendingOf(s *step) pendingStep {
	p := pendingStep{Action: s.c.Action, Name: s.c.Name, Key: s.key, Arch: s.arch, Version: s.c.Version, Origin: s.c.Origin,
		Auto: s.c.Auto, HadOld: s.old != nil, OldVersion: s.oldVersion(), CfgVersion: s.cfgVersion,
		Files: s.newFiles, Conf: s.conf, Takeover: s.takeover}
	if s.old != nil {
		p.Auto = s.old.Auto && s.c.Auto
		p.OldArch = s.old.Architecture
	}
	if s.c.Action == Remove {
		p.Postrm = exists(x.infoPath(s.key, "postrm"))
	}
	if s.ctrl != nil {
		p.Control = s.ctrl.Control.String()
	}
	return p
}

// markUnpacked stores the records of the commit and moves the journal to
// phaseUnpacked, from where Recover rolls forward.
func (x *txn) markUnpacked() error {
	var ps []pendingStep
	for _, s := range x.steps {
		ps = append(ps, x.pendingOf(s))
	}
	data, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	trig, err := json.Marshal(x.activatedTriggers())
	if err != nil {
		return err
	}
	return x.e.DB.Update(func(tx *db.Tx) error {
		if err := tx.SetMeta(pendingKey+x.id, string(data)); err != nil {
			return err
		}
		if err := tx.SetMeta(pendingTriggersKey+x.id, string(trig)); err != nil {
			return err
		}
		return tx.SetJournalPhase(x.id, phaseUnpacked)
	})
}

// pendingTriggersKey+TXID holds, from markUnpacked to the commit, the
// triggers the transaction activated (package -> names), so that a crash
// before they ran leaves them pending instead of losing them.
const pendingTriggersKey = "pending-triggers:"

// activatedTriggers returns, by interested package, the trigger names
// the transaction activates.
func (x *txn) activatedTriggers() map[string][]string {
	acts := x.activations()
	out := map[string][]string{}
	for _, in := range x.interests() {
		if hit, _ := in.match(acts); len(hit) > 0 {
			out[in.pkg] = hit
		}
	}
	return out
}

// keepActivated merges the triggers an interrupted transaction activated
// into the pending ones and forgets its record of them.
func keepActivated(tx *db.Tx, txid string) error {
	data, err := tx.Meta(pendingTriggersKey + txid)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var acts map[string][]string
	if err := json.Unmarshal([]byte(data), &acts); err != nil {
		return fmt.Errorf("pending triggers of %s: %w", txid, err)
	}
	p, err := triggersPending(tx)
	if err != nil {
		return err
	}
	for pkg, names := range acts {
		p[pkg] = mergeNames(p[pkg], names)
	}
	if err := setTriggersPending(tx, p); err != nil {
		return err
	}
	return tx.DeleteMeta(pendingTriggersKey + txid)
}

// rollForwardUnpacked commits the stored records of an interrupted
// transaction that had unpacked everything, marking its new packages
// half-configured.
func rollForwardUnpacked(d *db.DB, txid string) ([]string, error) {
	var ps []pendingStep
	var names []string
	err := d.Update(func(tx *db.Tx) error {
		data, err := tx.Meta(pendingKey + txid)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(data), &ps); err != nil {
			return fmt.Errorf("pending commit of %s: %w", txid, err)
		}
		half, err := halfConfigured(tx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := recordPending(tx, p, false); err != nil {
				return err
			}
			if p.Action.unpacks() {
				half[p.key()] = cmp.Or(p.OldVersion, p.CfgVersion)
				names = append(names, p.key())
			}
		}
		if err := setHalfConfigured(tx, half); err != nil {
			return err
		}
		if err := keepActivated(tx, txid); err != nil {
			return err
		}
		if err := tx.DeleteMeta(pendingKey + txid); err != nil {
			return err
		}
		return tx.SetJournalPhase(txid, db.JournalCommitted)
	})
	return names, err
}

// metaReader is the part of the database halfConfigured reads.
type metaReader interface {
	Meta(key string) (string, error)
}

// halfConfigured returns the packages waiting for postinst configure.
func halfConfigured(m metaReader) (map[string]string, error) {
	out := map[string]string{}
	data, err := m.Meta(halfConfiguredKey)
	if errors.Is(err, db.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("%s: %w", halfConfiguredKey, err)
	}
	return out, nil
}

func setHalfConfigured(tx *db.Tx, half map[string]string) error {
	if len(half) == 0 {
		return tx.DeleteMeta(halfConfiguredKey)
	}
	data, err := json.Marshal(half)
	if err != nil {
		return err
	}
	return tx.SetMeta(halfConfiguredKey, string(data))
}

// HalfConfigured lists the packages whose postinst configure was
// interrupted, sorted; the next Run configures them first.
func HalfConfigured(d *db.DB) ([]string, error) {
	half, err := halfConfigured(d)
	var out []string
	for n := range half {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, err
}

// configurePending runs postinst configure for every half-configured
// package but those in skip (which the coming transaction removes or
// unpacks again, as dpkg allows), forgetting each that succeeds; the
// first failure is returned and the package stays half-configured.
func (e *Engine) configurePending(ctx context.Context, r *hooks.Runner, skip map[string]bool) error {
	half, err := halfConfigured(e.DB)
	if err != nil || len(half) == 0 {
		return err
	}
	names := make([]string, 0, len(half))
	for n := range half {
		if !skip[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		name, _ := SplitKey(n) // n is the instance's key
		p := hooks.Script{Package: name, Name: "postinst", Path: infoPathOf(e.Root, n, "postinst"), Args: hooks.PostinstConfigure(half[n])}
		if _, err := r.Run(ctx, p); err != nil {
			return fmt.Errorf("%s is half-configured: postinst configure: %w", n, err)
		}
		delete(half, n)
		if err := e.DB.Update(func(tx *db.Tx) error { return setHalfConfigured(tx, half) }); err != nil {
			return err
		}
	}
	return nil
}

// infoPathOf is the host path of an installed package's control member.
func infoPathOf(root, pkg, member string) string {
	return rootfs.Root(root).Path(InfoDir, pkg+"."+member)
}

// forgetHalfConfigured drops the packages of a committed transaction
// from the half-configured ones: removed, or unpacked and configured
// again.
func forgetHalfConfigured(tx *db.Tx, names []string) error {
	half, err := halfConfigured(tx)
	if err != nil || len(half) == 0 {
		return err
	}
	n := len(half)
	for _, name := range names {
		delete(half, name)
	}
	if len(half) == n {
		return nil
	}
	return setHalfConfigured(tx, half)
}

// recordPending stores one step's outcome; purge is the transaction's
// Purge.
func recordPending(tx *db.Tx, p pendingStep, purge bool) error {
	if err := recordConfigFilesState(tx, p, purge); err != nil {
		return err
	}
	switch p.Action {
	case Purge:
		return tx.SetConffiles(p.Name, p.Arch, nil)
	case Remove:
		if err := tx.DeleteInstalled(p.Name, p.Arch); err != nil {
			return err
		}
		if purge {
			return tx.SetConffiles(p.Name, p.Arch, nil)
		}
		return nil
	}
	for o, paths := range p.Takeover {
		var owner struct{ name, arch string }
		owner.name, owner.arch = SplitKey(o)
		if err := tx.DisownFiles(owner.name, owner.arch, paths); err != nil {
			return err
		}
	}
	c, err := deb.ParseParagraph([]byte(p.Control))
	if err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	id := deb.IdentityOf(c)
	v, err := deb.ParseVersionLax(id.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	in := &db.InstalledPackage{Name: p.Name, Version: v, Architecture: id.Architecture,
		Auto: p.Auto, User: deb.IsUserSection(c.Get("Section")), Origin: p.Origin, Control: c}
	if err := moveArch(tx, p, in.Architecture); err != nil {
		return err
	}
	if err := tx.PutInstalled(in); err != nil {
		return err
	}
	if err := tx.SetFiles(p.Name, in.Architecture, p.Files); err != nil {
		return err
	}
	return tx.SetConffiles(p.Name, in.Architecture, p.Conf)
}

// moveArch carries the installed instance p upgrades over to arch when
// the upgrade changes its architecture (to or from all), so that it
// replaces its row instead of adding a second instance. A record without
// OldArch (written before aim kept instances) moves the only instance.
func moveArch(tx *db.Tx, p pendingStep, arch string) error {
	name, from := p.Name, p.OldArch
	if !p.HadOld {
		return nil
	}
	if from == "" {
		old, err := tx.Installed(name, "")
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		from = old.Architecture
	}
	if from == arch {
		return nil
	}
	return tx.MoveInstalled(name, from, arch)
}
