package dbus

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"aim/deb"
	"aim/install"
	"aim/policy"
	"aim/repo"
	"aim/resolver"
)

// This file is the planning path of cmd/aim (resolve.go, install.go)
// reduced to what the service needs: a policy.System over the cache and
// the installed packages, local archives beside the cache, and a decided
// plan turned into the engine's transaction.

// system is what a request is decided on.
type system struct {
	sys   *policy.System
	cache *repo.Cache // nil without package lists
}

func (s *system) close() {
	if s.cache != nil {
		s.cache.Close()
	}
}

// loadSystem reads the cache (none when aim update never ran), the
// installed packages and the holds, and offers locals beside the cache.
func (s *Server) loadSystem(locals ...localDeb) (*system, error) {
	out := &system{}
	c, err := repo.OpenCache(filepath.Join(s.root, repo.CacheFile))
	switch {
	case err == nil:
		out.cache = c
	case errors.Is(err, repo.ErrNoCache):
	default:
		return nil, err
	}
	var src policy.Source = emptySource{}
	if out.cache != nil {
		src = install.CacheSource{Cache: out.cache}
	}
	if len(locals) > 0 {
		src = localSource{base: src, locals: locals}
	}
	out.sys = &policy.System{Source: src, Arch: s.architecture()}
	holds := map[string]bool{}
	if v, err := s.reader.Meta(install.HoldsKey); err == nil {
		for _, n := range strings.Fields(v) {
			holds[n] = true
		}
	}
	for _, n := range s.names() {
		in, err := install.InstalledOf(s.lookup(n), holds[n])
		if err != nil {
			out.close()
			return nil, err
		}
		out.sys.Installed = append(out.sys.Installed, in)
	}
	return out, nil
}

// emptySource offers no packages.
type emptySource struct{}

func (emptySource) Versions(string) []policy.Available          { return nil }
func (emptySource) Providers(string) []policy.AvailableProvider { return nil }
func (emptySource) Relations(p *resolver.Package) (*resolver.Relations, error) {
	return nil, fmt.Errorf("package %s: no package lists", p.Name)
}

// localDeb is a downloaded archive offered beside the cache.
type localDeb struct {
	path    string
	control *deb.Paragraph
}

// localSource offers local archives, preferred over the cache's.
type localSource struct {
	base   policy.Source
	locals []localDeb
}

func (s localSource) Versions(name string) []policy.Available {
	out := s.base.Versions(name)
	for _, l := range s.locals {
		if l.control.Get("Package") == name {
			v, _ := deb.ParseVersionLax(l.control.Get("Version"))
			out = append(out, policy.Available{Package: &resolver.Package{Name: name, Version: v,
				Arch: l.control.Get("Architecture"), User: policy.IsUser(l.control.Get("Section")), Ref: l}, Priority: 1000})
		}
	}
	return out
}

func (s localSource) Providers(name string) []policy.AvailableProvider { return s.base.Providers(name) }

func (s localSource) Relations(p *resolver.Package) (*resolver.Relations, error) {
	if l, ok := p.Ref.(localDeb); ok {
		return resolver.ParseRelationsOf(l.control)
	}
	return s.base.Relations(p)
}

// transaction turns a decided plan into the engine's transaction.
func (sy *system) transaction(out *policy.Outcome) (*install.Transaction, error) {
	manual := map[string]bool{}
	for _, n := range out.Manual {
		manual[n] = true
	}
	tx := &install.Transaction{}
	for _, st := range out.Plan.Steps {
		c, err := sy.change(st, manual)
		if err != nil {
			return nil, err
		}
		tx.Changes = append(tx.Changes, c)
	}
	return tx, nil
}

