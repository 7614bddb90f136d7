package deb

import (
	"fmt"
	"strings"
)

// Op is the version operator of a relation such as "libc6 (>= 2.36)".
type Op uint8

// The operators, in Policy's spelling. The obsolete "<" and ">" are read
// as OpLE and OpGE, as dpkg reads them.
const (
	OpNone Op = iota // no version restriction
	OpLT             // <<
	OpLE             // <=
	OpEQ             // =
	OpGE             // >=
	OpGT             // >>
)

var opNames = [...]string{OpNone: "", OpLT: "<<", OpLE: "<=", OpEQ: "=", OpGE: ">=", OpGT: ">>"}

// String returns the operator as Policy writes it, "" for OpNone.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// ParseOp returns the operator written s: one of << <= = >= >>, or the
// obsolete < and > (read as <= and >=, with obsolete set).
func ParseOp(s string) (op Op, obsolete bool, err error) {
	switch s {
	case "<":
		return OpLE, true, nil
	case ">":
		return OpGE, true, nil
	}
	for o := OpLT; o <= OpGT; o++ {
		if opNames[o] == s {
			return o, false, nil
		}
	}
	return OpNone, false, fmt.Errorf("unknown version operator %q", s)
}

// Holds reports whether a version that compares to the relation's version
// as cmp (the sign of CompareVersions(candidate, relation version))
// satisfies the operator. OpNone holds for every cmp.
func (o Op) Holds(cmp int) bool {
	switch o {
	case OpNone:
		return true
	case OpLT:
		return cmp < 0
	case OpLE:
		return cmp <= 0
	case OpEQ:
		return cmp == 0
	case OpGE:
		return cmp >= 0
	case OpGT:
		return cmp > 0
	}
	return false
}

// Relations is a relation field: every element must be satisfied (the
// comma-separated list), each by one of its alternatives. The zero value is
// the empty field.
type Relations []Alternatives

// Alternatives is one element of a relation field: relations separated by
// "|", any of which satisfies it. A parsed Alternatives is never empty.
type Alternatives []Relation

// Relation is one package reference, e.g.
// "libc6:any (>= 2.36) [amd64 !i386] <!nocheck> <stage1 cross>".
//
// A Relation from ParseRelations holds: Name is a valid package name (see
// CheckPackageName); Arch is "" or a valid architecture name (typically
// "any" or "native"); Version is the zero Version exactly when Op is
// OpNone; every Arches entry has the same Not; every profile group is non
// empty.
type Relation struct {
	// Name is the package name.
	Name string
	// Arch is the architecture qualifier after a colon, "" when none.
	Arch string
	// Op is the version operator, OpNone when the relation is unversioned.
	Op Op
	// Version is the version after Op; the zero Version when Op is OpNone.
	Version Version
	// ObsoleteOp records that the operator was written in a form dpkg
	// warns about: "<" or ">" (Op is OpLE or OpGE) or none at all, as in
	// "foo (1.0)" (Op is OpEQ). String writes the modern form.
	ObsoleteOp bool
	// Arches is the architecture restriction list of source relations
	// ("[amd64 !i386]"), nil when there is none.
	Arches []ArchRestriction
	// Profiles is the build profile restriction: each element is one
	// "<...>" group, whose terms must all hold; the relation applies when
	// any group holds. Nil when there is none.
	Profiles [][]ProfileTerm
}

// ArchRestriction is one entry of an architecture list: an architecture
// name or wildcard (e.g. "amd64", "linux-any"), negated when Not is set.
type ArchRestriction struct {
	Name string
	Not  bool
}

// ProfileTerm is one term of a build profile group: a profile name (e.g.
// "nocheck", "pkg.foo.bar"), negated when Not is set.
type ProfileTerm struct {
	Name string
	Not  bool
}

// SatisfiedBy reports whether version v of the named package meets the
// relation's version restriction; an unversioned relation accepts every
// version. It does not look at Name, Arch or the restriction lists, and it
// does not allocate.
func (r Relation) SatisfiedBy(v Version) bool {
	return r.Op == OpNone || r.Op.Holds(CompareVersions(v, r.Version))
}

// String returns the relation in canonical form:
// "name:arch (op version) [arch list] <profile> <profile>", each part only
// when present.
func (r Relation) String() string {
	var b strings.Builder
	r.appendTo(&b)
	return b.String()
}

