package sources

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"aim/deb"
	"aim/deb/rootfs"
	"aim/repo/installfile"
)

// maxSourcesFileSize bounds the size of one sources file.
const maxSourcesFileSize = 4 << 20

// sourceEntry is one entry of a sources file, good or bad, with the lines
// it covers: a one-line entry's line, or a paragraph with the comment lines
// in it and right before it.
type sourceEntry struct {
	name        string
	first, last int     // 0-based indexes of the entry's lines, inclusive
	src         *Source // nil when err is set
	err         *Error
	commented   bool // a "# deb ..." line
	// ignored is set for an invalid paragraph with "Enabled: no": like
	// apt, which skips it unread, Load does not report it.
	ignored bool
}

// sourceFile is a sources file as read: its lines and its entries.
type sourceFile struct {
	path    string // inside the root, "/etc/aim/sources.list"
	host    string // where to open it
	deb822  bool
	mode    fs.FileMode
	lines   []string // without "\n"; a final "" when the file ends in "\n"
	entries []sourceEntry
	err     *Error // the file could not be read
}

// Load reads every sources file under root: etc/aim/sources.list,
// then etc/aim/sources.list.d/*.list and *.sources in name order (other
// files, and names with characters other than letters, digits, "_", "-"
// and ".", are ignored, as apt does). Missing files and directories are
// not errors.
//
// It returns every good source, enabled or not, in file order, and an
// errors.Join of one *Error for each bad entry or unreadable file:
// one bad entry never hides the others. An enabled source whose Signed-By
// keyring is not a file under root counts as bad. A paragraph with
// "Enabled: no" that is otherwise invalid is skipped without an error, as
// apt skips it (and as a "# deb" comment that is not an entry is skipped);
// it keeps its name for SetEnabled and Remove.
//
// dist is the device's distribution (aim.conf's "distribution", which the
// caller reads): DistributionVar in a suite stands for it. "" means
// installfile.DefaultDistribution.
func Load(root, dist string) ([]Source, error) {
	files, errs := readSourceFiles(root)
	if dist == "" {
		dist = installfile.DefaultDistribution
	}
	var out []Source
	for _, f := range files {
		if f.err != nil {
			errs = append(errs, f.err)
		}
		for _, e := range f.entries {
			if e.err == nil && e.src.Enabled {
				if err := checkSourceFiles(root, e.src); err != nil {
					e.err = &Error{File: f.path, Line: e.src.Line, Name: e.name, Msg: err.Error(), Err: err}
				}
			}
			switch {
			case e.ignored:
			case e.err != nil:
				errs = append(errs, e.err)
			default:
				out = append(out, withDistribution(*e.src, dist))
			}
		}
	}
	return out, errors.Join(errs...)
}

// readSourceFiles reads and scans the sources files under root in order.
// The errors returned are about the directory; each file has its own.
func readSourceFiles(root string) ([]*sourceFile, []error) {
	var errs []error
	names := []string{ListFile}
	dir, err := os.ReadDir(rootfs.Root(root).Path(Dir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, &Error{File: "/" + Dir, Msg: "cannot read directory", Err: err})
	}
	for _, de := range dir {
		if sourceFileName(de.Name()) {
			names = append(names, Dir+"/"+de.Name())
		}
	}
	var files []*sourceFile
	for _, n := range names {
		if f := readSourceFile(root, n); f != nil {
			files = append(files, f)
		}
	}
	return files, errs
}

// sourceFileName reports whether a file of sources.list.d is read.
func sourceFileName(name string) bool {
	stem, ok := strings.CutSuffix(name, ".list")
	if !ok {
		stem, ok = strings.CutSuffix(name, ".sources")
	}
	if !ok || stem == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// readSourceFile reads and scans one file (rel is relative to root); it
// returns nil when the file does not exist.
func readSourceFile(root, rel string) *sourceFile {
	f := &sourceFile{path: "/" + rel, host: rootfs.Root(root).Path(rel),
		deb822: strings.HasSuffix(rel, ".sources")}
	data, mode, err := readSourcesBytes(f.host)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		f.err = &Error{File: f.path, Msg: err.Error(), Err: err}
		return f
	}
	f.mode = mode
	f.scan(data)
	return f
}

// scan splits data into lines and entries.
func (f *sourceFile) scan(data []byte) {
	f.lines = splitSourceLines(data)
	if f.deb822 {
		f.entries = scanSourcesDeb822(f.path, f.lines)
	} else {
		f.entries = scanSourcesList(f.path, f.lines)
	}
}

// readSourcesBytes reads a regular file of at most maxSourcesFileSize.
func readSourcesBytes(name string) ([]byte, fs.FileMode, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxSourcesFileSize+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > maxSourcesFileSize {
		return nil, 0, fmt.Errorf("larger than %d bytes", maxSourcesFileSize)
	}
	return data, fi.Mode().Perm(), nil
}

func splitSourceLines(data []byte) []string { return strings.Split(string(data), "\n") }

