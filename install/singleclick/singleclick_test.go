package singleclick

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestRead reads a catalogue .install file against a root whose sources
// already hold one of its repositories (disabled) and checks the action
// for each, the package selection and the refusal of an --only name the
// file does not offer.
func TestRead(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/aim/sources.list.d"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/sources.list.d/apps.sources"), []byte(
		"Types: deb\nURIs: https://apps.example/repo\nSuites: stable\nComponents: main\nEnabled: no\nTrusted: yes\n"), 0o644)
	file := filepath.Join(t.TempDir(), "two.install")
	os.WriteFile(file, []byte("[install]\ncatalogues = apps;tools\npackage = hello;hello-data\n\n"+
		"[apps]\nname = Apps\nuri = https://apps.example/repo\ndist = stable\ncomponents = main\n\n"+
		"[tools]\nname = Tools\nuri = https://tools.example/repo\ndist = stable\ncomponents = main\n"), 0o644)
	f, warn, err := Read(context.Background(), root, file, Settings{Distribution: "fremantle", Only: []string{"hello"}})
	if err != nil || warn != nil {
		t.Fatalf("Read: %v (warning %v)", err, warn)
	}
	if len(f.Packages) != 1 || f.Packages[0] != "hello" {
		t.Errorf("packages %q, want only hello", f.Packages)
	}
	if len(f.Repositories) != 2 || f.Repositories[0].Action != Enable || f.Repositories[0].Source == "" ||
		f.Repositories[1].Action != Add || f.Repositories[1].Line != "deb https://tools.example/repo stable main" {
		t.Errorf("repositories %+v", f.Repositories)
	}
	_, _, err = Read(context.Background(), root, file, Settings{Only: []string{"nope"}})
	var only *OnlyError
	if !errors.As(err, &only) || only.Name != "nope" || len(only.Offered) != 2 {
		t.Errorf("--only nope: %v", err)
	}
}