func (r Relation) appendTo(b *strings.Builder) {
	b.WriteString(r.Name)
	if r.Arch != "" {
		b.WriteByte(':')
		b.WriteString(r.Arch)
	}
	if r.Op != OpNone {
		fmt.Fprintf(b, " (%s %s)", r.Op, r.Version)
	}
	if len(r.Arches) > 0 {
		b.WriteString(" [")
		for i, a := range r.Arches {
			writeTerm(b, i, a.Name, a.Not)
		}
		b.WriteByte(']')
	}
	for _, g := range r.Profiles {
		b.WriteString(" <")
		for i, t := range g {
			writeTerm(b, i, t.Name, t.Not)
		}
		b.WriteByte('>')
	}
}

func writeTerm(b *strings.Builder, i int, name string, not bool) {
	if i > 0 {
		b.WriteByte(' ')
	}
	if not {
		b.WriteByte('!')
	}
	b.WriteString(name)
}

// String returns the alternatives joined by " | ".
func (a Alternatives) String() string {
	var b strings.Builder
	a.appendTo(&b)
	return b.String()
}

func (a Alternatives) appendTo(b *strings.Builder) {
	for i := range a {
		if i > 0 {
			b.WriteString(" | ")
		}
		a[i].appendTo(b)
	}
}

// String returns the field value in canonical form, elements joined by
// ", ". For every r that ParseRelations returns, ParseRelations(r.String())
// returns r again, except that ObsoleteOp is false in the result.
func (r Relations) String() string {
	var b strings.Builder
	for i, a := range r {
		if i > 0 {
			b.WriteString(", ")
		}
		a.appendTo(&b)
	}
	return b.String()
}

// RelationError is a relation field that does not parse. Offset is the
// byte offset in the value where the problem was found, and Near the
// reference it is in, from its start.
type RelationError struct {
	Field  string // the field name, when the caller gave one
	Offset int
	Near   string
	Msg    string
	Err    error // the *VersionError behind Msg, if any
}

func (e *RelationError) Error() string {
	what := "relations"
	if e.Field != "" {
		what = e.Field + " field"
	}
	return fmt.Sprintf("parse %s: offset %d, in %q: %s", what, e.Offset, e.Near, e.Msg)
}

// Unwrap returns the underlying version error, if any.
func (e *RelationError) Unwrap() error { return e.Err }

// ParseRelations parses the value of a relation field (Depends,
// Pre-Depends, Recommends, Suggests, Enhances, Conflicts, Breaks,
// Replaces, Provides, Built-Using, and the Build-Depends family, whose
// architecture lists and build profiles it reads too).
//
// White space, newlines included, may surround every token; an empty or
// blank value gives nil Relations, and a trailing comma is ignored as
// dpkg-dev does for source packages (dpkg refuses it in binary ones). Package names follow CheckPackageName, architecture names
// CheckArchName, and versions are read with ParseVersionLax, so versions
// dpkg only warns about are accepted. An error is a *RelationError.
func ParseRelations(s string) (Relations, error) {
	return parseRelations("", s)
}

// noAlternatives lists the fields in which dpkg refuses "|".
var noAlternatives = map[string]bool{"conflicts": true, "breaks": true, "provides": true, "replaces": true}

// ParseRelationField is ParseRelations for the value of the named field,
// which also applies dpkg's rule that Conflicts, Breaks, Provides and
// Replaces have no alternatives and names the field in errors.
func ParseRelationField(field, value string) (Relations, error) {
	rels, err := parseRelations(field, value)
	if err != nil || !noAlternatives[strings.ToLower(field)] {
		return rels, err
	}
	for _, a := range rels {
		if len(a) > 1 {
			return nil, &RelationError{Field: field, Offset: strings.IndexByte(value, '|'),
				Near: a.String(), Msg: "alternatives ('|') not allowed in this field"}
		}
	}
	return rels, nil
}

// CheckPackageName reports whether name is a package name dpkg accepts
// (lib/dpkg/pkg-spec.c pkg_name_is_illegal): an ASCII letter or digit,
// then letters, digits and "+-._". Like dpkg, and unlike Policy, it allows
// upper case (dpkg folds it), "_" and one-character names, so that every
// package dpkg installs can be read.
func CheckPackageName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid package name: may not be empty")
	}
	if !isAlnum(name[0]) {
		return fmt.Errorf("invalid package name %q: must start with a letter or digit", name)
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '+' && c != '-' && c != '.' && c != '_' {
			return fmt.Errorf("invalid package name %q: character %s not allowed", name, quoteByte(c))
		}
	}
	return nil
}

