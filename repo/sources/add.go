package sources

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"aim/deb/rootfs"
)

// maxSourceKeySize bounds a key given to AddLine.
const maxSourceKeySize = 1 << 20

// AddOptions are the choices of AddLine and AddFile.
type AddOptions struct {
	// Name is the new source's name and file stem. "" derives one from the
	// first URI's host and the first suite ("deb.example.org-stable"),
	// adding "-2", "-3", ... when that is taken; a Name given and taken is
	// an error.
	Name string
	// Key, for AddLine only, is the OpenPGP public key (armored or
	// binary) that must sign the source's Release files. It is installed as
	// etc/aim/keyrings/NAME.asc (or .gpg) and named by Signed-By.
	Key []byte
}

// AddLine adds the one-line entry line ("deb [OPTIONS] URI SUITE
// COMPONENT...") as a new deb822 file, etc/aim/sources.list.d/NAME.sources.
// It refuses an invalid line, a name already used, a keyring that the line
// names and that is not under root, and a duplicate: a source with a type,
// URI and suite in common with one already present, enabled or not. It
// returns the new source as Load reads it.
func AddLine(root, line string, opts AddOptions) (*Source, error) {
	s, err := ParseLine(line)
	if err != nil {
		return nil, fmt.Errorf("invalid source line: %w", err)
	}
	s.Format = Deb822
	files, _ := readSourceFiles(root)
	if err := checkNewSources(root, files, []*Source{s}); err != nil {
		return nil, err
	}
	name, err := newSourceName(root, files, opts.Name, s)
	if err != nil {
		return nil, err
	}
	var keyring string
	if opts.Key != nil {
		if keyring, err = installSourceKey(root, name, s, opts.Key); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := WriteDeb822(&b, []Source{*s}); err != nil {
		return nil, err
	}
	added, err := writeNewSourcesFile(root, name+".sources", b.Bytes())
	if err != nil && keyring != "" {
		os.Remove(keyring)
	}
	if err != nil {
		return nil, err
	}
	return &added[0], nil
}

// AddFile adds a sources file: data is the contents of a file called
// filename, a .list (one-line) or .sources (deb822) file, copied as is
// into etc/aim/sources.list.d/NAME.list or NAME.sources, NAME being
// opts.Name or else filename's stem. Every entry must be valid, name only
// keyrings under root and duplicate no source present (as AddLine
// checks). It returns the new sources as Load reads them.
func AddFile(root, filename string, data []byte, opts AddOptions) ([]Source, error) {
	ext := path.Ext(filepath.Base(filename))
	if ext != ".list" && ext != ".sources" {
		return nil, fmt.Errorf("%s: a sources file must end in .list or .sources", filename)
	}
	if opts.Key != nil {
		return nil, errors.New("a key cannot be added with a sources file: name it in the file's signed-by")
	}
	parse := ParseList
	if ext == ".sources" {
		parse = ParseDeb822
	}
	srcs, err := parse(filename, data)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%s: no source entries", filename)
	}
	files, _ := readSourceFiles(root)
	if err := checkNewSources(root, files, sourcePointers(srcs)); err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = strings.TrimSuffix(filepath.Base(filename), ext)
	}
	name, err := newSourceName(root, files, opts.Name, nil)
	if err != nil {
		return nil, err
	}
	return writeNewSourcesFile(root, name+ext, data)
}

func sourcePointers(srcs []Source) []*Source {
	out := make([]*Source, len(srcs))
	for i := range srcs {
		out[i] = &srcs[i]
	}
	return out
}

// checkNewSources refuses sources that name a keyring not under root or
// that duplicate a source of files.
func checkNewSources(root string, files []*sourceFile, srcs []*Source) error {
	for _, s := range srcs {
		if err := checkSourceFiles(root, s); err != nil {
			return err
		}
		for _, f := range files {
			for _, e := range f.entries {
				if e.src != nil && sourcesOverlap(s, e.src) {
					return duplicateSourceError(s, e.src)
				}
			}
		}
	}
	return nil
}

func duplicateSourceError(s, old *Source) error {
	state := ""
	if !old.Enabled {
		state = ", disabled"
	}
	return fmt.Errorf("%s %s is already configured as source %s (%s:%d%s)",
		s.URIs[0], s.Suites[0], old.Name, old.File, old.Line, state)
}

// sourcesOverlap reports whether a and b share a type, a URI (as
// SameURI compares them) and a suite.
func sourcesOverlap(a, b *Source) bool {
	shares := func(x, y []string, same func(string, string) bool) bool {
		return slices.ContainsFunc(x, func(v string) bool {
			return slices.ContainsFunc(y, func(w string) bool { return same(v, w) })
		})
	}
	equal := func(v, w string) bool { return v == w }
	return shares(a.Types, b.Types, equal) && shares(a.URIs, b.URIs, SameURI) && shares(a.Suites, b.Suites, equal)
}

