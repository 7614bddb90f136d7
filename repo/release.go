package repo

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"aim/deb"
)

// Release is a repository's Release file (the text of InRelease once its
// signature has been checked): what the repository says of itself and the
// size and hashes of every index it serves. The same type is parsed by
// `aim update` and written by the publisher.
type Release struct {
	Origin, Label, Suite, Codename, Version, Description string
	// Date is when the Release was made; ValidUntil, when set, is when a
	// client must stop trusting it.
	Date, ValidUntil time.Time
	Architectures    []string
	Components       []string
	// AcquireByHash says indexes can be fetched under by-hash/SHA256/<hash>.
	AcquireByHash bool
	// NoSupportForArchitectureAll is "Packages" when packages of
	// architecture all are listed only in the native indexes, not in a
	// binary-all index of their own.
	NoSupportForArchitectureAll string
	// Files lists the indexes by path relative to the Release's directory,
	// in the order of the SHA256 field (or of the strongest field present).
	Files []ReleaseFile
	// Extra holds fields this type has no member for, in input order, so
	// they survive a parse and write.
	Extra []deb.Field
}

// ReleaseFile is one index listed in a Release file. SHA256 is always set
// in a parsed Release (a Release without SHA256 sums is refused); the
// other hashes are kept when present.
type ReleaseFile struct {
	Path   string
	Size   int64
	SHA256 string
	MD5    string
	SHA1   string
	SHA512 string
}

// releaseDateLayouts are the forms of Date and Valid-Until seen in the wild
// (RFC 2822 with a zone name or a numeric offset, with or without a day).
var releaseDateLayouts = []string{
	time.RFC1123, time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST", "02 Jan 2006 15:04:05 -0700",
}

// ParseReleaseDate parses a Release file's Date or Valid-Until value.
func ParseReleaseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range releaseDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q", s)
}

// FormatReleaseDate formats t as Release files write dates, in UTC.
func FormatReleaseDate(t time.Time) string {
	return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 UTC")
}

// hashFields lists the Release checksum fields in the order they are
// written, with the length of their hex digests.
var hashFields = []struct {
	name string
	hex  int
}{{"MD5Sum", 32}, {"SHA1", 40}, {"SHA256", 64}, {"SHA512", 128}}

func hexLength(field string) int {
	for _, h := range hashFields {
		if strings.EqualFold(h.name, field) {
			return h.hex
		}
	}
	return 0
}

// ParseRelease parses the text of a Release file. It refuses a Release
// that has no SHA256 sums, malformed dates or checksum lines, or more
// than one paragraph.
func ParseRelease(data []byte) (*Release, error) {
	p, err := deb.ParseParagraph(data)
	if err != nil {
		return nil, fmt.Errorf("parse release: %w", err)
	}
	r := &Release{}
	files := map[string]*ReleaseFile{}
	var order []string
	for _, f := range p.Fields {
		if err := r.setField(f, files, &order); err != nil {
			return nil, fmt.Errorf("parse release: field %s: %w", f.Name, err)
		}
	}
	for _, path := range order {
		if files[path].SHA256 == "" {
			continue
		}
		r.Files = append(r.Files, *files[path])
	}
	if len(r.Files) == 0 {
		return nil, fmt.Errorf("parse release: no SHA256 sums")
	}
	return r, nil
}

func (r *Release) setField(f deb.Field, files map[string]*ReleaseFile, order *[]string) error {
	v := strings.TrimSpace(f.Value)
	var err error
	switch strings.ToLower(f.Name) {
	case "origin":
		r.Origin = v
	case "label":
		r.Label = v
	case "suite":
		r.Suite = v
	case "codename":
		r.Codename = v
	case "version":
		r.Version = v
	case "description":
		r.Description = v
	case "date":
		r.Date, err = ParseReleaseDate(v)
	case "valid-until":
		r.ValidUntil, err = ParseReleaseDate(v)
	case "architectures":
		r.Architectures = strings.Fields(v)
	case "components":
		r.Components = strings.Fields(v)
	case "acquire-by-hash":
		r.AcquireByHash = strings.EqualFold(v, "yes")
	case "no-support-for-architecture-all":
		r.NoSupportForArchitectureAll = v
	case "md5sum", "sha1", "sha256", "sha512":
		err = parseChecksums(strings.ToLower(f.Name), f.Value, files, order)
	default:
		r.Extra = append(r.Extra, f)
	}
	return err
}

