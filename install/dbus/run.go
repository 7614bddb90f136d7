package dbus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"aim/deb"
	"aim/install"
	"aim/policy"
	"aim/repo/pkgsig"

	"github.com/godbus/dbus/v5"
)

// downloadShare is the part of an installation's progress that the
// download and the signature check take; the engine's run takes the rest.
const downloadShare = 0.3

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
	var id deb.Identity
	var info install.PackageInfo
	rec, err := s.receive(ctx, t, sourceURL, func(c *deb.ControlArchive) error {
		ctrl = c.Control
		if ctrl != nil {
			id = deb.IdentityOf(ctrl)
		}
		if id.Package == "" || id.Version == "" {
			return withCode(codeArchive, errors.New("package: control data without Package or Version"))
		}
		t.setPackage(id.Package)
		info = install.InfoOf(ctrl, s.cfg.Lang, policy.IsUser(ctrl.Get("Section")))
		s.emitBoth("taskRequestingInstallationAcknowledge", t.ID, s.ackPackage(info, ctrl), s.ackExtra(ctrl), map[string]dbus.Variant{})
		return nil
	})
	if err != nil {
		return err
	}
	defer os.Remove(rec.Path)
	name := id.Package
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
	t.mu.Lock()
	t.base = downloadShare
	t.mu.Unlock()
	req := install.Request{Kind: install.KindInstall, Locals: []install.LocalArchive{{Path: rec.Path, Control: ctrl}}}
	err = s.execute(ctx, t, req, false, func(tx *install.Transaction) {
		tx.Confirm = true
		if res.Valid(pkgsig.Store) || res.Valid(pkgsig.Developer) {
			tx.Signatures = map[string]string{name: res.Summary()}
		}
	})
	if err != nil {
		return err
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

// execute runs one task's request through the engine's door: it opens
// the root for writing (the writer lock is held from the decision to the
// commit), decides req, lets adjust set the transaction's options, and
// runs it (with force, failing prerms of removed packages are ignored).
// A refused request or an empty plan is an error.
func (s *Server) execute(ctx context.Context, t *task, req install.Request, force bool, adjust func(*install.Transaction)) error {
	in, err := s.open(false)
	if err != nil {
		return err
	}
	defer in.Close()
	d, err := in.Decide(req)
	if err != nil {
		return withCode(codePackage, err)
	}
	if d.Empty() {
		return withCode(codeAlreadyInst, errors.New("nothing to do"))
	}
	if adjust != nil {
		adjust(d.Tx)
	}
	var removing []string
	for _, c := range d.Tx.Changes {
		if c.Action == install.Remove {
			removing = append(removing, c.Name)
		}
	}
	t.mu.Lock()
	t.removing = removing
	t.mu.Unlock()
	if force {
		_, err = in.RunForced(ctx, t.Task, d)
	} else {
		_, err = in.Run(ctx, t.Task, d)
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
		if err := s.execute(ctx, t, install.Request{Kind: install.KindRemove, Names: []string{id}}, force, nil); err != nil {
			return err
		}
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
	req := install.Request{Kind: install.KindInstall, Names: names}
	if len(names) == 0 || req.Validate() != nil {
		return ""
	}
	return s.requestTask(req)
}

// RemovePackages makes a task that removes names as `aim remove` does.
func (s *Server) RemovePackages(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return s.requestTask(install.Request{Kind: install.KindRemove, Names: names})
}

// Upgrade makes a task that upgrades every package as `aim upgrade` does.
func (s *Server) Upgrade() string {
	return s.requestTask(install.Request{Kind: install.KindUpgrade})
}

func (s *Server) requestTask(req install.Request) string {
	pkg := ""
	if len(req.Names) == 1 {
		pkg, _, _ = strings.Cut(req.Names[0], "=")
	}
	return s.newTask(string(req.Kind), pkg, req.Kind == install.KindInstall, func(ctx context.Context, t *task) error {
		return s.execute(ctx, t, req, false, nil)
	})
}

// wasVerified reports whether id was installed with an accepted signature.
func (s *Server) wasVerified(id string) bool {
	v, err := s.reader.Meta(install.SignatureKey(id))
	return err == nil && v != ""
}
