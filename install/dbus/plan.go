package dbus

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"aim/install"
	"aim/policy"
	"aim/repo"
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
	var src policy.Source = install.EmptySource{}
	if out.cache != nil {
		src = install.CacheSource{Cache: out.cache}
	}
	if len(locals) > 0 {
		src = install.LocalSource{Base: src, Locals: locals}
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

// localDeb is a downloaded archive offered beside the cache.
type localDeb = install.LocalArchive

// transaction turns a decided plan into the engine's transaction.
func (sy *system) transaction(out *policy.Outcome) (*install.Transaction, error) {
	return install.TransactionOf(sy.cache, out)
}

// planText is out as the command line's JSON plan.
func planText(out *policy.Outcome) string {
	b, _ := json.MarshalIndent(out.JSON(), "", "  ") // plain strings: cannot fail
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