func parseChecksums(kind, value string, files map[string]*ReleaseFile, order *[]string) error {
	want := hexLength(kind)
	for i, line := range strings.Split(value, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		if len(words) != 3 {
			return fmt.Errorf("line %d: want \"hash size path\", got %q", i+1, line)
		}
		sum, path := strings.ToLower(words[0]), words[2]
		if _, err := hex.DecodeString(sum); err != nil || len(sum) != want {
			return fmt.Errorf("line %d: malformed hash %q", i+1, words[0])
		}
		size, err := strconv.ParseInt(words[1], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("line %d: malformed size %q", i+1, words[1])
		}
		if err := checkReleasePath(path); err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
		rf := files[path]
		if rf == nil {
			rf = &ReleaseFile{Path: path, Size: size}
			files[path] = rf
			*order = append(*order, path)
		} else if rf.Size != size {
			return fmt.Errorf("line %d: %s has size %d here and %d elsewhere", i+1, path, size, rf.Size)
		}
		switch kind {
		case "md5sum":
			rf.MD5 = sum
		case "sha1":
			rf.SHA1 = sum
		case "sha256":
			rf.SHA256 = sum
		case "sha512":
			rf.SHA512 = sum
		}
	}
	return nil
}

// checkReleasePath refuses index paths that could leave the repository.
func checkReleasePath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return fmt.Errorf("bad index path %q", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." || part == "" {
			return fmt.Errorf("bad index path %q", p)
		}
	}
	return nil
}

// File returns the entry for path, if the Release lists it.
func (r *Release) File(path string) (ReleaseFile, bool) {
	for _, f := range r.Files {
		if f.Path == path {
			return f, true
		}
	}
	return ReleaseFile{}, false
}

// Paragraph returns the Release as a control paragraph, fields in the
// order Debian's archive writes them, checksum lists sorted by path.
func (r *Release) Paragraph() *deb.Paragraph {
	p := &deb.Paragraph{}
	add := func(name, value string) {
		if value != "" {
			p.Fields = append(p.Fields, deb.Field{Name: name, Value: value})
		}
	}
	add("Origin", r.Origin)
	add("Label", r.Label)
	add("Suite", r.Suite)
	add("Version", r.Version)
	add("Codename", r.Codename)
	if !r.Date.IsZero() {
		add("Date", FormatReleaseDate(r.Date))
	}
	if !r.ValidUntil.IsZero() {
		add("Valid-Until", FormatReleaseDate(r.ValidUntil))
	}
	if r.AcquireByHash {
		add("Acquire-By-Hash", "yes")
	}
	add("No-Support-for-Architecture-all", r.NoSupportForArchitectureAll)
	add("Architectures", strings.Join(r.Architectures, " "))
	add("Components", strings.Join(r.Components, " "))
	add("Description", r.Description)
	p.Fields = append(p.Fields, r.Extra...)
	files := append([]ReleaseFile(nil), r.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, h := range hashFields {
		add(h.name, checksumList(files, h.name))
	}
	return p
}

func checksumList(files []ReleaseFile, kind string) string {
	var b bytes.Buffer
	for _, f := range files {
		sum := map[string]string{"MD5Sum": f.MD5, "SHA1": f.SHA1, "SHA256": f.SHA256, "SHA512": f.SHA512}[kind]
		if sum == "" {
			continue
		}
		fmt.Fprintf(&b, "\n %s %16d %s", sum, f.Size, f.Path)
	}
	return b.String()
}

// Bytes returns the Release file's text.
func (r *Release) Bytes() []byte { return []byte(r.Paragraph().String()) }
