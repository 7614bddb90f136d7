// Package resolvertest provides a map-backed resolver.Universe built from
// control stanzas, and the scenario files that drive the resolver's and the
// policy's tests. It is for tests only.
package resolvertest

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"aim/deb"
	"aim/resolver"
)

// Universe is a resolver.Universe over parsed stanzas. Packages are
// ordered highest version first; providers by name, then highest version.
type Universe struct {
	byName map[string][]*resolver.Package
	provs  map[string][]resolver.Provided
	rels   map[string]*resolver.Relations
	paras  map[string]*deb.Paragraph
}

// NewUniverse builds a universe from the available stanzas and the
// installed ones (which are available too, with Installed set). A stanza
// without Architecture is "all".
func NewUniverse(available, installed []*deb.Paragraph) (*Universe, []*resolver.Package, error) {
	u := &Universe{byName: map[string][]*resolver.Package{}, provs: map[string][]resolver.Provided{},
		rels: map[string]*resolver.Relations{}, paras: map[string]*deb.Paragraph{}}
	var inst []*resolver.Package
	for i, set := range [2][]*deb.Paragraph{installed, available} {
		for _, para := range set {
			q, err := u.add(para, i == 0)
			if err != nil {
				return nil, nil, err
			}
			if q != nil && i == 0 {
				inst = append(inst, q)
			}
		}
	}
	u.sort()
	return u, inst, nil
}

func (u *Universe) add(para *deb.Paragraph, installed bool) (*resolver.Package, error) {
	q, err := PackageOf(para)
	if err != nil {
		return nil, err
	}
	q.Installed = installed
	if _, dup := u.rels[q.Key()]; dup {
		return nil, nil
	}
	rel, err := RelationsOf(para)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", q.Name, err)
	}
	u.rels[q.Key()], u.paras[q.Key()] = rel, para
	u.byName[q.Name] = append(u.byName[q.Name], q)
	for _, alts := range rel.Provides {
		pv := alts[0]
		u.provs[pv.Name] = append(u.provs[pv.Name], resolver.Provided{Package: q, Version: pv.Version})
	}
	return q, nil
}

func (u *Universe) sort() {
	for _, ps := range u.byName {
		sort.SliceStable(ps, func(i, j int) bool { return deb.CompareVersions(ps[i].Version, ps[j].Version) > 0 })
	}
	for _, ps := range u.provs {
		sort.SliceStable(ps, func(i, j int) bool {
			a, b := ps[i].Package, ps[j].Package
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return deb.CompareVersions(a.Version, b.Version) > 0
		})
	}
}

// PackageOf reads the identity of a stanza: Package, Version,
// Architecture (default all) and Section (user/... makes it a user
// package).
func PackageOf(para *deb.Paragraph) (*resolver.Package, error) {
	id := deb.IdentityOf(para)
	v, err := deb.ParseVersionLax(id.Version)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", id.Package, err)
	}
	arch := id.Architecture
	if arch == "" {
		arch = "all"
	}
	return &resolver.Package{Name: id.Package, Version: v, Arch: arch,
		User: deb.IsUserSection(para.Get("Section"))}, nil
}

// RelationsOf parses the relation fields of a stanza.
func RelationsOf(para *deb.Paragraph) (*resolver.Relations, error) {
	return resolver.ParseRelationsOf(para)
}

// Packages implements resolver.Universe.
func (u *Universe) Packages(name string) []*resolver.Package { return u.byName[name] }

// Providers implements resolver.Universe.
func (u *Universe) Providers(name string) []resolver.Provided { return u.provs[name] }

// Relations implements resolver.Universe.
func (u *Universe) Relations(p *resolver.Package) (*resolver.Relations, error) {
	if r, ok := u.rels[p.Key()]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("unknown package %s", p.Key())
}

// Paragraph returns the stanza of p, nil when unknown.
func (u *Universe) Paragraph(p *resolver.Package) *deb.Paragraph { return u.paras[p.Key()] }

// Scenario is one scenario file: sections "[repo]" and "[installed]" of
// control stanzas, "[request]" and "[expect]" of lines. Lines starting
// with "#" are comments.
type Scenario struct {
	Repo, Installed []*deb.Paragraph
	Request, Expect []string
}

// ReadScenario reads and parses a scenario file.
func ReadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sections := map[string]*strings.Builder{}
	cur := ""
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "#"):
			continue
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			cur = t[1 : len(t)-1]
			sections[cur] = &strings.Builder{}
			continue
		}
		if b := sections[cur]; b != nil {
			b.WriteString(line + "\n")
		}
	}
	s := &Scenario{}
	for name, dst := range map[string]*[]*deb.Paragraph{"repo": &s.Repo, "installed": &s.Installed} {
		if b := sections[name]; b != nil && strings.TrimSpace(b.String()) != "" {
			if *dst, err = deb.ParseParagraphs([]byte(b.String())); err != nil {
				return nil, fmt.Errorf("%s: [%s]: %w", path, name, err)
			}
		}
	}
	s.Request, s.Expect = lines(sections["request"]), lines(sections["expect"])
	return s, nil
}

func lines(b *strings.Builder) []string {
	if b == nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// PlanLines renders a plan as sorted lines "install NAME VERSION",
// "upgrade NAME FROM -> TO", "remove NAME VERSION", where NAME is
// "name:arch" for an architecture other than amd64 (the tests' native
// one) and all; an upgrade that changes the architecture ends "-> NAME
// TO".
func PlanLines(p *resolver.Plan) []string {
	var out []string
	for _, q := range p.Install {
		out = append(out, "install "+label(q))
	}
	for _, c := range p.Upgrade {
		to := c.To.Version.String()
		if archName(c.From) != archName(c.To) {
			to = label(c.To)
		}
		out = append(out, "upgrade "+label(c.From)+" -> "+to)
	}
	for _, q := range p.Remove {
		out = append(out, "remove "+label(q))
	}
	sort.Strings(out)
	return out
}

// StepNames returns the names of a plan's steps in order.
func StepNames(p *resolver.Plan) string {
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Package.Name)
	}
	return strings.Join(names, " ")
}

// archName is q's name, with ":arch" unless it is amd64 or all.
func archName(q *resolver.Package) string {
	if q.Arch == "amd64" || q.Arch == "all" || q.Arch == "" {
		return q.Name
	}
	return q.Name + ":" + q.Arch
}

// label is "NAME VERSION" with NAME as archName gives it.
func label(q *resolver.Package) string { return archName(q) + " " + q.Version.String() }