// CheckArchName reports whether name is an architecture name or wildcard
// dpkg accepts (lib/dpkg/arch.c dpkg_arch_name_is_illegal): an ASCII
// letter or digit, then letters, digits and "-".
func CheckArchName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid architecture name: may not be empty")
	}
	if !isAlnum(name[0]) {
		return fmt.Errorf("invalid architecture name %q: must start with a letter or digit", name)
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' {
			return fmt.Errorf("invalid architecture name %q: character %s not allowed", name, quoteByte(c))
		}
	}
	return nil
}

// quoteByte quotes c as a Go character literal, bytes above 127 as \xNN.
func quoteByte(c byte) string {
	if c >= 0x80 {
		return fmt.Sprintf(`'\x%02x'`, c)
	}
	return fmt.Sprintf("%q", rune(c))
}

// checkProfileName accepts build profile names: a letter or digit, then
// letters, digits and "+-._" (namespaced names such as "pkg.src.noopt").
func checkProfileName(name string) error {
	if err := CheckPackageName(name); err != nil {
		return fmt.Errorf("invalid build profile name %q", name)
	}
	return nil
}

// relParser reads one relation field value.
type relParser struct {
	field string
	s     string
	i     int
	start int // offset of the reference being read, for errors
	flat  []Relation
}

func parseRelations(field, s string) (Relations, error) {
	p := &relParser{field: field, s: s}
	p.skipSpace()
	if p.eof() {
		return nil, nil
	}
	commas := strings.Count(s, ",")
	rels := make(Relations, 0, commas+1)
	// Every reference after the first follows a comma or a bar, so flat
	// never grows: all Alternatives share it, capped by full slices.
	p.flat = make([]Relation, 0, commas+strings.Count(s, "|")+1)
	for !p.eof() {
		alt, err := p.alternatives()
		if err != nil {
			return nil, err
		}
		rels = append(rels, alt)
		if p.eof() {
			break
		}
		p.i++ // the comma
		p.skipSpace()
	}
	return rels, nil
}

func (p *relParser) alternatives() (Alternatives, error) {
	start := len(p.flat)
	for {
		r, err := p.relation()
		if err != nil {
			return nil, err
		}
		p.flat = append(p.flat, r)
		switch c := p.peek(); {
		case p.eof() || c == ',':
			return p.flat[start:len(p.flat):len(p.flat)], nil
		case c != '|':
			return nil, p.fail(p.i, nil, "unexpected %s after reference to %s", quoteByte(c), r.Name)
		}
		p.i++
		p.skipSpace()
	}
}

// relation reads one reference and the white space after it.
func (p *relParser) relation() (Relation, error) {
	p.start = p.i
	var r Relation
	r.Name = p.token()
	if r.Name == "" {
		return r, p.fail(p.i, nil, "missing package name")
	}
	if err := CheckPackageName(r.Name); err != nil {
		return r, p.fail(p.start, nil, "%v", err)
	}
	if p.peek() == ':' {
		p.i++
		at := p.i
		if r.Arch = p.token(); r.Arch == "" {
			return r, p.fail(at, nil, "missing architecture name after ':'")
		}
		if err := CheckArchName(r.Arch); err != nil {
			return r, p.fail(at, nil, "%v", err)
		}
	}
	p.skipSpace()
	if err := p.version(&r); err != nil {
		return r, err
	}
	if err := p.archList(&r); err != nil {
		return r, err
	}
	return r, p.profiles(&r)
}

// version reads an optional "(op version)".
func (p *relParser) version(r *Relation) error {
	if p.eof() || p.peek() != '(' {
		return nil
	}
	p.i++
	p.skipSpace()
	if err := p.op(r); err != nil {
		return err
	}
	p.skipSpace()
	at := p.i
	for !p.eof() && !isCSpace(p.peek()) && p.peek() != ')' && p.peek() != '(' {
		p.i++
	}
	text := p.s[at:p.i]
	p.skipSpace()
	switch {
	case p.eof():
		return p.fail(p.i, nil, "version unterminated")
	case p.peek() != ')':
		return p.fail(p.i, nil, "version contains %s instead of ')'", quoteByte(p.peek()))
	}
	v, msg, warn := parseVersion(text)
	if msg != "" && !warn {
		return p.fail(at, &VersionError{Version: text, Msg: msg}, "version %q: %s", text, msg)
	}
	r.Version = v
	p.i++
	p.skipSpace()
	return nil
}