// sourceStem is the file name without directory and extension.
func sourceStem(file string) string {
	base := path.Base(file)
	if s, ok := strings.CutSuffix(base, ".sources"); ok {
		return s
	}
	return strings.TrimSuffix(base, ".list")
}

// scanSourcesList finds the entries of a one-line file: every line that is
// not blank or a comment, and every comment that reads as an entry once
// its leading "#"s are removed (a disabled entry).
func scanSourcesList(file string, lines []string) []sourceEntry {
	stem := sourceStem(file)
	var out []sourceEntry
	for i, raw := range lines {
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		e := sourceEntry{name: fmt.Sprintf("%s:%d", stem, i+1), first: i, last: i}
		var err error
		if e.commented = t[0] == '#'; e.commented {
			if e.src, err = ParseLine(strings.TrimLeft(t, "#")); err != nil {
				continue // a plain comment
			}
			e.src.Enabled = false
		} else if e.src, err = ParseLine(t); err != nil {
			e.err = &Error{File: file, Line: i + 1, Name: e.name, Msg: err.Error(), Err: err}
		}
		if e.src != nil {
			e.src.Name, e.src.File, e.src.Line = e.name, file, i+1
		}
		out = append(out, e)
	}
	return out
}

// scanSourcesDeb822 finds the paragraphs of a .sources file. Each is read
// on its own, so a syntax error in one does not hide the next.
func scanSourcesDeb822(file string, lines []string) []sourceEntry {
	stem := sourceStem(file)
	chunks := deb822Chunks(lines)
	out := make([]sourceEntry, 0, len(chunks))
	for n, c := range chunks {
		name := stem
		if len(chunks) > 1 {
			name = fmt.Sprintf("%s:%d", stem, n+1)
		}
		out = append(out, parseDeb822Chunk(file, name, lines, c[0], c[1]))
	}
	return out
}

// deb822Chunks returns the first and last index of each run of non-blank
// lines that holds more than comments: the paragraphs, as
// deb.ParagraphReader with Comments set splits them.
func deb822Chunks(lines []string) [][2]int {
	var out [][2]int
	start, fields := -1, false
	for i := 0; i <= len(lines); i++ {
		if i < len(lines) && !blankSourceLine(lines[i]) {
			if start < 0 {
				start = i
			}
			fields = fields || lines[i][0] != '#'
			continue
		}
		if start >= 0 && fields {
			out = append(out, [2]int{start, i - 1})
		}
		start, fields = -1, false
	}
	return out
}

// blankSourceLine is true for a line deb.ParagraphReader reads as blank.
func blankSourceLine(l string) bool { return strings.TrimRight(l, " \t\r") == "" }

func parseDeb822Chunk(file, name string, lines []string, first, last int) sourceEntry {
	e := sourceEntry{name: name, first: first, last: last}
	r := deb.NewParagraphReader(strings.NewReader(strings.Join(lines[first:last+1], "\n")))
	r.Comments = true
	p, err := r.Next()
	if err != nil {
		line, msg := first+1, err.Error()
		var se *deb.SyntaxError
		if errors.As(err, &se) {
			line, msg = first+se.Line, se.Msg
		}
		e.err = &Error{File: file, Line: line, Name: name, Msg: msg}
		return e
	}
	p.Line += first
	s, err := FromParagraph(p)
	if err != nil {
		line := p.Line
		var fe *sourceFieldError
		if errors.As(err, &fe) {
			line = deb822FieldLine(lines, first, last, fe.field, line)
		}
		e.err = &Error{File: file, Line: line, Name: name, Msg: err.Error(), Err: err}
		enabled, berr := parseSourceBool(strings.TrimSpace(p.Get("Enabled")))
		e.ignored = berr == nil && !enabled
		return e
	}
	s.Name, s.File, s.Line = name, file, p.Line
	e.src = s
	return e
}

// deb822FieldLine returns the 1-based line of the field called name among
// lines[first:last+1], or def.
func deb822FieldLine(lines []string, first, last int, name string, def int) int {
	for i := first; i <= last; i++ {
		if n, _, ok := strings.Cut(lines[i], ":"); ok && isDeb822FieldLine(lines[i]) && strings.EqualFold(n, name) {
			return i + 1
		}
	}
	return def
}

// isDeb822FieldLine reports whether a non-blank line starts a field.
func isDeb822FieldLine(l string) bool { return l != "" && strings.IndexByte(" \t#", l[0]) < 0 }

// DistributionVar in a suite stands for the device's distribution
// (aim.conf's "distribution"), so a source added from a .install catalogue
// without a dist follows later changes of distribution, as maemo's did.
const DistributionVar = "$(DISTRIBUTION)"

// withDistribution returns s with DistributionVar in its suites replaced
// by dist.
func withDistribution(s Source, dist string) Source {
	if !slices.ContainsFunc(s.Suites, func(x string) bool { return strings.Contains(x, DistributionVar) }) {
		return s
	}
	suites := make([]string, len(s.Suites))
	for i, suite := range s.Suites {
		suites[i] = strings.ReplaceAll(suite, DistributionVar, dist)
	}
	s.Suites = suites
	return s
}
