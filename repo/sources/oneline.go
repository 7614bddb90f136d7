package sources

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"aim/deb"
)

// sourceLineOptions maps the one-line options apt knows, other than arch,
// signed-by and trusted (which have Source members), to their deb822 field
// names. Options not listed here are kept under their own name.
var sourceLineOptions = map[string]string{
	"lang": "Languages", "lang+": "Languages-Add", "lang-": "Languages-Remove",
	"target": "Targets", "target+": "Targets-Add", "target-": "Targets-Remove",
	"pdiffs": "PDiffs", "by-hash": "By-Hash",
	"allow-insecure": "Allow-Insecure", "allow-weak": "Allow-Weak",
	"allow-downgrade-to-insecure": "Allow-Downgrade-To-Insecure",
	"check-valid-until":           "Check-Valid-Until",
	"valid-until-min":             "Valid-Until-Min", "valid-until-max": "Valid-Until-Max",
	"check-date": "Check-Date", "date-max-future": "Date-Max-Future",
	"inrelease-path": "InRelease-Path", "snapshot": "Snapshot",
	"include": "Include", "exclude": "Exclude",
}

// sourceCoreFields are the deb822 fields Source has members for; no other
// option may take their names.
var sourceCoreFields = []string{"Types", "URIs", "Suites", "Components", "Architectures",
	"Architectures-Add", "Architectures-Remove", "Signed-By", "Trusted", "Enabled"}

// ParseLine parses a one-line entry,
// "deb [OPT=VAL ...] URI SUITE [COMPONENT...]" or "deb-src ...", after
// removing a "#" comment. The Source returned has Format OneLine,
// Enabled true and no Name, File or Line; it has passed the checks that
// Source documents. A blank or comment-only line is an error.
func ParseLine(line string) (*Source, error) {
	line, _, _ = strings.Cut(line, "#")
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, errors.New("empty entry")
	}
	typ, rest := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		typ, rest = line[:i], strings.TrimSpace(line[i:])
	}
	s := &Source{Format: OneLine, Enabled: true, Types: []string{typ}}
	if err := checkSourceTypes(s.Types); err != nil {
		return nil, err
	}
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, errors.New("missing \"]\" after options")
		}
		if err := s.setLineOptions(rest[1:end]); err != nil {
			return nil, err
		}
		rest = rest[end+1:]
	}
	words := strings.Fields(rest)
	if len(words) < 2 {
		return nil, errors.New("expected URI and suite")
	}
	s.URIs, s.Suites = words[:1], words[1:2]
	if len(words) > 2 {
		s.Components = words[2:]
	}
	if err := checkSource(s); err != nil {
		return nil, err
	}
	return s, nil
}

// setLineOptions applies the key=value options found between brackets.
func (s *Source) setLineOptions(opts string) error {
	seen := map[string]bool{}
	for _, o := range strings.Fields(opts) {
		key, val, ok := strings.Cut(o, "=")
		switch {
		case !ok:
			return fmt.Errorf("option %q is not KEY=VALUE", o)
		case !validSourceOptionName(key):
			return fmt.Errorf("invalid option name %q", key)
		case val == "":
			return fmt.Errorf("option %q has no value", key)
		case strings.ContainsAny(val, "[\""):
			return fmt.Errorf("option %q: invalid value %q", key, val)
		}
		name := sourceOptionField(key)
		if name == key && slices.ContainsFunc(sourceCoreFields, func(f string) bool { return strings.EqualFold(f, key) }) {
			return fmt.Errorf("unknown option %q", key)
		}
		if seen[strings.ToLower(name)] {
			return fmt.Errorf("option %q given twice", key)
		}
		seen[strings.ToLower(name)] = true
		if err := s.setLineOption(key, name, val); err != nil {
			return fmt.Errorf("option %s: %w", key, err)
		}
	}
	return nil
}

