package dbus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aim/db"
	"aim/deb"
	"aim/hooks"
	"aim/install"
	"aim/policy"
	"aim/repo/pkgsig"

	"github.com/godbus/dbus/v5"
)

// downloadShare is the part of an installation's progress that the
// download and the signature check take; the engine's run takes the rest.
const downloadShare = 0.3

// signedKey is the meta key that records that a package was installed
// with a signature the trust policy accepted, and which.
func signedKey(name string) string { return "pkgsig:" + name }

// StartInstallation makes a task that installs the package at sourceURL
// (file://, http://, https:// or socket://PATH). The package is streamed:
// as soon as its control part has arrived, while the payload is still
// downloading, the task emits taskRequestingInstallationAcknowledge with
// its metadata (see ackRequest). Once the whole package is in, its
// signatures are checked against the package-trust policy, it is planned
// with its dependencies from the configured repositories, everything is
// prepared, and the task waits in AwaitingAcknowledge (emitting
// taskBlockingUntilInstallationAcknowledge) unless acknowledgePackageInstallation
// came already, at most the acknowledge timeout. Nothing on the system
// changes before both the verification and the acknowledge. It returns
// the task id, "" when the URL is not one of those schemes or the queue
// is full.
func (s *Server) StartInstallation(sourceURL string) string {
	if !supportedURL(sourceURL) {
		return ""
	}
	id := s.newTask("install", "", true, func(ctx context.Context, t *task) error {
		return s.installURL(ctx, t, sourceURL)
	})
	return id
}

func (s *Server) installURL(ctx context.Context, t *task, sourceURL string) error {
	var ctrl *deb.Paragraph
	var info install.PackageInfo
	rec, err := s.receive(ctx, t, sourceURL, func(c *deb.ControlArchive) error {
		ctrl = c.Control
		if ctrl == nil || ctrl.Get("Package") == "" || ctrl.Get("Version") == "" {
			return withCode(codeArchive, errors.New("package: control data without Package or Version"))
		}
		t.setPackage(ctrl.Get("Package"))
		info = install.InfoOf(ctrl, s.cfg.Lang, policy.IsUser(ctrl.Get("Section")))
		s.emitBoth("taskRequestingInstallationAcknowledge", t.ID, s.ackPackage(info, ctrl), s.ackExtra(ctrl), map[string]dbus.Variant{})
		return nil
	})
	if err != nil {
		return err
	}
	defer os.Remove(rec.Path)
	name, version := ctrl.Get("Package"), ctrl.Get("Version")
	res, err := pkgsig.VerifyFile(rec.Path, s.trust, s.cfg.Now())
	if err != nil {
		return withCode(codeArchive, err)
	}
	if err := s.policy.Check(res); err != nil {
		return withCode(codeCryptography, err)
	}
	if t.Cancelled() {
		return install.ErrCancelled
	}
	t.Step(downloadShare, "verified")
	tx, err := s.decide(func(sy *policy.System) (*policy.Outcome, error) {
		return policy.Install(sy, []policy.Want{{Name: name, Version: version}}, policy.Options{})
	}, localDeb{Path: rec.Path, Control: ctrl})
	if err != nil {
		return err
	}
	tx.Confirm = true
	t.mu.Lock()
	t.base = downloadShare
	t.mu.Unlock()
	if err := s.runEngine(ctx, t, tx); err != nil {
		return err
	}
	if summary := res.Summary(); res.Valid(pkgsig.Store) || res.Valid(pkgsig.Developer) {
		s.reader.Update(func(dtx *db.Tx) error { return dtx.SetMeta(signedKey(name), summary) })
	}
	if info.Removable {
		os.MkdirAll(filepath.Join(s.docs, name), 0o755)
	}
	return nil
}

// ackPackage is the package argument of
// taskRequestingInstallationAcknowledge: get()'s roles of the package
// being installed plus "size", its Installed-Size in bytes (-1 unknown).
func (s *Server) ackPackage(info install.PackageInfo, ctrl *deb.Paragraph) map[string]dbus.Variant {
	m := s.packageMap(info)
	m["size"] = dbus.MakeVariant(install.InstalledSize(ctrl))
	return m
}

// ackExtra is the extraMetaData argument: the control fields Debian
// Policy does not define. The signed counterpart is always empty there,
// since no signature can be checked before the payload is in.
func (s *Server) ackExtra(ctrl *deb.Paragraph) map[string]dbus.Variant {
	extra := map[string]dbus.Variant{}
	for k, v := range install.ExtraMetaData(ctrl) {
		extra[k] = dbus.MakeVariant(v)
	}
	return extra
}

