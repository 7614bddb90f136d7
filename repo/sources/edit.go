package sources

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"aim/deb/rootfs"
)

// ErrNotFound is returned (wrapped) when no source has the name or
// URI asked for.
var ErrNotFound = errors.New("no such source")

// Change tells what an edit did to one source.
type Change struct {
	Name string
	File string // absolute path inside the root
	Line int    // the entry's line before the edit
	// Changed is false when the source was already as asked.
	Changed bool
}

// sourceRef is one entry of one file.
type sourceRef struct {
	f *sourceFile
	i int
}

func (r sourceRef) entry() *sourceEntry { return &r.f.entries[r.i] }

// SetEnabled enables or disables the sources key names (see
// Find: a name, else every source with that URI). Invalid entries
// can be named too, so that a broken source can be turned off.
//
// A one-line entry is disabled by putting "# " before it and enabled by
// removing the leading "#"s; a deb822 paragraph gets "Enabled: no" or loses
// its Enabled field. Every other line of the file stays as it was, so
// names do not change. Each file is replaced atomically, and only after
// the edited text was read back with the wanted state.
func SetEnabled(root, key string, enabled bool) ([]Change, error) {
	return editSources(root, key, func(lines []string, r sourceRef) ([]string, bool) {
		if r.f.deb822 {
			return setParagraphEnabled(lines, r.entry(), enabled)
		}
		return setLineEnabled(lines, r.entry(), enabled)
	}, func(e *sourceEntry) bool { return e.src == nil || e.src.Enabled == enabled })
}

// Remove removes the sources key names (as SetEnabled finds
// them). A one-line entry becomes an empty line, so that the entries after
// it keep their names; a deb822 paragraph is removed with the comments
// right before it and one blank line, which renumbers the "STEM:N" names of
// the paragraphs after it. A file of sources.list.d left with nothing but
// blank lines is deleted, and so is a keyring that AddLine installed
// for a removed source (etc/aim/keyrings/STEM.*) once no source names it.
func Remove(root, key string) ([]Change, error) {
	var removed []*Source
	changes, err := editSources(root, key, func(lines []string, r sourceRef) ([]string, bool) {
		e := r.entry()
		if e.src != nil {
			removed = append(removed, e.src)
		}
		if !r.f.deb822 {
			lines[e.first] = ""
			return lines, true
		}
		return removeParagraph(lines, e.first, e.last), true
	}, nil)
	if err != nil {
		return changes, err
	}
	return changes, removeSourceKeyrings(root, removed)
}

// editSources applies edit to each entry key names, file by file and from
// the last entry of a file to the first so that line indexes stay valid.
// check, when set, tells whether an entry of the edited text is as wanted.
func editSources(root, key string, edit func([]string, sourceRef) ([]string, bool), check func(*sourceEntry) bool) ([]Change, error) {
	files, errs := readSourceFiles(root)
	refs, err := findSourceEntries(files, key)
	if err != nil {
		return nil, errors.Join(append([]error{err}, errs...)...)
	}
	changes := make([]Change, len(refs))
	for start := 0; start < len(refs); {
		end := start + 1
		for end < len(refs) && refs[end].f == refs[start].f {
			end++
		}
		if err := editSourceFile(refs[start:end], changes[start:end], edit, check); err != nil {
			return changes[:start], err
		}
		start = end
	}
	return changes, nil
}

// editSourceFile edits the entries refs of one file and writes it.
func editSourceFile(refs []sourceRef, changes []Change, edit func([]string, sourceRef) ([]string, bool), check func(*sourceEntry) bool) error {
	f := refs[0].f
	lines := slices.Clone(f.lines)
	dirty := false
	for k := len(refs) - 1; k >= 0; k-- {
		e := refs[k].entry()
		changes[k] = Change{Name: e.name, File: f.path, Line: e.first + 1}
		if e.src != nil {
			changes[k].Line = e.src.Line
		}
		lines, changes[k].Changed = edit(lines, refs[k])
		dirty = dirty || changes[k].Changed
	}
	if !dirty {
		return nil
	}
	if check != nil {
		if err := checkSourceEdit(f, refs, lines, check); err != nil {
			return err
		}
	}
	return f.write(lines)
}

// checkSourceEdit reads the edited text back and checks every edited entry
// that was valid.
func checkSourceEdit(f *sourceFile, refs []sourceRef, lines []string, check func(*sourceEntry) bool) error {
	after := &sourceFile{path: f.path, deb822: f.deb822}
	after.scan([]byte(strings.Join(lines, "\n")))
	for _, r := range refs {
		if r.entry().src == nil {
			continue
		}
		i := slices.IndexFunc(after.entries, func(e sourceEntry) bool { return e.name == r.entry().name })
		if i < 0 || !check(&after.entries[i]) {
			return fmt.Errorf("%s: cannot edit source %s (file left unchanged)", f.path, r.entry().name)
		}
	}
	return nil
}

