package installfile

// This file reads single-click .install files (MIME type
// application/x-install-instructions): GLib key files in the classic form
// of maemo 2 and 3 or the catalogue form of maemo 4 and 5.

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// DefaultDistribution is the device's distribution when aim.conf sets no
// "distribution".
const DefaultDistribution = "bora"

// MaxDebLineLength bounds a deb line of a .install file.
const MaxDebLineLength = 1024

// The most one .install file may ask for. A file is a click away from
// any web page: it may add a few repositories and install a few
// packages, never a mirror list. Parse refuses a file over either bound
// (wrapping ErrTooMany) before anything is fetched.
const (
	// MaxCatalogues bounds the catalogues (repositories) a file names,
	// those filter_dist leaves out included.
	MaxCatalogues = 16
	// MaxPackages bounds the packages a file asks to install.
	MaxPackages = 64
)

// ErrTooMany reports a .install file that names more catalogues or
// packages than MaxCatalogues or MaxPackages.
var ErrTooMany = errors.New("too many entries")

// ErrIncompatible reports a .install file that is not meant for this
// device: its deb-line key is missing or every catalogue is filtered out.
var ErrIncompatible = errors.New("not for this device")

// installKeys maps a distribution to the key of its deb line in the
// classic form.
var installKeys = map[string]string{"mistral": "repo_deb", "bora": "repo_deb_3"}

// InstallKeyFor returns the key of the classic form's deb line for the
// distribution dist: "repo_deb" for maemo 2 (mistral), "repo_deb_3" for
// maemo 3 (bora), "" for the others (aim.conf's install-key sets one).
func InstallKeyFor(dist string) string { return installKeys[dist] }

// Options describe the device a .install file is read for.
type Options struct {
	// Distribution is the device's distribution (DefaultDistribution when
	// empty): the dist of catalogues that name none, and what filter_dist
	// is compared with.
	Distribution string
	// InstallKey is the classic form's deb-line key; empty means
	// InstallKeyFor(Distribution).
	InstallKey string
	// Locales are the user's locales, best first, with their fallbacks
	// (UserLocales): they pick localised catalogue names.
	Locales []string
}

// Catalogue is one repository a .install file asks for.
type Catalogue struct {
	// Group is the key file group that describes it ("install" for the
	// classic form).
	Group string `json:"group"`
	// Name is the name shown to the user (maybe localised, maybe "").
	Name string `json:"name"`
	URI  string `json:"uri"`
	// Dist is the suite; "" means the device's distribution.
	Dist       string   `json:"dist"`
	Components []string `json:"components"`
	// FilterDist, when set, is the only distribution the catalogue is for.
	FilterDist string `json:"filterDist,omitempty"`
	// KeyURI is an http, https or file URL of the repository's armored
	// signing key, or "".
	KeyURI string `json:"keyUri,omitempty"`
}

// Suite returns the catalogue's dist, or dist when it names none.
func (c *Catalogue) Suite(dist string) string {
	if c.Dist == "" {
		return dist
	}
	return c.Dist
}

// SourceLine returns the catalogue as a one-line source entry,
// "deb URI SUITE COMPONENT...", for a device running dist.
func (c *Catalogue) SourceLine(dist string) string {
	return strings.Join(append([]string{"deb", c.URI, c.Suite(dist)}, c.Components...), " ")
}

// Instructions is what a .install file asks for.
type Instructions struct {
	// Form is "classic" ([install] with repo_deb*) or "catalogues".
	Form string `json:"form"`
	// Catalogues are the repositories to add, in the file's order, those
	// filtered out by filter_dist left out.
	Catalogues []Catalogue `json:"catalogues"`
	// Filtered are the catalogues filter_dist left out.
	Filtered []Catalogue `json:"filtered,omitempty"`
	// Packages are the packages to install, in the file's order.
	Packages []string `json:"packages"`
}

