package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"aim/db"
	"aim/deb"
	"aim/repo"
	"aim/repo/publish"
	"aim/repo/sources"
	"aim/resolver"
)

// UpdateOptions tune Update.
type UpdateOptions struct {
	// Fetcher downloads (repo.NewFetcher's when nil).
	Fetcher *repo.Fetcher
	// Now is the clock Release dates are checked against (time.Now).
	Now func() time.Time
	// DryRun stops after the selection: nothing is downloaded and the
	// repository is not changed.
	DryRun bool
}

// Package is a package a mirror selected.
type Package struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
}

// Result says what Update did.
type Result struct {
	// Selected counts the packages the filter and dependencies chose.
	Selected int `json:"selected"`
	// Packages are the packages chosen, by name and architecture.
	Packages []Package `json:"packages"`
	// Downloaded counts the package files fetched from upstream.
	Downloaded int `json:"downloaded"`
	// Added and Removed are the packages that entered and left the
	// repository.
	Added   []Package `json:"added"`
	Removed []Package `json:"removed"`
}

// Update fetches and verifies the mirror's upstream indexes (as aim
// update does), selects its packages, downloads those the repository
// lacks and adds them, and removes the packages an earlier update added
// that are no longer selected. It fails, changing nothing in the
// repository, when the upstream cannot be verified, a filtered package
// is missing upstream, the dependencies cannot be resolved or a download
// does not match its index.
func Update(ctx context.Context, r *publish.Repo, name string, opts UpdateOptions) (*Result, error) {
	c, err := Load(r, name)
	if err != nil {
		return nil, err
	}
	dir := Dir(r, name)
	if opts.Fetcher == nil {
		opts.Fetcher = repo.NewFetcher()
	}
	cache, err := c.fetchIndexes(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	defer cache.Close()
	sel, err := c.selectPackages(cache)
	if err != nil {
		return nil, err
	}
	res := &Result{Selected: len(sel), Packages: []Package{}, Added: []Package{}, Removed: []Package{}}
	for _, a := range sel {
		res.Packages = append(res.Packages, Package{a.Name, a.Version, a.Architecture})
	}
	if opts.DryRun {
		return res, nil
	}
	dist, err := distOf(r, c)
	if err != nil {
		return nil, err
	}
	have := map[Package]string{}
	pkgs, err := r.Packages(dist)
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		have[Package{p.Name, p.Version, p.Architecture}] = p.SHA256
	}
	files, err := c.download(ctx, cache, sel, have, dir, opts, res)
	defer os.RemoveAll(filepath.Join(dir, "download"))
	if err != nil {
		return nil, err
	}
	if len(files) > 0 {
		if _, err := r.Add(files, publish.AddOptions{Dist: c.Dist, Component: c.Component, Move: true}); err != nil {
			return nil, fmt.Errorf("mirror %s: %w", name, err)
		}
	}
	if err := c.removeUnselected(r, dir, dist, sel, res); err != nil {
		return nil, err
	}
	return res, nil
}

// distOf is the dist the mirror's packages go to.
func distOf(r *publish.Repo, c *Config) (string, error) {
	if c.Dist != "" {
		return c.Dist, nil
	}
	return r.Settings.Dists[0], nil
}

