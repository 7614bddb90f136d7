package install

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRealDebconfOwnsAndPurges installs man-db, whose postinst asks
// debconf questions from its templates: debconf must record man-db as
// their owner, as under dpkg, and purging man-db (its postrm calls
// db_purge) must take its questions and templates out of debconf's
// database. Without a terminal, debconf must take the noninteractive
// frontend at once rather than try and fail the interactive ones.
func TestRealDebconfOwnsAndPurges(t *testing.T) {
	pkgs := []string{"man-db", "bsdextrautils", "groff-base", "libgdbm6", "libpipeline1", "libuchardet0"}
	r := newRealRoot(t, pkgs...)
	r.install(pkgs...)
	r.noTranscript("unable to initialize frontend")
	config := filepath.Join(r.root, "var/cache/debconf/config.dat")
	templates := filepath.Join(r.root, "var/cache/debconf/templates.dat")
	question := regexp.MustCompile(`(?m)^Name: man-db/auto-update\n(?:[A-Z][^\n]*\n)*?Owners: ([^\n]*)\n`)
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	m := question.FindSubmatch(data)
	if m == nil {
		t.Fatalf("no man-db/auto-update question in config.dat:\n%s", data)
	}
	if string(m[1]) != "man-db" {
		t.Errorf("man-db/auto-update owners %q, want man-db", m[1])
	}

	r.must(Request{Kind: KindRemove, Names: []string{"man-db"}})
	r.must(Request{Kind: KindPurge, Names: []string{"man-db"}})
	anyManDB := regexp.MustCompile(`(?m)^Name: man-db/`)
	for _, f := range []string{config, templates} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if anyManDB.Match(data) {
			t.Errorf("purge left man-db's records in %s", filepath.Base(f))
		}
	}
}

// noTranscript fails the test when the last operation's transcript holds
// text.
func (r *realRoot) noTranscript(text string) {
	r.t.Helper()
	in, err := Open(r.root, Options{NoSessionLog: true})
	if err != nil {
		r.t.Fatal(err)
	}
	defer in.Close()
	logs, err := in.DB().Transcripts(1)
	if err != nil {
		r.t.Fatal(err)
	}
	if len(logs) == 0 {
		r.t.Fatal("no transcript")
	}
	if strings.Contains(logs[0].Text, text) {
		r.t.Errorf("transcript of %s says %q:\n%s", logs[0].Operation, text, logs[0].Text)
	}
}