func (s *Source) setLineOption(key, name, val string) error {
	var err error
	switch key {
	case "arch":
		s.Architectures = strings.Split(val, ",")
		err = checkSourceArchs(s.Architectures)
	case "arch+":
		s.ArchitecturesAdd = strings.Split(val, ",")
		err = checkSourceArchs(s.ArchitecturesAdd)
	case "arch-":
		s.ArchitecturesRemove = strings.Split(val, ",")
		err = checkSourceArchs(s.ArchitecturesRemove)
	case "signed-by":
		s.SignedBy, err = parseSignedBy(val, false)
	case "trusted":
		s.Trusted, err = parseSourceBool(val)
	default:
		s.Extra = append(s.Extra, deb.Field{Name: name, Value: val})
	}
	return err
}

// sourceOptionField returns the deb822 name of a one-line option.
func sourceOptionField(key string) string {
	switch key {
	case "arch":
		return "Architectures"
	case "arch+":
		return "Architectures-Add"
	case "arch-":
		return "Architectures-Remove"
	case "signed-by":
		return "Signed-By"
	case "trusted":
		return "Trusted"
	}
	if f, ok := sourceLineOptions[key]; ok {
		return f
	}
	for _, f := range sourceLineOptions {
		if strings.EqualFold(f, key) {
			return f // "Languages=de" is lang=de
		}
	}
	return key
}

// sourceFieldOption returns the one-line name of a deb822 field.
func sourceFieldOption(name string) string {
	for k, f := range sourceLineOptions {
		if strings.EqualFold(f, name) {
			return k
		}
	}
	return name
}

// validSourceOptionName accepts a letter followed by letters, digits and
// "-_.", with an optional final "+" or "-" (arch+=, arch-=).
func validSourceOptionName(k string) bool {
	k = strings.TrimRight(k, "+-")
	if k == "" || !isASCIILetter(k[0]) {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// FormatLine returns s as a one-line entry that ParseLine reads
// back equal, commented out ("# deb ...") when s is disabled. It fails for
// a source that has no one-line form: several types, URIs or suites, an
// inline key, or an option that cannot be written inside brackets.
func FormatLine(s *Source) (string, error) {
	if len(s.Types) != 1 || len(s.URIs) != 1 || len(s.Suites) != 1 {
		return "", errors.New("a source with several types, URIs or suites has no one-line form")
	}
	if s.SignedBy.Key != "" {
		return "", errors.New("a source with an inline signed-by key has no one-line form")
	}
	opts, err := formatLineOptions(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if !s.Enabled {
		b.WriteString("# ")
	}
	b.WriteString(s.Types[0])
	if len(opts) > 0 {
		b.WriteString(" [" + strings.Join(opts, " ") + "]")
	}
	for _, w := range append([]string{s.URIs[0], s.Suites[0]}, s.Components...) {
		b.WriteString(" " + w)
	}
	return b.String(), nil
}

func formatLineOptions(s *Source) ([]string, error) {
	var opts []string
	add := func(key string, vals []string) {
		if vals != nil {
			opts = append(opts, key+"="+strings.Join(vals, ","))
		}
	}
	add("arch", s.Architectures)
	add("arch+", s.ArchitecturesAdd)
	add("arch-", s.ArchitecturesRemove)
	if !s.SignedBy.IsZero() {
		add("signed-by", append(append([]string(nil), s.SignedBy.Keyrings...), s.SignedBy.Fingerprints...))
	}
	if s.Trusted {
		opts = append(opts, "trusted=yes")
	}
	for _, f := range s.Extra {
		key, val := sourceFieldOption(f.Name), f.Value
		if strings.ContainsFunc(val, unicode.IsSpace) { // a deb822 list
			val = strings.Join(splitSourceList(val), ",")
		}
		if !validSourceOptionName(key) || val == "" || strings.ContainsAny(val, "[]\"#") {
			return nil, fmt.Errorf("field %s: no one-line form", f.Name)
		}
		opts = append(opts, key+"="+val)
	}
	return opts, nil
}