// newSourceName checks name, or derives one from s when name is "".
func newSourceName(root string, files []*sourceFile, name string, s *Source) (string, error) {
	if name != "" {
		if err := checkSourceName(name); err != nil {
			return "", err
		}
		if sourceNameTaken(root, files, name) {
			return "", fmt.Errorf("source name %q is already used", name)
		}
		return name, nil
	}
	base := deriveSourceName(s)
	for n := 1; n < 1000; n++ {
		name = base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		if !sourceNameTaken(root, files, name) {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free source name like %q", base)
}

// checkSourceName accepts what sources.list.d file names may hold before
// the extension: letters, digits, "_", "-" and ".", starting with a letter
// or digit; "sources" (the stem of sources.list) is reserved.
func checkSourceName(name string) error {
	if name == "sources" {
		return errors.New("source name \"sources\" is reserved")
	}
	if name == "" || len(name) > 100 || !isASCIILetter(name[0]) && !('0' <= name[0] && name[0] <= '9') {
		return fmt.Errorf("invalid source name %q: must start with a letter or digit (at most 100 characters)", name)
	}
	if !sourceFileName(name + ".list") {
		return fmt.Errorf("invalid source name %q: use letters, digits, \"_\", \"-\" and \".\"", name)
	}
	return nil
}

// sourceNameTaken reports whether a file of sources.list.d has the stem
// name, or an entry the name name or "name:N".
func sourceNameTaken(root string, files []*sourceFile, name string) bool {
	for _, ext := range []string{".list", ".sources"} {
		if _, err := os.Lstat(filepath.Join(root, Dir, name+ext)); err == nil {
			return true
		}
	}
	for _, f := range files {
		for _, e := range f.entries {
			if e.name == name || strings.HasPrefix(e.name, name+":") {
				return true
			}
		}
	}
	return name == "sources"
}

// deriveSourceName makes a name from the first URI's host (or last path
// element for file URIs) and the first suite.
func deriveSourceName(s *Source) string {
	var parts []string
	if u, err := url.Parse(s.URIs[0]); err == nil {
		if u.Host != "" {
			parts = append(parts, u.Hostname())
		} else {
			parts = append(parts, path.Base(u.Path))
		}
	}
	parts = append(parts, strings.ReplaceAll(path.Clean("/" + s.Suites[0])[1:], "/", "-"))
	var b strings.Builder
	for _, p := range parts {
		if b.Len() > 0 && p != "" {
			b.WriteByte('-')
		}
		for i := 0; i < len(p); i++ {
			if c := p[i]; isASCIILetter(c) || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' {
				b.WriteByte(c)
			} else {
				b.WriteByte('-')
			}
		}
	}
	name := strings.Trim(b.String(), "-._")
	if len(name) > 80 {
		name = strings.Trim(name[:80], "-._")
	}
	if checkSourceName(name) != nil {
		return "source"
	}
	return name
}

// installSourceKey writes key as etc/aim/keyrings/NAME.asc or .gpg and
// makes s name it. It returns the file written.
func installSourceKey(root, name string, s *Source, key []byte) (string, error) {
	if !s.SignedBy.IsZero() {
		return "", errors.New("the source line already names its keys (signed-by): give no other key")
	}
	ext, err := sourceKeyKind(key)
	if err != nil {
		return "", err
	}
	rel := KeyringsDir + "/" + name + ext
	host := filepath.Join(root, filepath.FromSlash(rel))
	if _, err := os.Lstat(host); err == nil {
		return "", fmt.Errorf("keyring /%s already exists", rel)
	}
	if err := os.MkdirAll(filepath.Dir(host), 0o755); err != nil {
		return "", fmt.Errorf("install key: %w", err)
	}
	if err := rootfs.WriteFile(host, key, 0o644); err != nil {
		return "", fmt.Errorf("install key: %w", err)
	}
	s.SignedBy = SignedBy{Keyrings: []string{"/" + rel}}
	return host, nil
}

// sourceKeyKind tells an armored public key (".asc") from a binary one
// (".gpg", whose first packet must be a public key) and refuses the rest,
// private keys in particular. The signature checker reads the key fully.
func sourceKeyKind(key []byte) (string, error) {
	t := bytes.TrimSpace(key)
	switch {
	case len(key) > maxSourceKeySize:
		return "", fmt.Errorf("key larger than %d bytes", maxSourceKeySize)
	case bytes.HasPrefix(t, []byte(armorPublicBegin)):
		if !bytes.Contains(t, []byte(armorPublicEnd)) {
			return "", errors.New("armored key has no end line")
		}
		return ".asc", nil
	case bytes.HasPrefix(t, []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")):
		return "", errors.New("this is a private key: give the public key")
	case len(key) == 0 || key[0]&0x80 == 0:
		return "", errors.New("not an OpenPGP public key (armored or binary)")
	}
	tag := key[0] >> 2 & 0x0f // old packet format
	if key[0]&0x40 != 0 {
		tag = key[0] & 0x3f
	}
	switch tag {
	case 6:
		return ".gpg", nil
	case 5:
		return "", errors.New("this is a private key: give the public key")
	}
	return "", fmt.Errorf("not an OpenPGP public key (first packet has tag %d)", tag)
}

// writeNewSourcesFile writes data as sources.list.d/file and returns its
// sources as read back.
func writeNewSourcesFile(root, file string, data []byte) ([]Source, error) {
	dir := filepath.Join(root, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("add source: %w", err)
	}
	if err := rootfs.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
		return nil, fmt.Errorf("add source: %w", err)
	}
	return collectSources(readSourceFile(root, Dir+"/"+file).entries)
}