// op reads a version operator the way dpkg does: "<" and ">" alone are
// obsolete spellings of "<=" and ">=", and no operator means "=".
func (p *relParser) op(r *Relation) error {
	c1, c2 := p.at(p.i), p.at(p.i+1)
	switch {
	case c1 == '=':
		r.Op = OpEQ
		p.i++
	case c1 != '<' && c1 != '>':
		r.Op, r.ObsoleteOp = OpEQ, true
	case c2 == '=':
		r.Op = pick(c1 == '<', OpLE, OpGE)
		p.i += 2
	case c2 == c1:
		r.Op = pick(c1 == '<', OpLT, OpGT)
		p.i += 2
	case c2 == '<' || c2 == '>':
		return p.fail(p.i, nil, "bad version relationship %c%c", c1, c2)
	default:
		r.Op, r.ObsoleteOp = pick(c1 == '<', OpLE, OpGE), true
		p.i++
	}
	return nil
}

func pick(cond bool, a, b Op) Op {
	if cond {
		return a
	}
	return b
}

// archList reads an optional "[arch !arch ...]".
func (p *relParser) archList(r *Relation) error {
	if p.eof() || p.peek() != '[' {
		return nil
	}
	at := p.i
	terms, err := p.terms(']', "architecture", CheckArchName)
	if err != nil {
		return err
	}
	for _, t := range terms {
		if t.Not != terms[0].Not {
			return p.fail(at, nil, "architecture list mixes negated and plain names")
		}
		r.Arches = append(r.Arches, ArchRestriction(t))
	}
	return nil
}

// profiles reads any number of "<profile !profile ...>" groups.
func (p *relParser) profiles(r *Relation) error {
	for !p.eof() && p.peek() == '<' {
		terms, err := p.terms('>', "build profile", checkProfileName)
		if err != nil {
			return err
		}
		r.Profiles = append(r.Profiles, terms)
	}
	return nil
}

// terms reads a bracketed, non-empty list of possibly negated names that
// starts at the current byte and ends with end, and the space after it.
func (p *relParser) terms(end byte, what string, check func(string) error) ([]ProfileTerm, error) {
	open := p.i
	p.i++
	p.skipSpace()
	var terms []ProfileTerm
	for !p.eof() && p.peek() != end {
		var t ProfileTerm
		if p.peek() == '!' {
			t.Not = true
			p.i++
		}
		at := p.i
		if t.Name = p.token(); t.Name == "" {
			return nil, p.fail(at, nil, "missing %s name", what)
		}
		if err := check(t.Name); err != nil {
			return nil, p.fail(at, nil, "%v", err)
		}
		terms = append(terms, t)
		p.skipSpace()
	}
	switch {
	case p.eof():
		return nil, p.fail(open, nil, "%s list unterminated", what)
	case len(terms) == 0:
		return nil, p.fail(open, nil, "empty %s list", what)
	}
	p.i++
	p.skipSpace()
	return terms, nil
}

// token reads a run of bytes up to white space or a delimiter; the
// caller's name check rejects what does not belong in a name.
func (p *relParser) token() string {
	at := p.i
	for p.i < len(p.s) && !delims[p.s[p.i]] {
		p.i++
	}
	return p.s[at:p.i]
}

// delims marks the bytes that end a token: C white space and the
// punctuation of relation fields.
var delims = func() (t [256]bool) {
	for _, c := range []byte(" \t\n\v\f\r:()[]<>,|") {
		t[c] = true
	}
	return t
}()

func (p *relParser) skipSpace() {
	for !p.eof() && isCSpace(p.peek()) {
		p.i++
	}
}

func (p *relParser) eof() bool { return p.i >= len(p.s) }

// peek returns the current byte, 0 at the end.
func (p *relParser) peek() byte { return p.at(p.i) }

func (p *relParser) at(i int) byte {
	if i < len(p.s) {
		return p.s[i]
	}
	return 0
}

// fail returns a *RelationError at offset at, near the current reference.
func (p *relParser) fail(at int, err error, format string, args ...any) error {
	end := at + strings.IndexAny(p.s[at:], ",|")
	if end < at {
		end = len(p.s)
	}
	near := strings.TrimSpace(p.s[p.start:max(end, min(at+1, len(p.s)))])
	if len(near) > 64 {
		near = near[:64] + "..."
	}
	return &RelationError{Field: p.field, Offset: at, Near: near, Msg: fmt.Sprintf(format, args...), Err: err}
}
