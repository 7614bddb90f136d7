package sources

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"

	"aim/deb"
	"aim/deb/rootfs"
)

// checkSource reports the first thing wrong with a parsed source, or nil.
// It looks at the entry alone; checkSourceFiles looks under the root.
func checkSource(s *Source) error {
	if err := checkSourceLists(s); err != nil {
		return err
	}
	if err := checkSourceTypes(s.Types); err != nil {
		return err
	}
	if err := checkSourceURIs(s.URIs); err != nil {
		return err
	}
	if err := checkSourceSuites(s); err != nil {
		return err
	}
	for _, field := range [][]string{s.Architectures, s.ArchitecturesAdd, s.ArchitecturesRemove} {
		if err := checkSourceArchs(field); err != nil {
			return err
		}
	}
	return nil
}

func checkSourceArchs(archs []string) error {
	for _, a := range archs {
		if err := deb.CheckArchName(a); err != nil {
			return err
		}
	}
	return nil
}

func checkSourceTypes(types []string) error {
	for _, t := range types {
		if t != TypeDeb && t != TypeDebSrc {
			return fmt.Errorf("unknown type %q (expected deb or deb-src)", t)
		}
	}
	return nil
}

func checkSourceURIs(uris []string) error {
	for _, u := range uris {
		if err := checkSourceURI(u); err != nil {
			return err
		}
	}
	return nil
}

func checkSourceLists(s *Source) error {
	switch {
	case len(s.Types) == 0:
		return errors.New("no type (Types)")
	case len(s.URIs) == 0:
		return errors.New("no URI (URIs)")
	case len(s.Suites) == 0:
		return errors.New("no suite (Suites)")
	}
	return nil
}

// checkSourceSuites checks suites and components and apt's rule that a
// flat suite (ending in "/") takes no components and any other needs some.
func checkSourceSuites(s *Source) error {
	for _, su := range s.Suites {
		if err := CheckWord("suite", su, IsFlatSuite(su)); err != nil {
			return err
		}
		switch {
		case IsFlatSuite(su) && len(s.Components) > 0:
			return fmt.Errorf("flat suite %q (ending in \"/\") takes no components", su)
		case !IsFlatSuite(su) && len(s.Components) == 0:
			return fmt.Errorf("suite %q needs a component (or a final \"/\" for a flat repository)", su)
		}
	}
	for _, c := range s.Components {
		if err := CheckWord("component", c, false); err != nil {
			return err
		}
	}
	return nil
}

// CheckWord checks a suite or component: printable ASCII without
// quotes, brackets, "#", "%", "?" or "\", and "/"-separated parts that are
// neither empty, "." nor ".." (a flat suite may be "/" or "./" and may
// start with "/", but never holds "..").
// CheckWord accepts w as a suite or component name (what names it in
// errors): not empty, printable ASCII without blanks or any of "#%?[\]
// and ", and no ".." path part; nor "" or "." parts unless flat (a flat
// suite such as "./"). The publisher checks its dists and components with
// it, so what it publishes is what a source may name.
func CheckWord(what, w string, flat bool) error {
	if w == "" {
		return fmt.Errorf("empty %s", what)
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("\"#%?[\\]", c) >= 0 {
			return fmt.Errorf("invalid %s %q: character %q not allowed", what, w, c)
		}
	}
	for _, part := range strings.Split(strings.TrimSuffix(w, "/"), "/") {
		if part == ".." || !flat && (part == "" || part == ".") {
			return fmt.Errorf("invalid %s %q: %q not allowed as a path part", what, w, part)
		}
	}
	return nil
}

