package dbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"aim/install"
	"aim/install/singleclick"
	"aim/repo/installfile"
	"aim/repo/pgp"

	"github.com/godbus/dbus/v5"
)

// This file is the single-click install over D-Bus: openInstallFile
// stages a .install file's repositories, decides the install, reverts
// everything and returns the offer (what the file asks for); the caller
// shows it to the user and calls confirmInstallFile with the key
// fingerprints the user accepted, which stages again as a task and
// installs, or declineInstallFile.

// maxOffers bounds the offers kept waiting for an answer.
const maxOffers = 32

// maxInstallFile bounds a .install file sent to openInstallFile.
const maxInstallFile = 1 << 20

// offer is an opened .install file waiting for confirmInstallFile.
type offer struct {
	loc     string
	data    []byte
	sender  string // the connection that opened it; only it may answer
	pkg     string // the first package, for the task
	expires time.Time
}

// offers are the opened files by id.
type offers struct {
	mu sync.Mutex
	m  map[string]*offer
}

// put stores o under a new id, dropping expired offers first; it fails
// when too many wait.
func (ofs *offers) put(o *offer, now time.Time) (string, error) {
	ofs.mu.Lock()
	defer ofs.mu.Unlock()
	if ofs.m == nil {
		ofs.m = map[string]*offer{}
	}
	for id, old := range ofs.m {
		if now.After(old.expires) {
			delete(ofs.m, id)
		}
	}
	if len(ofs.m) >= maxOffers {
		return "", errors.New("too many .install files wait for an answer")
	}
	b := make([]byte, 8)
	rand.Read(b)
	id := hex.EncodeToString(b)
	ofs.m[id] = o
	return id, nil
}

// take removes and returns offer id if sender opened it and it has not
// expired.
func (ofs *offers) take(id, sender string, now time.Time) *offer {
	ofs.mu.Lock()
	defer ofs.mu.Unlock()
	o := ofs.m[id]
	if o == nil || o.sender != sender {
		return nil
	}
	delete(ofs.m, id)
	if now.After(o.expires) {
		return nil
	}
	return o
}

// errRefused is the D-Bus error of a .install file that cannot be used.
func errRefused(err error) error {
	return dbus.NewError(Interface+".Error.Refused", []any{err.Error()})
}

// OpenInstallFile reads the .install file loc (content, when given;
// else loc must be an http(s) URL, which the service fetches), stages its
// repositories under the root, taking any key that signs them for the
// time being, decides the install of its packages, reverts all of it and
// returns the offer: repositories, packages, the keys the user must
// accept (with fingerprints) and the plan with its sizes. The offer
// waits for ConfirmInstallFile by the same sender at most the acknowledge
// timeout. Nothing stays changed.
func (s *Server) OpenInstallFile(ctx context.Context, sender, loc string, content []byte) (singleclick.Offer, error) {
	f, data, err := s.readInstallFile(ctx, loc, content)
	if err != nil {
		return singleclick.Offer{}, err
	}
	in, err := s.open(false)
	if err != nil {
		return singleclick.Offer{}, err
	}
	defer in.Close()
	var keys []singleclick.OfferKey
	st, err := singleclick.Stage(ctx, in, f, singleclick.Options{Trust: func(r *singleclick.Repository, k pgp.Key) (bool, error) {
		keys = append(keys, singleclick.KeyOf(r, k))
		return true, nil
	}})
	if err != nil {
		return singleclick.Offer{}, err
	}
	o := singleclick.Describe(st, keys)
	if err := st.Revert(); err != nil {
		return singleclick.Offer{}, err
	}
	pkg := ""
	if len(f.Packages) > 0 {
		pkg = f.Packages[0]
	}
	o.ID, err = s.offers.put(&offer{loc: loc, data: data, sender: sender, pkg: pkg, expires: s.cfg.Now().Add(s.ackTO)}, s.cfg.Now())
	return o, err
}

// readInstallFile parses content as the .install file loc, or fetches
// loc when content is empty (http and https only: a file is read by the
// caller, with the caller's rights).
func (s *Server) readInstallFile(ctx context.Context, loc string, content []byte) (*singleclick.File, []byte, error) {
	if len(content) > maxInstallFile {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", loc, maxInstallFile)
	}
	data := content
	if len(data) == 0 {
		u, err := url.Parse(loc)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" {
			return nil, nil, fmt.Errorf("%s: the service fetches only http and https URLs; send a local file's content", loc)
		}
		if data, err = installfile.ReadURL(ctx, loc); err != nil {
			return nil, nil, err
		}
	}
	f, _, err := singleclick.Parse(s.root, loc, data, s.fileSettings())
	return f, data, err
}