// decide plans with decide over the system (plus locals) and returns the
// transaction; a refused request or an empty plan is an error.
func (s *Server) decide(decide decision, locals ...localDeb) (*install.Transaction, error) {
	sy, err := s.loadSystem(locals...)
	if err != nil {
		return nil, err
	}
	defer sy.close()
	out, err := decide(sy.sys)
	if err != nil {
		return nil, withCode(codePackage, err)
	}
	if out.Plan.Empty() {
		return nil, withCode(codeAlreadyInst, errors.New("nothing to do"))
	}
	return sy.transaction(out)
}

// runEngine runs tx as t under the root's writer lock.
func (s *Server) runEngine(ctx context.Context, t *task, tx *install.Transaction) error {
	return s.runEngineForced(ctx, t, tx, false)
}

// runEngineForced is runEngine; with force the engine ignores failing
// prerms of the packages tx removes (install.Engine.RunForced).
func (s *Server) runEngineForced(ctx context.Context, t *task, tx *install.Transaction, force bool) error {
	var removing []string
	for _, c := range tx.Changes {
		if c.Action == install.Remove {
			removing = append(removing, c.Name)
		}
	}
	t.mu.Lock()
	t.removing = removing
	t.mu.Unlock()
	d, err := db.Open(s.root)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Lock(30 * time.Second); err != nil {
		return withCode(codeLocked, err)
	}
	eng, err := install.New(s.root, d)
	if err != nil {
		return err
	}
	if s.cfg.ChrootlessScripts {
		if eng.Scripts, err = hooks.NewRunner(eng.Root, true); err != nil {
			return err
		}
	}
	if log, err := hooks.OpenSessionLog(filepath.Join(eng.Root, "var/log/aim"), 1<<20, 3); err == nil {
		defer log.Close()
		eng.Log = log
	}
	if force {
		_, err = eng.RunForced(ctx, t.Task, tx)
	} else {
		_, err = eng.Run(ctx, t.Task, tx)
	}
	return err
}

// RemovePackage makes a task that removes the installed package id and,
// unless keepDocuments, its documents directory (documentLocation/ID).
// An interrupted removal is always recovered (install.Recover) before the
// next task; force retries a removal that failed half-way, e.g. because
// its prerm fails: the prerm still runs but its failure is ignored and
// noted in the task's transcript (install.Engine.RunForced). It returns
// "" when id is not installed.
func (s *Server) RemovePackage(id string, keepDocuments, force bool) string {
	if s.lookup(id) == nil {
		return ""
	}
	return s.newTask("remove", id, false, func(ctx context.Context, t *task) error {
		tx, err := s.decide(func(sy *policy.System) (*policy.Outcome, error) { return policy.Remove(sy, []string{id}) })
		if err != nil {
			return err
		}
		if err := s.runEngineForced(ctx, t, tx, force); err != nil {
			return err
		}
		s.reader.Update(func(dtx *db.Tx) error { return dtx.SetMeta(signedKey(id), "") })
		if !keepDocuments && validName(id) {
			return os.RemoveAll(filepath.Join(s.docs, id))
		}
		return nil
	})
}

// validName reports whether id can name a directory under documents.
func validName(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, "/\x00")
}

// InstallPackages makes a task that installs names (NAME[=VERSION]) from
// the repositories, as `aim install` does, without an acknowledge step.
// It returns "" when a name is malformed or the queue is full.
func (s *Server) InstallPackages(names []string) string {
	decide, err := installDecision(names)
	if err != nil || len(names) == 0 {
		return ""
	}
	return s.planTask("install", names, decide)
}

// RemovePackages makes a task that removes names as `aim remove` does.
func (s *Server) RemovePackages(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return s.planTask("remove", names, func(sy *policy.System) (*policy.Outcome, error) { return policy.Remove(sy, names) })
}

// Upgrade makes a task that upgrades every package as `aim upgrade` does.
func (s *Server) Upgrade() string {
	return s.planTask("upgrade", nil, func(sy *policy.System) (*policy.Outcome, error) {
		return policy.Upgrade(sy, policy.Options{})
	})
}

func (s *Server) planTask(kind string, names []string, decide decision) string {
	pkg := ""
	if len(names) == 1 {
		pkg, _, _ = strings.Cut(names[0], "=")
	}
	return s.newTask(kind, pkg, kind == "install", func(ctx context.Context, t *task) error {
		tx, err := s.decide(decide)
		if err != nil {
			return err
		}
		return s.runEngine(ctx, t, tx)
	})
}

// wasVerified reports whether id was installed with an accepted signature.
func (s *Server) wasVerified(id string) bool {
	v, err := s.reader.Meta(signedKey(id))
	return err == nil && v != ""
}
