package policy_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"aim/deb"
	"aim/policy"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// source is a map-backed policy.Source; a stanza's "Priority" field is
// its source priority (500 when absent).
type source struct {
	versions map[string][]policy.Available
	provs    map[string][]policy.AvailableProvider
	rels     map[string]*resolver.Relations
}

func newSource(t *testing.T, paras []*deb.Paragraph) *source {
	s := &source{versions: map[string][]policy.Available{}, provs: map[string][]policy.AvailableProvider{},
		rels: map[string]*resolver.Relations{}}
	for _, para := range paras {
		q, err := resolvertest.PackageOf(para)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := resolver.ParseRelationsOf(para)
		if err != nil {
			t.Fatal(err)
		}
		prio := 500
		if p := para.Get("Priority"); p != "" {
			prio, _ = strconv.Atoi(p)
		}
		a := policy.Available{Package: q, Priority: prio}
		s.versions[q.Name] = append(s.versions[q.Name], a)
		s.rels[q.Key()] = rel
		for _, alts := range rel.Provides {
			s.provs[alts[0].Name] = append(s.provs[alts[0].Name], policy.AvailableProvider{Available: a, Version: alts[0].Version})
		}
	}
	return s
}

func (s *source) Versions(name string) []policy.Available          { return s.versions[name] }
func (s *source) Providers(name string) []policy.AvailableProvider { return s.provs[name] }
func (s *source) Relations(p *resolver.Package) (*resolver.Relations, error) {
	if r, ok := s.rels[p.Key()]; ok {
		return r, nil
	}
	return nil, errors.New("unknown package " + p.Key())
}

func installedOf(t *testing.T, paras []*deb.Paragraph) []policy.Installed {
	var out []policy.Installed
	for _, para := range paras {
		q, err := resolvertest.PackageOf(para)
		if err != nil {
			t.Fatal(err)
		}
		q.Installed = true
		rel, err := resolver.ParseRelationsOf(para)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, policy.Installed{Package: q, Relations: rel, Auto: para.Get("Auto") == "yes",
			Held: para.Get("Held") == "yes", Dpkg: para.Get("Dpkg") == "yes",
			SystemUpdate: policy.HasFlag(para.Get("Maemo-Flags"), "system-update")})
	}
	return out
}

// TestScenarios runs every testdata/policy/*.txt file.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("../testdata/policy/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenario files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, path string) {
	sc, err := resolvertest.ReadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	sys := &policy.System{Source: newSource(t, sc.Repo), Installed: installedOf(t, sc.Installed), Arch: "amd64"}
	out, err := decide(t, sys, sc.Request)
	var want []string
	for _, l := range sc.Expect {
		if sub, ok := strings.CutPrefix(l, "error:"); ok {
			var ce *resolver.ConflictError
			if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(sub)) {
				t.Fatalf("error = %v, want one containing %q", err, strings.TrimSpace(sub))
			}
			var de *policy.DpkgOwnedError
			var me *policy.CoinstallError
			if !errors.As(err, &ce) && !errors.As(err, &de) && !errors.As(err, &me) && !strings.Contains(l, "downgrade") {
				t.Errorf("error %v is not a *resolver.ConflictError", err)
			}
			return
		}
		want = append(want, l)
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	got := resolvertest.PlanLines(out.Plan)
	for _, h := range out.HeldBack {
		got = append(got, "held-back "+h.Name+" "+h.Reason)
	}
	if len(out.Manual) > 0 {
		got = append(got, "manual "+strings.Join(out.Manual, " "))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("outcome:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func decide(t *testing.T, sys *policy.System, lines []string) (*policy.Outcome, error) {
	var opts policy.Options
	var verb string
	var args []string
	for _, l := range lines {
		f := strings.Fields(l)
		switch f[0] {
		case "norecommends":
			opts.NoRecommends = true
		case "allow-downgrades":
			opts.AllowDowngrades = true
		case "foreign":
			sys.Foreign = f[1:]
		default:
			verb, args = f[0], f[1:]
		}
	}
	switch verb {
	case "install":
		var wants []policy.Want
		for _, a := range args {
			w, err := policy.ParseWant(a)
			if err != nil {
				t.Fatal(err)
			}
			wants = append(wants, w)
		}
		return policy.Install(sys, wants, opts)
	case "remove":
		return policy.Remove(sys, args)
	case "upgrade":
		return policy.Upgrade(sys, opts)
	case "autoremove":
		return policy.Autoremove(sys)
	}
	t.Fatalf("no request verb in %q", lines)
	return nil, nil
}