// fileSettings are the device's values .install files are read against.
func (s *Server) fileSettings() singleclick.Settings {
	lang := s.cfg.Lang
	return singleclick.Settings{Distribution: s.cfg.Distribution, InstallKey: s.cfg.InstallKey,
		Locales: installfile.UserLocales(func(k string) string {
			if k == "LANG" {
				return lang
			}
			return ""
		})}
}

// ConfirmInstallFile makes a task that installs offer id as opened by
// sender, trusting for their repositories only the keys whose
// fingerprints are given (the ones the user saw and accepted): it stages
// the repositories again, installs, and on failure or cancel reverts the
// sources and keys it added. It returns "" when there is no such offer
// (unknown, expired, or opened by another connection) or the queue is
// full.
func (s *Server) ConfirmInstallFile(sender, id string, fingerprints []string) string {
	o := s.offers.take(id, sender, s.cfg.Now())
	if o == nil {
		return ""
	}
	accepted := map[string]bool{}
	for _, f := range fingerprints {
		accepted[strings.ToUpper(strings.ReplaceAll(f, " ", ""))] = true
	}
	return s.newTask("install", o.pkg, true, func(ctx context.Context, t *task) error {
		return s.installOffer(ctx, t, o, accepted)
	})
}

// DeclineInstallFile forgets offer id of sender; it reports whether
// there was one. Nothing is left to revert: opening reverted already.
func (s *Server) DeclineInstallFile(sender, id string) bool {
	return s.offers.take(id, sender, s.cfg.Now()) != nil
}

// installOffer stages o with the accepted keys and runs its install.
func (s *Server) installOffer(ctx context.Context, t *task, o *offer, accepted map[string]bool) error {
	f, _, err := singleclick.Parse(s.root, o.loc, o.data, s.fileSettings())
	if err != nil {
		return withCode(codeParse, err)
	}
	in, err := s.open(false)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := singleclick.Stage(ctx, in, f, singleclick.Options{Trust: func(_ *singleclick.Repository, k pgp.Key) (bool, error) {
		return accepted[k.Fingerprint], nil
	}})
	if err != nil {
		if t.Cancelled() || ctx.Err() != nil {
			return install.ErrCancelled
		}
		return withCode(codePackage, err)
	}
	t.Step(downloadShare, "staged")
	t.mu.Lock()
	t.base = downloadShare
	t.mu.Unlock()
	if st.Decision == nil {
		if st.Changed() {
			return nil // the repositories were what the file asked for
		}
		return withCode(codeAlreadyInst, errors.New("nothing to do"))
	}
	if _, err = in.Run(ctx, t.Task, st.Decision); err != nil {
		return errors.Join(err, st.Revert())
	}
	return nil
}

// openFileMethods are openInstallFile, confirmInstallFile and
// declineInstallFile; all change the system.
func (s *Server) openFileMethods() []member {
	return []member{
		{"openInstallFile", []overload{{in: []arg{{"location", tS}, {"content", "ay"}}, out: []arg{{"offer", tS}}, mutates: true,
			fn: func(c *caller, b []any) ([]any, error) {
				o, err := s.OpenInstallFile(s.ctx, c.sender, b[0].(string), b[1].([]byte))
				if err != nil {
					return nil, errRefused(err)
				}
				j, err := json.Marshal(o)
				if err != nil {
					return nil, errRefused(err)
				}
				return []any{string(j)}, nil
			}}}},
		{"confirmInstallFile", []overload{{in: []arg{{"offerId", tS}, {"trustedKeys", tAS}}, out: []arg{{"taskId", tS}}, mutates: true,
			fn: func(c *caller, b []any) ([]any, error) {
				return []any{s.ConfirmInstallFile(c.sender, b[0].(string), b[1].([]string))}, nil
			}}}},
		{"declineInstallFile", []overload{{in: []arg{{"offerId", tS}}, out: []arg{{"declined", tB}}, mutates: true,
			fn: func(c *caller, b []any) ([]any, error) {
				return []any{s.DeclineInstallFile(c.sender, b[0].(string))}, nil
			}}}},
	}
}
