package main

// This file generates documentation from the command table: the hidden
// command "aim __docs" writes man pages (aim.1 and aim-COMMAND.1) and, with
// completion.go, shell completion scripts. Nothing here is written by hand
// per command: a new command or flag shows up in every output once it is
// registered.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// docsCommand is the name of the generator command; a leading "__" keeps a
// command out of the generated documentation (see hiddenCommand).
const docsCommand = "__docs"

// hiddenCommand reports whether a command is internal: its name starts with
// "__" and it is left out of help and the generated documentation.
func hiddenCommand(name string) bool { return strings.HasPrefix(name, "__") }

func setupDocs(fs *pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		const use = "usage: aim __docs man DIR | aim __docs completion bash|zsh|fish"
		if len(args) != 2 {
			return usageError(use)
		}
		d := collectDocs(commands(), groupVerbs(), helpTexts())
		switch args[0] {
		case "man":
			return writeManPages(args[1], d)
		case "completion":
			switch args[1] {
			case "bash":
				return writeBashCompletion(e.stdout, d)
			case "zsh":
				return writeZshCompletion(e.stdout, d)
			case "fish":
				return writeFishCompletion(e.stdout, d)
			}
			return usageError("__docs completion: unknown shell %q (bash, zsh or fish)", args[1])
		}
		return usageError(use)
	}
}

// docSet is the documented command line: global flags and every visible
// command in name order.
type docSet struct {
	version  string
	globals  []docFlag
	commands []docCommand
}

// docCommand is one command; verbs is non-empty for a command group, and
// then flags is the union of its verbs' flags.
type docCommand struct {
	name, summary string
	help          helpText // names: what its arguments name
	flags         []docFlag
	verbs         []docVerb
}

// docVerb is one verb of a command group with its own flags.
type docVerb struct {
	name, summary string
	help          helpText
	flags         []docFlag
}

// docFlag is one flag: arg is the value placeholder ("" for a boolean
// flag), def the default worth showing ("" when it is the zero value).
type docFlag struct {
	name, short, arg, usage, def string
	repeat                       bool
}

// collectDocs describes cmds, calling each command's setup (and each verb's)
// on a fresh FlagSet to learn its flags, with their texts ("CMD" or "CMD
// VERB" keys, see help_text.go). Hidden commands are left out.
func collectDocs(cmds map[string]*command, groups map[string]map[string]*subcommand, texts map[string]helpText) docSet {
	gfs := pflag.NewFlagSet("aim", pflag.ContinueOnError)
	addGlobals(gfs, &globals{})
	d := docSet{version: version, globals: flagDocs(gfs)}
	for _, name := range sortedKeys(cmds) {
		if hiddenCommand(name) {
			continue
		}
		c := cmds[name]
		dc := docCommand{name: name, summary: c.summary, help: texts[name], flags: setupFlags(c.setup)}
		shared := sharedFlags(groups[name])
		for _, v := range sortedKeys(groups[name]) {
			sc := groups[name][v]
			dv := docVerb{name: v, summary: sc.summary, help: texts[name+" "+v], flags: setupFlags(sc.setup)}
			dv.flags = slices.DeleteFunc(dv.flags, func(f docFlag) bool { return shared[f.name] && !namesFlag(dv.help.synopsis, f.name) })
			dc.verbs = append(dc.verbs, dv)
		}
		d.commands = append(d.commands, dc)
	}
	return d
}

// setupFlags returns the flags that setup adds to an empty FlagSet.
func setupFlags(setup func(*pflag.FlagSet) func(*env, []string) error) []docFlag {
	fs := pflag.NewFlagSet("aim", pflag.ContinueOnError)
	setup(fs)
	return flagDocs(fs)
}

// flagDocs describes the visible flags of fs in name order.
func flagDocs(fs *pflag.FlagSet) []docFlag {
	var out []docFlag
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		arg, use := pflag.UnquoteUsage(f)
		if f.NoOptDefVal != "" {
			arg = "" // --flag alone is enough
		}
		t := f.Value.Type()
		out = append(out, docFlag{
			name: f.Name, short: f.Shorthand, arg: placeholder(arg), usage: use,
			def:    shownDefault(f),
			repeat: strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array") || t == "count",
		})
	})
	return out
}

// placeholder turns pflag's value names ("string", "int") into the
// upper-case placeholders of a synopsis; names from the usage text's
// backquotes are kept.
func placeholder(arg string) string {
	switch arg {
	case "":
		return ""
	case "string", "strings", "stringArray":
		return "STRING"
	case "int", "ints", "uint", "int64", "uint64":
		return "N"
	case "duration":
		return "DURATION"
	}
	return arg
}