// findSourceEntries returns the entries key names: the entry called key
// (an error when several are), else the valid entries with key among
// their URIs.
func findSourceEntries(files []*sourceFile, key string) ([]sourceRef, error) {
	var byName, byURI []sourceRef
	for _, f := range files {
		for i, e := range f.entries {
			switch {
			case e.name == key:
				byName = append(byName, sourceRef{f, i})
			case e.src != nil && e.src.Matches(key):
				byURI = append(byURI, sourceRef{f, i})
			}
		}
	}
	switch {
	case len(byName) > 1:
		var where []string
		for _, r := range byName {
			where = append(where, r.f.path)
		}
		return nil, fmt.Errorf("source name %q is ambiguous: it names entries of %s", key, strings.Join(where, " and "))
	case len(byName) == 1:
		return byName, nil
	case len(byURI) == 0:
		return nil, fmt.Errorf("source %q: %w", key, ErrNotFound)
	}
	return byURI, nil
}

// setLineEnabled comments a one-line entry out or back in.
func setLineEnabled(lines []string, e *sourceEntry, enabled bool) ([]string, bool) {
	switch l := lines[e.first]; {
	case enabled && e.commented:
		lines[e.first] = strings.TrimLeft(strings.TrimLeft(strings.TrimLeft(l, " \t"), "#"), " \t")
	case !enabled && !e.commented:
		lines[e.first] = "# " + l
	default:
		return lines, false
	}
	return lines, true
}

// setParagraphEnabled adds, replaces or removes a paragraph's Enabled field.
func setParagraphEnabled(lines []string, e *sourceEntry, enabled bool) ([]string, bool) {
	at, end, value := enabledField(lines, e.first, e.last)
	state := true // no Enabled field
	switch {
	case value != nil:
		state = *value
	case at >= 0:
		state = !enabled // unreadable: rewrite it
	}
	if state == enabled {
		return lines, false
	}
	if enabled {
		return slices.Delete(lines, at, end), true
	}
	field := "Enabled: no"
	if strings.HasSuffix(lines[e.first], "\r") {
		field += "\r"
	}
	if at >= 0 {
		return slices.Replace(lines, at, end, field), true
	}
	return slices.Insert(lines, e.last+1, field), true
}

// enabledField finds the Enabled field among lines[first:last+1]: the
// index of its line (-1 when absent), the index after its last
// continuation line, and its value when it reads as a boolean on one line.
func enabledField(lines []string, first, last int) (at, end int, value *bool) {
	for at = first; at <= last; at++ {
		if n, _, _ := strings.Cut(lines[at], ":"); isDeb822FieldLine(lines[at]) && strings.EqualFold(strings.TrimSpace(n), "Enabled") {
			break
		}
	}
	if at > last {
		return -1, -1, nil
	}
	for end = at + 1; end <= last && lines[end] != "" && (lines[end][0] == ' ' || lines[end][0] == '\t'); end++ {
	}
	_, v, _ := strings.Cut(lines[at], ":")
	if b, err := parseSourceBool(strings.TrimSpace(v)); err == nil && end == at+1 {
		value = &b
	}
	return at, end, value
}

// removeParagraph deletes lines[first:last+1] and one blank line next to it.
func removeParagraph(lines []string, first, last int) []string {
	switch {
	case last+1 < len(lines) && blankSourceLine(lines[last+1]):
		last++
	case first > 0 && blankSourceLine(lines[first-1]):
		first--
	}
	return slices.Delete(lines, first, last+1)
}

// write replaces the file with lines, or deletes a file of sources.list.d
// that holds nothing but blank lines.
func (f *sourceFile) write(lines []string) error {
	if strings.HasPrefix(f.path, "/"+Dir+"/") && !slices.ContainsFunc(lines, func(l string) bool { return !blankSourceLine(l) }) {
		if err := os.Remove(f.host); err != nil {
			return fmt.Errorf("remove empty sources file: %w", err)
		}
		return nil
	}
	mode := f.mode
	if mode == 0 { // a file with no permission bits is written readable
		mode = 0o644
	}
	if err := rootfs.WriteFile(f.host, []byte(strings.Join(lines, "\n")), mode); err != nil {
		return fmt.Errorf("write %s: %w", f.host, err)
	}
	return nil
}

// removeSourceKeyrings deletes the keyrings of etc/aim/keyrings named
// after a removed source's file stem that no remaining source names.
func removeSourceKeyrings(root string, removed []*Source) error {
	var candidates []string
	for _, s := range removed {
		for _, k := range s.SignedBy.Keyrings {
			dir, base := path.Split(path.Clean(k))
			stem := strings.TrimSuffix(base, path.Ext(base))
			if dir == "/"+KeyringsDir+"/" && stem == sourceStem(s.File) {
				candidates = append(candidates, path.Clean(k))
			}
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	files, _ := readSourceFiles(root)
	for _, f := range files {
		for _, e := range f.entries {
			if e.src != nil {
				candidates = slices.DeleteFunc(candidates, func(k string) bool {
					return slices.ContainsFunc(e.src.SignedBy.Keyrings, func(o string) bool { return path.Clean(o) == k })
				})
			}
		}
	}
	for _, k := range candidates {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(k))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove keyring of removed source: %w", err)
		}
	}
	return nil
}