func (sy *system) change(st resolver.Step, manual map[string]bool) (install.Change, error) {
	p := st.Package
	c := install.Change{Name: p.Name, Version: p.Version.String(), Auto: !manual[p.Name]}
	switch st.Action {
	case resolver.Remove:
		c.Action = install.Remove
		return c, nil
	case resolver.Upgrade:
		c.Action = install.Upgrade
	default:
		c.Action = install.Install
	}
	if l, ok := p.Ref.(localDeb); ok {
		c.Path = l.path
		return c, nil
	}
	a, ok := p.Ref.(repo.Available)
	if !ok || len(a.Sources) == 0 || sy.cache == nil {
		return c, fmt.Errorf("%s %s: not in any source", p.Name, p.Version)
	}
	para, err := sy.cache.Paragraph(a)
	if err != nil {
		return c, err
	}
	src := sy.cache.Sources()[a.Sources[0]]
	c.URL = strings.TrimSuffix(src.URI, "/") + "/" + para.Get("Filename")
	c.Size, _ = strconv.ParseInt(para.Get("Size"), 10, 64)
	c.SHA256, c.Origin = para.Get("SHA256"), src.Name
	need := para.Get("Maemo-Required-Free-Space")
	if need == "" {
		need = para.Get("Installed-Size")
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(need), 10, 64)
	c.Need = n * 1024
	return c, nil
}

// planEntry and planJSON are the plan as `aim ... --json` prints it.
type planEntry struct {
	Package      string `json:"package"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	From         string `json:"from,omitempty"`
}

type planJSON struct {
	Install  []planEntry       `json:"install"`
	Upgrade  []planEntry       `json:"upgrade"`
	Remove   []planEntry       `json:"remove"`
	HeldBack []policy.HeldBack `json:"held_back,omitempty"`
}

func entry(p *resolver.Package) planEntry {
	return planEntry{Package: p.Name, Version: p.Version.String(), Architecture: p.Arch}
}

// planText is out as the command line's JSON plan.
func planText(out *policy.Outcome) string {
	j := planJSON{Install: []planEntry{}, Upgrade: []planEntry{}, Remove: []planEntry{}, HeldBack: out.HeldBack}
	for _, q := range out.Plan.Install {
		j.Install = append(j.Install, entry(q))
	}
	for _, c := range out.Plan.Upgrade {
		e := entry(c.To)
		e.From = c.From.Version.String()
		j.Upgrade = append(j.Upgrade, e)
	}
	for _, q := range out.Plan.Remove {
		j.Remove = append(j.Remove, entry(q))
	}
	b, _ := json.MarshalIndent(j, "", "  ") // plain strings: cannot fail
	return string(b) + "\n"
}

// decision is how a request is decided.
type decision func(*policy.System) (*policy.Outcome, error)

// parseRequest reads plan()'s request: "install NAME[=VERSION]...",
// "remove NAME...", "upgrade" or "autoremove".
func parseRequest(req string) (decision, error) {
	f := strings.Fields(req)
	if len(f) == 0 {
		return nil, errors.New("empty request: want install, remove, upgrade or autoremove")
	}
	args := f[1:]
	switch f[0] {
	case "install":
		return installDecision(args)
	case "remove":
		return func(sy *policy.System) (*policy.Outcome, error) { return policy.Remove(sy, args) }, nil
	case "upgrade":
		return func(sy *policy.System) (*policy.Outcome, error) { return policy.Upgrade(sy, policy.Options{}) }, nil
	case "autoremove":
		return policy.Autoremove, nil
	}
	return nil, fmt.Errorf("request %q: want install, remove, upgrade or autoremove", f[0])
}

func installDecision(names []string) (decision, error) {
	var wants []policy.Want
	for _, a := range names {
		w, err := policy.ParseWant(a)
		if err != nil {
			return nil, err
		}
		wants = append(wants, w)
	}
	return func(sy *policy.System) (*policy.Outcome, error) { return policy.Install(sy, wants, policy.Options{}) }, nil
}

// Plan decides request (see parseRequest) and returns the plan as the
// command line's --json prints it; a refused request is an error.
func (s *Server) Plan(request string) (string, error) {
	decide, err := parseRequest(request)
	if err != nil {
		return "", err
	}
	sy, err := s.loadSystem()
	if err != nil {
		return "", err
	}
	defer sy.close()
	out, err := decide(sy.sys)
	if err != nil {
		return "", err
	}
	return planText(out), nil
}