// Parse reads a .install file for a device described by opts.
//
// The classic form is an [install] group with repo_name (optional),
// the deb line under the device's key (opts.InstallKey) and package; a
// file with other repo_deb keys only is refused (wrapping ErrIncompatible)
// naming the keys it has and the one expected. The catalogue form names
// groups in the catalogues list of [install] or [catalogues]; each group
// has name (localisable), uri, dist, components (space-separated),
// filter_dist and key_uri. Groups named but missing are an error, and so
// is a file whose catalogues are all filtered out (ErrIncompatible).
// "package" lists one package or several separated by ";". Deb lines
// over MaxDebLineLength, control characters and URIs other than http,
// https and file are refused, and so are files naming more than
// MaxCatalogues catalogues or MaxPackages packages (ErrTooMany), before
// any group is read. Nothing in the result is empty: a file that
// asks for nothing is an error.
func Parse(data []byte, opts Options) (*Instructions, error) {
	kf, err := ParseKeyFile(data)
	if err != nil {
		return nil, err
	}
	if opts.Distribution == "" {
		opts.Distribution = DefaultDistribution
	}
	if opts.InstallKey == "" {
		opts.InstallKey = InstallKeyFor(opts.Distribution)
	}
	in := &Instructions{Form: "catalogues", Catalogues: []Catalogue{}}
	if kf.HasGroup("install") {
		if in.Packages, err = installPackages(kf); err != nil {
			return nil, err
		}
	}
	debKeys := repoDebKeys(kf)
	_, hasCats := kf.Value("install", "catalogues")
	switch {
	case opts.InstallKey != "" && slices.Contains(debKeys, opts.InstallKey):
		in.Form = "classic"
		c, err := classicCatalogue(kf, opts)
		if err != nil {
			return nil, err
		}
		in.Catalogues = append(in.Catalogues, *c)
	case len(debKeys) > 0 && !hasCats && !kf.HasGroup("catalogues"):
		want := opts.InstallKey
		if want == "" {
			want = fmt.Sprintf("none for distribution %q: set install-key in aim.conf", opts.Distribution)
		}
		return nil, fmt.Errorf("install file: %w: it has %s, this device reads %s", ErrIncompatible, strings.Join(debKeys, ", "), want)
	case !kf.HasGroup("install") && !kf.HasGroup("catalogues"):
		return nil, errors.New("install file: not an install file: expected an [install] group " +
			"(repo_deb_3 = deb URI DIST COMPONENTS..., package = NAME; or catalogues = NAME;...) or a [catalogues] group (catalogues = NAME;...)")
	default:
		if err := in.readCatalogues(kf, opts); err != nil {
			return nil, err
		}
	}
	if len(in.Catalogues) == 0 && len(in.Packages) == 0 {
		return nil, errors.New("install file: it names no repository and no package")
	}
	return in, nil
}