// fetchIndexes updates the mirror's private root from upstream and opens
// its package cache.
func (c *Config) fetchIndexes(ctx context.Context, dir string, opts UpdateOptions) (*repo.Cache, error) {
	root := filepath.Join(dir, "root")
	keyrings := filepath.Join(root, "etc/aim/keyrings")
	if err := os.MkdirAll(keyrings, 0o755); err != nil {
		return nil, err
	}
	key, err := os.ReadFile(filepath.Join(dir, keyringFile))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(keyrings, keyringFile), key, 0o644); err != nil {
		return nil, err
	}
	d, err := db.Open(root)
	if err != nil {
		return nil, fmt.Errorf("mirror %s: %w", c.Name, err)
	}
	defer d.Close()
	u := &repo.Updater{Root: root, DB: d, Fetcher: opts.Fetcher, Arch: c.Architectures[0], Now: opts.Now}
	src := sources.Source{Name: "mirror-" + c.Name, Types: []string{sources.TypeDeb}, URIs: []string{c.URL},
		Suites: []string{c.Suite}, Components: c.Components, Architectures: c.Architectures, Enabled: true,
		SignedBy: sources.SignedBy{Keyrings: []string{"/etc/aim/keyrings/" + keyringFile}}}
	if _, err := u.Update(ctx, []sources.Source{src}); err != nil {
		return nil, fmt.Errorf("mirror %s: %w", c.Name, err)
	}
	cache, err := repo.OpenCache(filepath.Join(root, repo.CacheFile))
	if err != nil {
		return nil, fmt.Errorf("mirror %s: %w", c.Name, err)
	}
	return cache, nil
}

// download fetches the selected packages the repository lacks into
// dir/download, several at once, each checked against the size and
// SHA256 of the verified index, and returns their paths in selection
// order.
func (c *Config) download(ctx context.Context, cache *repo.Cache, sel []repo.Available, have map[Package]string, dir string, opts UpdateOptions, res *Result) ([]string, error) {
	var jobs []repo.Request
	base := strings.TrimSuffix(c.URL, "/")
	for _, a := range sel {
		para, err := cache.Paragraph(a)
		if err != nil {
			return nil, err
		}
		p := Package{a.Name, a.Version, a.Architecture}
		sum := para.Get("SHA256")
		if have[p] == sum && sum != "" {
			continue
		}
		fn := para.Get("Filename")
		if fn == "" || strings.Contains(fn, "..") || strings.HasPrefix(fn, "/") || len(sum) != 64 {
			return nil, fmt.Errorf("mirror %s: %s %s: the index gives no usable Filename and SHA256", c.Name, a.Name, a.Version)
		}
		size, err := strconv.ParseInt(para.Get("Size"), 10, 64)
		if err != nil {
			size = -1
		}
		jobs = append(jobs, repo.Request{URL: base + "/" + fn, Dest: filepath.Join(dir, "download", path.Base(fn)), Size: size, SHA256: sum, Scratch: true})
		res.Added = append(res.Added, p)
	}
	if err := os.MkdirAll(filepath.Join(dir, "download"), 0o755); err != nil {
		return nil, err
	}
	if err := fetchAll(ctx, opts.Fetcher, jobs); err != nil {
		return nil, fmt.Errorf("mirror %s: %w", c.Name, err)
	}
	res.Downloaded = len(jobs)
	files := make([]string, len(jobs))
	for i, j := range jobs {
		files[i] = j.Dest
	}
	return files, nil
}

