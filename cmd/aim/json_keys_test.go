package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lowerCamel is the form of every JSON key aim prints, except where the
// keys are data (control field names, package names).
var lowerCamel = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// debianField is the form of a control field name as show prints it.
var debianField = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$`)

// checkKeys walks v and reports keys that are not lower camel case;
// below a key listed in dataKeys the keys are data and are not checked.
func checkKeys(v any, path string, dataKeys map[string]bool, bad *[]string) {
	walkKeys(v, path, dataKeys, func(path, k string) {
		if !lowerCamel.MatchString(k) {
			*bad = append(*bad, path+"."+k)
		}
	})
}

// walkKeys calls f for every key of v, not descending below dataKeys.
func walkKeys(v any, path string, dataKeys map[string]bool, f func(path, key string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			f(path, k)
			if !dataKeys[k] {
				walkKeys(c, path+"."+k, dataKeys, f)
			}
		}
	case []any:
		for _, c := range x {
			walkKeys(c, path+"[]", dataKeys, f)
		}
	}
}

// jsonCommand returns the command (and verb) that args run: the words
// that are neither flags nor a global flag's value.
func jsonCommand(args []string) string {
	var words []string
	for i := 0; i < len(args) && len(words) < 2; i++ {
		switch {
		case args[i] == "--root":
			i++
		case strings.HasPrefix(args[i], "-"):
		default:
			words = append(words, args[i])
		}
	}
	if len(groupVerbs()[words[0]]) == 0 {
		return words[0]
	}
	return strings.Join(words, " ")
}

// TestJSONKeysDocumentedLowerCamel runs every command that prints data
// with --json over one fixture and checks that each output parses, that
// every key is lower camel case, and that help and the man page
// (help_json.go) name every key the command prints.
func TestJSONKeysDocumentedLowerCamel(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}},
		pkgSpec{name: "hello", version: "2.0", files: map[string]string{"/usr/bin/hello": "hi\n"}},
		pkgSpec{name: "extra", version: "2.0", files: map[string]string{"/usr/share/extra/x": "x\n"}},
		pkgSpec{name: "broken", version: "1.0", fields: "Depends: nosuch\n"})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello=1.0")
	aimOK(t, "--root", root, "mark", "hold", "hello")
	repoDir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	aimOK(t, "repo", "publish", repoDir, "--key", repoTestKey)
	demo := buildDemo(t)
	aimOK(t, "--root", root, "key", "add", "../../testdata/keys/ed25519.asc")
	keyOut := filepath.Join(t.TempDir(), "k")
	cases := [][]string{
		{"--root", root, "list"}, {"--root", root, "list", "--installed"}, {"--root", root, "show", "hello"},
		{"--root", root, "search", "test"}, {"--root", root, "policy", "hello"},
		{"--root", root, "files", "hello"}, {"--root", root, "owns", "/usr/bin/hello"},
		{"--root", root, "log"}, {"--root", root, "tasks"}, {"--root", root, "verify"},
		{"--root", root, "source", "list"}, {"--root", root, "key", "list"},
		{"--root", root, "install", "-s", "extra"}, {"--root", root, "install", "-s", "broken"}, {"--root", root, "remove", "-s", "hello"},
		{"--root", root, "upgrade", "-s"}, {"--root", root, "update"},
		{"--root", root, "-y", "--scripts-chrootless", "install", "extra"},
		{"key", "show", "../../testdata/keys/ed25519.asc"},
		{"key", "generate", "--name", "T", "--email", "t@example.org", "--out", keyOut},
		{"deb", "info", demo}, {"deb", "contents", demo},
		{"deb", "extract", demo, t.TempDir()},
		{"repo", "list", repoDir}, {"repo", "check", repoDir}, {"repo", "publish", repoDir, "--key", repoTestKey},
		{"repo", "snapshot", "create", repoDir, "s1"}, {"repo", "snapshot", "list", repoDir},
		{"--root", root, "configure", "--pending"}, {"deb", "verify", demo},
		{"--root", root, "source", "disable", "sources:1"}, {"--root", root, "key", "remove", "CED452CFF8443D5B"},
		{"--root", root, "source", "add", "deb [trusted=yes] file:///nonexistent stable main"},
		{"--root", root, "-y", "--scripts-chrootless", "remove", "extra"},
	}
	// Keys below these are data: control fields by their Debian names.
	dataKeys := map[string]bool{"control": true, "fields": true}
	for _, args := range cases {
		out, errs, code := aim(t, append([]string{"--json"}, args...)...)
		if args[len(args)-1] == "-s" && !strings.Contains(out, "heldBack") {
			t.Errorf("upgrade -s: hello is held but not listed: %s", out)
		}
		if code != 0 && out == "" {
			t.Errorf("%v: exit %d: %s", args, code, errs)
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%v: not JSON: %v\n%s", args, err, out)
			continue
		}
		var bad []string
		if args[0] == "--root" && args[len(args)-2] == "show" {
			// Paragraphs: the keys are the control fields' Debian names.
			for _, p := range v.([]any) {
				for k := range p.(map[string]any) {
					if !debianField.MatchString(k) {
						bad = append(bad, k)
					}
				}
			}
		} else {
			checkKeys(v, "", dataKeys, &bad)
			doc := jsonTexts()[jsonCommand(args)]
			walkKeys(v, "", dataKeys, func(_, k string) {
				if !regexp.MustCompile(`\b` + regexp.QuoteMeta(k) + `\b`).MatchString(doc) {
					t.Errorf("%s --json prints %q, which help_json.go does not name", jsonCommand(args), k)
				}
			})
		}
		if len(bad) > 0 {
			t.Errorf("%s --json: keys not in lower camel case: %s", jsonCommand(args), strings.Join(bad, ", "))
		}
	}
}

// TestResultJSON checks what the changing commands print with --json
// once the transaction has run: what was installed, reinstalled,
// removed and purged, and an empty result when there is nothing to do.
func TestResultJSON(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}})
	run := func(args ...string) resultJSON {
		t.Helper()
		out := aimOK(t, append([]string{"--root", root, "--json", "-y", "--scripts-chrootless"}, args...)...)
		var r resultJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil || r.Installed == nil || r.Removed == nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return r
	}
	if r := run("install", "hello"); len(r.Installed) != 1 || r.Installed[0] != "hello" {
		t.Errorf("install: %+v", r)
	}
	if r := run("install", "hello"); len(r.Installed)+len(r.Upgraded)+len(r.Removed) != 0 {
		t.Errorf("nothing to do: %+v", r)
	}
	if r := run("install", "--reinstall", "hello"); len(r.Reinstalled) != 1 || len(r.Upgraded) != 0 {
		t.Errorf("reinstall: %+v", r)
	}
	if r := run("remove", "--purge", "hello"); len(r.Removed) != 1 || len(r.Purged) != 1 {
		t.Errorf("remove --purge: %+v", r)
	}
}

// TestManPagesHaveJSONOutput checks that the man page of every command
// (or group) with a --json form has a JSON OUTPUT section holding it.
func TestManPagesHaveJSONOutput(t *testing.T) {
	d := collectDocs(commands(), groupVerbs(), helpTexts())
	for _, c := range d.commands {
		var b strings.Builder
		if err := writeCommandPage(&b, d, c); err != nil {
			t.Fatal(err)
		}
		want := jsonTexts()[c.name] != ""
		for _, v := range c.verbs {
			want = want || jsonTexts()[c.name+" "+v.name] != ""
		}
		if got := strings.Contains(b.String(), ".SH JSON OUTPUT"); got != want {
			t.Errorf("aim-%s.1: JSON OUTPUT section %v, want %v", c.name, got, want)
		}
	}
}