// repoDebKeys returns the repo_deb and repo_deb_N keys of [install].
func repoDebKeys(kf *KeyFile) []string {
	var out []string
	for _, k := range kf.Keys("install") {
		if k == "repo_deb" || strings.HasPrefix(k, "repo_deb_") && !strings.Contains(k, "[") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// installPackages returns [install]'s package list, trimmed, without
// empty or repeated names.
func installPackages(kf *KeyFile) ([]string, error) {
	if _, ok := kf.Value("install", "package"); !ok {
		return nil, nil
	}
	list, err := kf.StringList("install", "package")
	if err != nil {
		return nil, fmt.Errorf("install file: %w", err)
	}
	if n := countNonEmpty(list); n > MaxPackages {
		return nil, fmt.Errorf("install file: %w: %d packages, at most %d", ErrTooMany, n, MaxPackages)
	}
	var out []string
	for _, p := range list {
		p = strings.TrimSpace(p)
		if p == "" || slices.Contains(out, p) {
			continue
		}
		if err := checkInstallText("package", p); err != nil || strings.ContainsAny(p, " \t") {
			return nil, fmt.Errorf("install file: invalid package name %q", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// countNonEmpty counts the entries of list that are not blank.
func countNonEmpty(list []string) int {
	n := 0
	for _, v := range list {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	return n
}

// classicCatalogue reads the classic form's repository.
func classicCatalogue(kf *KeyFile, opts Options) (*Catalogue, error) {
	line, err := kf.String("install", opts.InstallKey)
	if err != nil {
		return nil, fmt.Errorf("install file: %w", err)
	}
	if err := checkInstallText(opts.InstallKey, line); err != nil {
		return nil, err
	}
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "deb" {
		return nil, fmt.Errorf("install file: %s: want \"deb URI DIST COMPONENT...\", got %q", opts.InstallKey, line)
	}
	c := &Catalogue{Group: "install", URI: f[1], Dist: f[2], Components: f[3:]}
	if c.Name, err = optionalString(kf, "install", "repo_name", opts.Locales); err != nil {
		return nil, err
	}
	if c.KeyURI, err = optionalString(kf, "install", "repo_key_uri", nil); err != nil {
		return nil, err
	}
	return c, c.check()
}

// readCatalogues reads the catalogue form's groups.
func (in *Instructions) readCatalogues(kf *KeyFile, opts Options) error {
	var names, missing []string
	for _, g := range []string{"install", "catalogues"} {
		if _, ok := kf.Value(g, "catalogues"); !ok {
			continue
		}
		list, err := kf.StringList(g, "catalogues")
		if err != nil {
			return fmt.Errorf("install file: %w", err)
		}
		if n := len(names) + countNonEmpty(list); n > MaxCatalogues {
			return fmt.Errorf("install file: %w: %d catalogues, at most %d", ErrTooMany, n, MaxCatalogues)
		}
		for _, n := range list {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for _, n := range names {
		if !kf.HasGroup(n) {
			missing = append(missing, "["+n+"]")
			continue
		}
		c, err := readCatalogue(kf, n, opts.Locales)
		if err != nil {
			return err
		}
		if c.FilterDist != "" && c.FilterDist != opts.Distribution {
			in.Filtered = append(in.Filtered, *c)
			continue
		}
		in.Catalogues = append(in.Catalogues, *c)
	}
	if len(missing) > 0 {
		return fmt.Errorf("install file: catalogue group(s) %s named but missing", strings.Join(missing, ", "))
	}
	if len(in.Catalogues) == 0 && len(in.Filtered) > 0 {
		var dists []string
		for _, c := range in.Filtered {
			dists = append(dists, c.FilterDist)
		}
		return fmt.Errorf("install file: %w: its catalogues are for %s, this device runs %s",
			ErrIncompatible, strings.Join(slices.Compact(dists), ", "), opts.Distribution)
	}
	return nil
}

// readCatalogue reads one catalogue group.
func readCatalogue(kf *KeyFile, group string, locales []string) (*Catalogue, error) {
	c := &Catalogue{Group: group, Components: []string{}}
	var comps string
	var err error
	if c.URI, err = kf.String(group, "uri"); err != nil {
		return nil, fmt.Errorf("install file: catalogue %w", err)
	}
	c.URI = strings.TrimSpace(c.URI)
	for _, f := range []struct {
		key  string
		dst  *string
		locs []string
	}{{"name", &c.Name, locales}, {"dist", &c.Dist, nil}, {"components", &comps, nil},
		{"filter_dist", &c.FilterDist, nil}, {"key_uri", &c.KeyURI, nil}} {
		if *f.dst, err = optionalString(kf, group, f.key, f.locs); err != nil {
			return nil, err
		}
	}
	c.Dist, c.FilterDist = strings.TrimSpace(c.Dist), strings.TrimSpace(c.FilterDist)
	c.Components = append(c.Components, strings.Fields(comps)...)
	if strings.ContainsAny(c.Dist, " \t") {
		return nil, fmt.Errorf("install file: [%s] dist %q has spaces", group, c.Dist)
	}
	if err := checkInstallText(group+" deb line", c.SourceLine("dist")); err != nil {
		return nil, err
	}
	return c, c.check()
}

// optionalString returns the (localised) value of key, "" when absent.
func optionalString(kf *KeyFile, group, key string, locales []string) (string, error) {
	v, err := kf.LocaleString(group, key, locales)
	if errors.Is(err, ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("install file: %w", err)
	}
	if err := checkInstallText(key, v); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

// checkInstallText refuses control characters and overlong values.
func checkInstallText(what, v string) error {
	if len(v) > MaxDebLineLength {
		return fmt.Errorf("install file: %s longer than %d characters", what, MaxDebLineLength)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
		return fmt.Errorf("install file: %s has control characters", what)
	}
	return nil
}

// check refuses URIs other than http, https and file, for the repository
// and its key.
func (c *Catalogue) check() error {
	if c.URI == "" {
		return fmt.Errorf("install file: [%s] has no uri", c.Group)
	}
	if err := checkInstallURI(c.URI); err != nil {
		return fmt.Errorf("install file: [%s] uri: %w", c.Group, err)
	}
	if c.KeyURI != "" {
		if err := checkInstallURI(c.KeyURI); err != nil {
			return fmt.Errorf("install file: [%s] key uri: %w", c.Group, err)
		}
	}
	return nil
}

// checkInstallURI accepts absolute http, https and file URLs.
func checkInstallURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", raw)
		}
	case "file":
		if u.Path == "" || u.Path[0] != '/' {
			return fmt.Errorf("%q is not an absolute file URL", raw)
		}
	default:
		return fmt.Errorf("%q: only http, https and file URLs are allowed", raw)
	}
	if strings.ContainsAny(raw, " \t") {
		return fmt.Errorf("%q has spaces", raw)
	}
	return nil
}
