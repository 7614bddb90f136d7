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
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if !lowerCamel.MatchString(k) {
				*bad = append(*bad, path+"."+k)
			}
			if !dataKeys[k] {
				checkKeys(c, path+"."+k, dataKeys, bad)
			}
		}
	case []any:
		for _, c := range x {
			checkKeys(c, path+"[]", dataKeys, bad)
		}
	}
}

// TestJSONKeysAreLowerCamel runs every command that prints data with
// --json over one fixture and checks that each output parses and that
// every key is lower camel case, as the man pages promise.
func TestJSONKeysAreLowerCamel(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}},
		pkgSpec{name: "extra", version: "2.0", files: map[string]string{"/usr/share/extra/x": "x\n"}})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello")
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
		{"--root", root, "install", "-s", "extra"}, {"--root", root, "remove", "-s", "hello"},
		{"--root", root, "upgrade", "-s"}, {"--root", root, "update"},
		{"key", "show", "../../testdata/keys/ed25519.asc"},
		{"key", "generate", "--name", "T", "--email", "t@example.org", "--out", keyOut},
		{"deb", "info", demo}, {"deb", "contents", demo},
		{"deb", "extract", demo, t.TempDir()},
		{"repo", "list", repoDir}, {"repo", "check", repoDir}, {"repo", "publish", repoDir, "--key", repoTestKey},
		{"--root", root, "configure", "--pending"}, {"deb", "verify", demo},
	}
	// Keys below these are data: control fields by their Debian names.
	dataKeys := map[string]bool{"control": true, "fields": true}
	for _, args := range cases {
		out, errs, code := aim(t, append([]string{"--json"}, args...)...)
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
		}
		if len(bad) > 0 {
			t.Errorf("%s --json: keys not in lower camel case: %s", strings.Join(args[min(len(args), 2):], " "), strings.Join(bad, ", "))
		}
	}
}