// fetchAll runs the requests, four at once; the first failure stops the
// rest.
func fetchAll(ctx context.Context, f *repo.Fetcher, jobs []repo.Request) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan repo.Request)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := f.Fetch(ctx, j); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s: %w", path.Base(j.URL), err)
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// removeUnselected removes from the repository the packages an earlier
// update added that are no longer selected, and records the selection.
func (c *Config) removeUnselected(r *publish.Repo, dir, dist string, sel []repo.Available, res *Result) error {
	now := map[Package]bool{}
	var lines []string
	for _, a := range sel {
		now[Package{a.Name, a.Version, a.Architecture}] = true
		lines = append(lines, a.Name+" "+a.Version+" "+a.Architecture)
	}
	data, err := os.ReadFile(filepath.Join(dir, addedFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || now[Package{f[0], f[1], f[2]}] {
			continue
		}
		gone, err := r.Remove(dist, []string{f[0] + "=" + f[1]})
		if err != nil && len(gone) == 0 {
			continue // removed by the maintainer already
		}
		for _, g := range gone {
			res.Removed = append(res.Removed, Package{g.Name, g.Version, g.Architecture})
		}
	}
	slices.Sort(lines)
	return os.WriteFile(filepath.Join(dir, addedFile), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// selectPackages returns the packages the mirror keeps: for each
// architecture, the best version of each filtered package (every
// package without a filter) and, with WithDeps, what the resolver
// installs with them on an empty system.
func (c *Config) selectPackages(cache *repo.Cache) ([]repo.Available, error) {
	filter, err := c.filter()
	if err != nil {
		return nil, err
	}
	seen := map[Package]bool{}
	var out []repo.Available
	keep := func(a repo.Available) {
		p := Package{a.Name, a.Version, a.Architecture}
		if !seen[p] {
			seen[p] = true
			out = append(out, a)
		}
	}
	if filter == nil {
		for i := range cache.Len() {
			a := cache.At(i)
			if i == 0 || cache.At(i-1).Name != a.Name || cache.At(i-1).Architecture != a.Architecture {
				keep(a)
			}
		}
		return out, nil
	}
	for _, arch := range c.Architectures {
		u := &universe{cache: cache, arch: arch}
		if !c.WithDeps {
			for _, alts := range filter {
				a, ok := u.best(alts)
				if !ok {
					return nil, fmt.Errorf("mirror %s: no package for %s satisfies %s upstream", c.Name, arch, alts)
				}
				keep(a)
			}
			continue
		}
		req := &resolver.Request{Arch: arch}
		for _, alts := range filter {
			if len(alts) != 1 {
				return nil, fmt.Errorf("mirror %s: filter %s: alternatives need no --with-deps", c.Name, alts)
			}
			req.Install = append(req.Install, alts[0])
		}
		plan, err := resolver.Solve(u, req)
		if err != nil {
			return nil, fmt.Errorf("mirror %s: dependencies for %s: %w", c.Name, arch, err)
		}
		for _, p := range plan.Install {
			keep(p.Ref.(repo.Available))
		}
	}
	slices.SortFunc(out, func(a, b repo.Available) int {
		return strings.Compare(a.Name+"\x00"+a.Architecture+"\x00"+a.Version, b.Name+"\x00"+b.Architecture+"\x00"+b.Version)
	})
	return out, nil
}

// universe is the cache as the resolver sees it for one architecture:
// packages of that architecture and all.
type universe struct {
	cache *repo.Cache
	arch  string
}

func (u *universe) pkg(a repo.Available) *resolver.Package {
	v, _ := deb.ParseVersionLax(a.Version)
	return &resolver.Package{Name: a.Name, Version: v, Arch: a.Architecture, User: a.User, Ref: a}
}

func (u *universe) fits(a repo.Available) bool {
	return a.Architecture == u.arch || a.Architecture == "all"
}

// Packages implements resolver.Universe: every version, highest first.
func (u *universe) Packages(name string) []*resolver.Package {
	var out []*resolver.Package
	for _, a := range u.cache.Lookup(name) {
		if u.fits(a) {
			out = append(out, u.pkg(a))
		}
	}
	return out
}

// Providers implements resolver.Universe.
func (u *universe) Providers(name string) []resolver.Provided {
	var out []resolver.Provided
	for _, p := range u.cache.Providers(name) {
		if u.fits(p.Package) {
			v, _ := deb.ParseVersionLax(p.Version)
			out = append(out, resolver.Provided{Package: u.pkg(p.Package), Version: v})
		}
	}
	return out
}

// Relations implements resolver.Universe from the package's paragraph.
func (u *universe) Relations(p *resolver.Package) (*resolver.Relations, error) {
	para, err := u.cache.Paragraph(p.Ref.(repo.Available))
	if err != nil {
		return nil, err
	}
	return resolver.ParseRelationsOf(para)
}

// best returns the highest version of the first alternative that has
// one satisfying it.
func (u *universe) best(alts deb.Alternatives) (repo.Available, bool) {
	for _, rel := range alts {
		for _, a := range u.cache.Lookup(rel.Name) {
			v, _ := deb.ParseVersionLax(a.Version)
			if u.fits(a) && rel.SatisfiedBy(v) {
				return a, true
			}
		}
	}
	return repo.Available{}, false
}
