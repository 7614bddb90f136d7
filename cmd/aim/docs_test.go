package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// fakeDocs is a small command table: a plain command with every kind of
// flag, a group with two verbs, and a hidden command.
func fakeDocs() docSet {
	none := func(*env, []string) error { return nil }
	hello := func(fs *pflag.FlagSet) func(*env, []string) error {
		fs.StringP("name", "n", "world", "greet `NAME`")
		fs.Bool("loud", false, "shout [really]: a \\ and a 'quote'")
		fs.StringSlice("tag", nil, "add a `TAG`")
		fs.Int("count", 0, "say it N times")
		return none
	}
	verbs := map[string]*subcommand{
		"add": {summary: "add a thing", setup: func(fs *pflag.FlagSet) func(*env, []string) error {
			fs.String("dir", "", "below `DIR`")
			fs.StringP("key", "k", "", "sign with `FILE`")
			return none
		}},
		"rm": {summary: ".remove a thing", setup: func(*pflag.FlagSet) func(*env, []string) error { return none }},
	}
	group := func(fs *pflag.FlagSet) func(*env, []string) error {
		for _, v := range sortedKeys(verbs) {
			verbs[v].setup(fs)
		}
		return none
	}
	cmds := map[string]*command{
		"hello":    {name: "hello", summary: "print a greeting", setup: hello},
		"grp":      {name: "grp", summary: "manage things", setup: group},
		"__secret": {name: "__secret", summary: "internal", setup: hello},
	}
	texts := map[string]helpText{
		"hello":   {synopsis: []string{"[OPTIONS] NAME...", "--loud"}, description: "Prints a greeting.\n\n.Dots and \\ are escaped.", examples: []string{"aim hello -n you"}, names: "installed"},
		"grp add": {synopsis: []string{"DIR THING..."}, description: "Adds things below DIR."},
	}
	d := collectDocs(cmds, map[string]map[string]*subcommand{"grp": verbs}, texts)
	d.version = "1.0"
	return d
}

func TestDocsGolden(t *testing.T) {
	d := fakeDocs()
	if len(d.commands) != 2 {
		t.Fatalf("commands: %+v", d.commands)
	}
	var b bytes.Buffer
	if err := writeMainPage(&b, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "docs-aim.1", b.String())
	for _, c := range d.commands {
		b.Reset()
		if err := writeCommandPage(&b, d, c); err != nil {
			t.Fatal(err)
		}
		golden(t, "docs-aim-"+c.name+".1", b.String())
	}
	b.Reset()
	if err := writeBashCompletion(&b, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "docs-completion.bash", b.String())
	b.Reset()
	if err := writeZshCompletion(&b, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "docs-completion.zsh", b.String())
	b.Reset()
	if err := writeFishCompletion(&b, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "docs-completion.fish", b.String())
}

// TestDocsCoverEveryCommand checks that aim.1 and the pages name every
// registered command, every group has its verbs, and hidden commands stay
// out of the pages and of help.
func TestDocsCoverEveryCommand(t *testing.T) {
	dir := t.TempDir()
	if out, errs, code := aim(t, "__docs", "man", dir); code != 0 {
		t.Fatalf("__docs man: exit %d\n%s%s", code, out, errs)
	}
	main, err := os.ReadFile(filepath.Join(dir, "aim.1"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands() {
		if hiddenCommand(name) {
			if strings.Contains(string(main), roffOption(name)) {
				t.Errorf("aim.1 shows the hidden command %s", name)
			}
			continue
		}
		if !strings.Contains(string(main), `.TP`+"\n"+`\fB`+roffOption(name)+`\fR`) {
			t.Errorf("aim.1 does not list %s", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "aim-"+name+".1")); err != nil {
			t.Errorf("no page for %s: %v", name, err)
		}
	}
	if len(groupVerbs()["deb"]) == 0 {
		t.Errorf("the verbs of aim deb are not recorded: %v", groupVerbs())
	}
	for g, verbs := range groupVerbs() {
		page, _ := os.ReadFile(filepath.Join(dir, "aim-"+g+".1"))
		for v := range verbs {
			if !strings.Contains(string(page), `.SS "aim `+roffOption(g)+" "+roffOption(v)+`"`) {
				t.Errorf("aim-%s.1 does not describe the verb %s", g, v)
			}
		}
	}
	if help := aimOK(t, "help"); strings.Contains(help, docsCommand) {
		t.Errorf("help lists %s:\n%s", docsCommand, help)
	}
}

func TestDocsCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"__docs"}, {"__docs", "man"}, {"__docs", "completion", "tcsh"}, {"__docs", "html", "x"}} {
		if _, errs, code := aim(t, args...); code != 2 || !strings.Contains(errs, "aim: ") {
			t.Errorf("%q: exit %d, %q", args, code, errs)
		}
	}
}

// TestManPagesRender formats every generated page with groff and fails on
// any warning; skipped where groff is not installed.
func TestManPagesRender(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff not installed")
	}
	dir := t.TempDir()
	if err := writeManPages(dir, collectDocs(commands(), groupVerbs(), helpTexts())); err != nil {
		t.Fatal(err)
	}
	fake := fakeDocs()
	if err := writeManPages(filepath.Join(dir, "fake"), fake); err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	more, _ := filepath.Glob(filepath.Join(dir, "fake", "*.1"))
	pages = append(pages, more...)
	if len(pages) < len(commands()) {
		t.Fatalf("only %d pages", len(pages))
	}
	for _, p := range pages {
		cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z", p)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil || errb.Len() > 0 {
			t.Errorf("groff %s: %v\n%s", filepath.Base(p), err, errb.String())
		}
	}
}