// shownDefault is the default value worth printing: not a zero value.
func shownDefault(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]", "0s":
		return ""
	}
	return f.DefValue
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeManPages writes aim.1 and one aim-COMMAND.1 per command into dir,
// creating it.
func writeManPages(dir string, d docSet) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	write := func(name string, gen func(io.Writer) error) error {
		var b strings.Builder
		if err := gen(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("man pages: %w", err)
		}
		return nil
	}
	if err := write("aim.1", func(w io.Writer) error { return writeMainPage(w, d) }); err != nil {
		return err
	}
	for _, c := range d.commands {
		if err := write("aim-"+c.name+".1", func(w io.Writer) error { return writeCommandPage(w, d, c) }); err != nil {
			return err
		}
	}
	return nil
}

// manWriter accumulates roff output and keeps the first write error.
type manWriter struct {
	w   io.Writer
	err error
}

func (m *manWriter) line(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format+"\n", args...)
	}
}

// header writes the title and NAME sections.
func (m *manWriter) header(name, version, what string) {
	m.line(`.TH %s 1 "" "aim %s" "aim manual"`, roffOption(strings.ToUpper(name)), roffText(version))
	m.line(".SH NAME")
	m.line(`%s \- %s`, roffOption(name), roffText(what))
}

// flags writes one tagged paragraph per flag.
func (m *manWriter) flags(fs []docFlag) {
	for _, f := range fs {
		m.line(".TP")
		m.line("%s", roffFlag(f))
		use := f.usage
		if f.def != "" {
			use += " (default " + f.def + ")"
		}
		if f.repeat && !strings.Contains(use, "repeat") {
			use += "; may be repeated"
		}
		m.line("%s", roffText(use))
	}
}

// writeMainPage writes aim.1: synopsis, global flags and the list of
// commands with their summaries.
func writeMainPage(w io.Writer, d docSet) error {
	m := &manWriter{w: w}
	m.header("aim", d.version, "application installer for Debian-style packages")
	m.line(".SH SYNOPSIS")
	m.line(".B aim")
	m.line(`[\fIGLOBAL FLAGS\fR] \fICOMMAND\fR [\fIARGS\fR...]`)
	m.line(".SH DESCRIPTION")
	m.line(".B aim")
	m.line("installs, upgrades and removes Debian-style packages from signed repositories,")
	m.line(`opens single-click \fB.install\fR files, and builds, signs and publishes repositories.`)
	m.line(".PP")
	m.line("Global flags may stand before or after the command name.")
	m.line("The exit status is 0 on success; on failure a one-line error starting with")
	m.line(`\fBaim:\fR is printed on standard error.`)
	m.line(".SH GLOBAL FLAGS")
	m.flags(d.globals)
	m.line(".SH COMMANDS")
	for _, c := range d.commands {
		m.line(".TP")
		m.line(`\fB%s\fR%s`, roffOption(c.name), verbSynopsis(c))
		m.line("%s", roffText(c.summary))
	}
	m.line(".SH FILES")
	m.line(".TP")
	m.line(`\fIetc/aim/sources.list\fR, \fIetc/aim/sources.list.d/\fR`)
	m.line("the package sources, below the root")
	m.line(".TP")
	m.line(`\fIetc/aim/aim.conf\fR`)
	m.line(`settings, \fIkey\fR = \fIvalue\fR lines`)
	m.line(".TP")
	m.line(`\fIvar/lib/aim/aim.db\fR`)
	m.line("the installed packages, tasks and caches")
	m.line(".SH SEE ALSO")
	m.seeAlso(d, "")
	return m.err
}

// writeCommandPage writes aim-COMMAND.1: synopsis with argument forms,
// description, the command's flags (for a group every verb with its own
// synopsis, description and flags), exit status, files and examples.
func writeCommandPage(w io.Writer, d docSet, c docCommand) error {
	m := &manWriter{w: w}
	m.header("aim-"+c.name, d.version, c.summary)
	m.line(".SH SYNOPSIS")
	if len(c.verbs) == 0 {
		m.synopsis("aim "+c.name, c.help.synopsis, false)
	} else {
		for i, v := range c.verbs {
			m.synopsis("aim "+c.name+" "+v.name, v.help.synopsis, i > 0)
		}
	}
	m.line(".SH DESCRIPTION")
	m.description(c.summary, c.help.description)
	if len(c.verbs) == 0 && len(c.flags) > 0 {
		m.line(".SH OPTIONS")
		m.flags(c.flags)
	}
	if len(c.verbs) > 0 {
		m.line(".SH VERBS")
		for _, v := range c.verbs {
			m.line(`.SS "aim %s %s"`, roffOption(c.name), roffOption(v.name))
			m.description(v.summary, v.help.description)
			m.flags(v.flags)
		}
	}
	m.jsonOutput(c)
	m.line(".SH GLOBAL OPTIONS")
	m.flags(d.globals)
	m.line(".SH EXIT STATUS")
	m.line("0 on success; 1 when the command failed (a one-line error starting with")
	m.line(`\fBaim:\fR is printed on standard error); 2 for a usage error.`)
	m.files()
	if len(c.help.examples) > 0 {
		m.line(".SH EXAMPLES")
		for _, ex := range c.help.examples {
			m.line(".PP")
			m.line(".nf")
			m.line("%s", roffText(ex))
			m.line(".fi")
		}
	}
	m.line(".SH SEE ALSO")
	m.seeAlso(d, c.name)
	return m.err
}