// checkSourceURI accepts absolute http, https and file URIs without query
// or fragment, and says clearly why any other is refused.
func checkSourceURI(raw string) error {
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok || scheme == "" {
		return fmt.Errorf("invalid URI %q: no scheme", raw)
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "file":
	default:
		return fmt.Errorf("unsupported URI scheme %q in %q (aim reads http, https and file)", scheme, raw)
	}
	if strings.ContainsAny(raw, "\"#") {
		return fmt.Errorf("invalid URI %q: quotes and \"#\" not allowed", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid URI: %w", err)
	}
	switch {
	case u.Opaque != "":
		return fmt.Errorf("invalid URI %q: expected %s://", raw, scheme)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("invalid URI %q: no query or fragment allowed", raw)
	case u.Scheme != "file" && u.Host == "":
		return fmt.Errorf("invalid URI %q: no host", raw)
	case u.Scheme == "file" && (u.Host != "" && u.Host != "localhost" || !strings.HasPrefix(u.Path, "/")):
		return fmt.Errorf("invalid URI %q: expected file:/PATH or file:///PATH", raw)
	}
	return nil
}

// parseSignedBy reads a signed-by option or Signed-By field: a list of
// absolute keyring paths and fingerprints separated by blanks or commas,
// or (deb822 only) an inline armored key block.
func parseSignedBy(v string, inlineOK bool) (SignedBy, error) {
	var sb SignedBy
	if strings.Contains(v, "-----BEGIN PGP") {
		if !inlineOK {
			return sb, errors.New("inline keys are allowed only in .sources files")
		}
		key, err := parseInlineKey(v)
		sb.Key = key
		return sb, err
	}
	for _, item := range splitSourceList(v) {
		switch {
		case strings.HasPrefix(item, "/"):
			sb.Keyrings = append(sb.Keyrings, item)
		case isFingerprint(item):
			sb.Fingerprints = append(sb.Fingerprints, item)
		default:
			return sb, fmt.Errorf("%q is neither an absolute keyring path nor a key fingerprint", item)
		}
	}
	if sb.IsZero() {
		return sb, errors.New("empty value")
	}
	return sb, nil
}

const (
	armorPublicBegin = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
	armorPublicEnd   = "-----END PGP PUBLIC KEY BLOCK-----"
)

// parseInlineKey returns the armored key block of a Signed-By value as
// text (see deb.TextLines), each line without trailing blanks, ending in
// "\n".
func parseInlineKey(v string) (string, error) {
	lines := deb.TextLines(v)
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t\r")
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) < 2 || lines[0] != armorPublicBegin || lines[len(lines)-1] != armorPublicEnd {
		return "", fmt.Errorf("inline key must be one %q ... %q block", armorPublicBegin, armorPublicEnd)
	}
	return strings.Join(lines, "\n") + "\n", nil
}

// formatSignedBy is the inverse of parseSignedBy.
func formatSignedBy(sb SignedBy) string {
	if sb.Key != "" {
		return deb.FormatText("", strings.Split(strings.TrimSuffix(sb.Key, "\n"), "\n"))
	}
	return strings.Join(append(append([]string(nil), sb.Keyrings...), sb.Fingerprints...), " ")
}

// isFingerprint accepts a v4 (40 hex digits) or v6 (64) key fingerprint,
// optionally followed by "!".
func isFingerprint(s string) bool {
	s = strings.TrimSuffix(s, "!")
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

// parseSourceBool reads a boolean option as apt does (yes/no and the
// synonyms apt's StringToBool knows).
func parseSourceBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "true", "with", "on", "enable", "1":
		return true, nil
	case "no", "false", "without", "off", "disable", "0":
		return false, nil
	}
	return false, fmt.Errorf("expected yes or no, not %q", v)
}

// splitSourceList splits a list value on blanks and commas, as apt reads
// multi-valued options and fields.
func splitSourceList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// checkSourceFiles checks what s names under root: every Signed-By keyring
// must be a regular file there.
func checkSourceFiles(root string, s *Source) error {
	for _, k := range s.SignedBy.Keyrings {
		fi, err := os.Stat(rootfs.Root(root).Path(path.Clean(k)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("signed-by keyring %s does not exist", k)
		case err != nil:
			return fmt.Errorf("signed-by keyring: %w", err)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("signed-by keyring %s is not a regular file", k)
		}
	}
	return nil
}
