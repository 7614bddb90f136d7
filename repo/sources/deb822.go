package sources

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"aim/deb"
)

// sourceFieldError is a deb822 source field that is wrong.
type sourceFieldError struct {
	field string
	err   error
}

func (e *sourceFieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *sourceFieldError) Unwrap() error { return e.err }

// FromParagraph reads a paragraph of a .sources file. The Source
// returned has Format Deb822 and no Name, File or Line; it has passed
// the checks that Source documents. Fields other than those Source has
// members for are kept in Extra in order.
func FromParagraph(p *deb.Paragraph) (*Source, error) {
	s := &Source{Format: Deb822, Enabled: true}
	for _, f := range p.Fields {
		if err := s.setDeb822Field(f); err != nil {
			return nil, &sourceFieldError{f.Name, err}
		}
	}
	if err := checkSource(s); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Source) setDeb822Field(f deb.Field) error {
	var err error
	switch strings.ToLower(f.Name) {
	case "types":
		s.Types, err = sourceFieldList(f.Value, strings.Fields, checkSourceTypes)
	case "uris":
		s.URIs, err = sourceFieldList(f.Value, strings.Fields, checkSourceURIs)
	case "suites":
		s.Suites, err = sourceFieldList(f.Value, strings.Fields, nil)
	case "components":
		s.Components, err = sourceFieldList(f.Value, strings.Fields, nil)
	case "architectures":
		s.Architectures, err = sourceFieldList(f.Value, splitSourceList, checkSourceArchs)
	case "architectures-add":
		s.ArchitecturesAdd, err = sourceFieldList(f.Value, splitSourceList, checkSourceArchs)
	case "architectures-remove":
		s.ArchitecturesRemove, err = sourceFieldList(f.Value, splitSourceList, checkSourceArchs)
	case "signed-by":
		s.SignedBy, err = parseSignedBy(f.Value, true)
	case "trusted":
		s.Trusted, err = parseSourceBool(strings.TrimSpace(f.Value))
	case "enabled":
		s.Enabled, err = parseSourceBool(strings.TrimSpace(f.Value))
	default:
		// deb.Paragraph writes a first line without any surrounding space;
		// keep the value as it will be written.
		first, rest, multi := strings.Cut(f.Value, "\n")
		if f.Value = strings.TrimSpace(first); multi {
			f.Value += "\n" + rest
		}
		s.Extra = append(s.Extra, f)
	}
	return err
}

// sourceFieldList splits a list field and checks it, refusing an empty one.
func sourceFieldList(v string, split func(string) []string, check func([]string) error) ([]string, error) {
	l := split(v)
	if len(l) == 0 {
		return nil, errors.New("empty value")
	}
	if check != nil {
		return l, check(l)
	}
	return l, nil
}

// FormatDeb822 returns s as a .sources paragraph that FromParagraph
// reads back equal: Types, URIs, Suites, Components, the architecture
// fields, Signed-By, "Trusted: yes" and "Enabled: no" when they apply, then
// s.Extra in order.
func FormatDeb822(s *Source) *deb.Paragraph {
	p := &deb.Paragraph{}
	add := func(name string, vals []string) {
		if vals != nil {
			p.Set(name, strings.Join(vals, " "))
		}
	}
	add("Types", s.Types)
	add("URIs", s.URIs)
	add("Suites", s.Suites)
	add("Components", s.Components)
	add("Architectures", s.Architectures)
	add("Architectures-Add", s.ArchitecturesAdd)
	add("Architectures-Remove", s.ArchitecturesRemove)
	if !s.SignedBy.IsZero() {
		p.Set("Signed-By", formatSignedBy(s.SignedBy))
	}
	if s.Trusted {
		p.Set("Trusted", "yes")
	}
	if !s.Enabled {
		p.Set("Enabled", "no")
	}
	for _, f := range s.Extra {
		p.Set(f.Name, f.Value)
	}
	return p
}

// WriteDeb822 writes sources as the paragraphs of a .sources file.
func WriteDeb822(w io.Writer, sources []Source) error {
	paras := make([]*deb.Paragraph, len(sources))
	for i := range sources {
		paras[i] = FormatDeb822(&sources[i])
	}
	if err := deb.WriteParagraphs(w, paras); err != nil {
		return fmt.Errorf("write sources: %w", err)
	}
	return nil
}

// ParseDeb822 parses the contents of a .sources file whose path
// inside the root is file (it gives the names and the error messages). It
// returns every good paragraph, in order, and an errors.Join of a
// *Error for each bad one: a bad paragraph hides no other. A bad
// paragraph with "Enabled: no" is skipped without error, as apt does.
func ParseDeb822(file string, data []byte) ([]Source, error) {
	return collectSources(scanSourcesDeb822(file, splitSourceLines(data)))
}

// ParseList parses the contents of a one-line sources file (as
// ParseDeb822 does for .sources files). Commented-out entries
// ("# deb ...") are returned disabled; other comments are skipped.
func ParseList(file string, data []byte) ([]Source, error) {
	return collectSources(scanSourcesList(file, splitSourceLines(data)))
}

func collectSources(entries []sourceEntry) ([]Source, error) {
	var out []Source
	var errs []error
	for _, e := range entries {
		switch {
		case e.ignored:
		case e.err != nil:
			errs = append(errs, e.err)
		default:
			out = append(out, *e.src)
		}
	}
	return out, errors.Join(errs...)
}