// jsonOutput writes the JSON OUTPUT section: what the command, or each
// verb of a group, prints with --json (help_json.go).
func (m *manWriter) jsonOutput(c docCommand) {
	if j := jsonTexts()[c.name]; j != "" {
		m.line(".SH JSON OUTPUT")
		m.line("With \\fB\\-\\-json\\fR, %s", roffText(j))
		return
	}
	head := false
	for _, v := range c.verbs {
		j := jsonTexts()[c.name+" "+v.name]
		if j == "" {
			continue
		}
		if !head {
			m.line(".SH JSON OUTPUT")
			head = true
		}
		m.line(".TP")
		m.line(`\fBaim %s %s \-\-json\fR`, roffOption(c.name), roffOption(v.name))
		m.line("%s", roffText(upperFirst(j)))
	}
}

// synopsis writes the argument forms of cmd, one line each ("[FLAGS]
// [ARGS...]" when none are documented); br separates it from a previous
// synopsis.
func (m *manWriter) synopsis(cmd string, forms []string, br bool) {
	if len(forms) == 0 {
		forms = []string{"[OPTIONS] [ARGS...]"}
	}
	for _, f := range forms {
		if br {
			m.line(".br")
		}
		br = true
		m.line(`.B %s`, roffOption(cmd))
		if f != "" {
			m.line("%s", roffOption(f))
		}
	}
}

// description writes the summary as a sentence, then the description's
// paragraphs.
func (m *manWriter) description(summary, text string) {
	m.line("%s.", roffText(upperFirst(summary)))
	for _, para := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(para) != "" {
			m.line(".PP")
			m.line("%s", roffText(para))
		}
	}
}

// files writes the FILES section: the layout below --root.
func (m *manWriter) files() {
	m.line(".SH FILES")
	m.line("Paths are below the root (\\fB\\-\\-root\\fR, default /).")
	for _, f := range [][2]string{
		{"etc/aim/sources.list, etc/aim/sources.list.d/", "the package sources (one-line .list and deb822 .sources files)"},
		{"etc/aim/trusted.gpg.d/, etc/aim/keyrings/", "keys trusted for every repository, and for one source (its signed-by)"},
		{"etc/aim/trusted.d/developer/, etc/aim/trusted.d/store/", "keys trusted to sign packages, per role"},
		{"etc/aim/aim.conf", "settings, key = value lines"},
		{"var/lib/aim/aim.db", "the installed packages, tasks, transcripts and sources' state"},
		{"var/cache/aim/", "verified package lists, the package cache and downloaded archives"},
		{"var/log/aim/session.log", "the transcripts of recent operations"},
	} {
		m.line(".TP")
		m.line(`\fI%s\fR`, roffText(f[0]))
		m.line("%s", roffText(f[1]))
	}
}

// seeAlso lists aim(1) and every command page except self's.
func (m *manWriter) seeAlso(d docSet, self string) {
	var refs []string
	if self != "" {
		refs = append(refs, `\fBaim\fR(1)`)
	}
	for _, c := range d.commands {
		if c.name != self {
			refs = append(refs, `\fBaim\-`+roffOption(c.name)+`\fR(1)`)
		}
	}
	m.line("%s", strings.Join(refs, ",\n"))
}

// verbSynopsis is " VERB" with the verbs of a group, or "".
func verbSynopsis(c docCommand) string {
	if len(c.verbs) == 0 {
		return ""
	}
	names := make([]string, len(c.verbs))
	for i, v := range c.verbs {
		names[i] = roffOption(v.name)
	}
	return " {" + strings.Join(names, "|") + "}"
}

// roffFlag is the tag of a flag's paragraph: "-y, --yes" or "--root DIR".
func roffFlag(f docFlag) string {
	s := `\fB\-\-` + roffOption(f.name) + `\fR`
	if f.short != "" {
		s = `\fB\-` + roffOption(f.short) + `\fR, ` + s
	}
	if f.arg != "" {
		s += ` \fI` + roffText(f.arg) + `\fR`
	}
	return s
}

// roffText escapes text for a roff line: backslashes, and a leading dot
// or quote that would make the line a request.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffOption escapes a command or flag name, where "-" is a minus sign
// (so the page can be searched and copied).
func roffOption(s string) string {
	return strings.ReplaceAll(roffText(s), "-", `\-`)
}

// upperFirst capitalises the first letter of a summary for a sentence.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
