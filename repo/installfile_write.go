package repo

// This file writes the publisher's single-click .install files, with the
// key file writer of installfile_keyfile.go.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// KeyFileGroup is one "[name]" group of a GLib key file, its keys in
// order.
type KeyFileGroup struct {
	Name string
	Keys [][2]string
}

// keyFileName matches the group and key names WriteKeyFile accepts; a key
// may end in a locale, "name[de_DE]".
var keyFileName = regexp.MustCompile(`^[A-Za-z0-9_.-]+(\[[A-Za-z0-9_.@-]+\])?$`)

// WriteKeyFile returns groups as GLib key file text: "[group]" lines,
// "key=value" lines with values escaped as g_key_file_set_string does
// (\\, \n, \t, \r, and \s for a leading space), a blank line between
// groups. It refuses group and key names other than letters, digits,
// "_", "." and "-" (keys may add a "[locale]"), and invalid UTF-8.
// ParseKeyFile reads the text back to the same values.
func WriteKeyFile(groups []KeyFileGroup) ([]byte, error) {
	kf := &KeyFile{}
	for _, g := range groups {
		if !keyFileName.MatchString(g.Name) || strings.Contains(g.Name, "[") {
			return nil, fmt.Errorf("key file: bad group name %q", g.Name)
		}
		kf.group(g.Name, true)
		for _, kv := range g.Keys {
			if !keyFileName.MatchString(kv[0]) {
				return nil, fmt.Errorf("key file: bad key name %q", kv[0])
			}
			if err := kf.SetString(g.Name, kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
	}
	return kf.Bytes(), nil
}

// InstallFileDir is where Publish writes .install files, below the
// repository's top.
const InstallFileDir = "install"

// installFile is the catalogue-form .install file that adds the
// repository served at baseURL and installs pkg from dist and component.
func (r *LocalRepo) installFile(baseURL, dist, component, pkg string) ([]byte, error) {
	s := r.Settings
	cat := s.Catalogue
	if cat == "" {
		cat = "repository"
	}
	name := s.Label
	if name == "" {
		name = s.Origin
	}
	if name == "" {
		name = cat
	}
	base := strings.TrimRight(baseURL, "/")
	repoKeys := [][2]string{{"name", name}, {"uri", base}}
	if s.Flat {
		repoKeys = append(repoKeys, [2]string{"dist", "./"})
	} else {
		repoKeys = append(repoKeys, [2]string{"dist", dist}, [2]string{"components", component})
	}
	repoKeys = append(repoKeys, [2]string{"key_uri", base + "/key.asc"})
	return WriteKeyFile([]KeyFileGroup{
		{Name: "install", Keys: [][2]string{{"catalogues", cat}, {"package", pkg}}},
		{Name: cat, Keys: repoKeys},
	})
}

// WriteInstallFiles writes install/PACKAGE.install for every user package
// (Section user/...) of the repository, pointing at baseURL, from the
// first dist that has the package; files already current are not
// rewritten and .install files of packages no longer there are deleted.
// It returns the paths written, relative to the repository's top.
func (r *LocalRepo) WriteInstallFiles(baseURL string) ([]string, error) {
	if !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") && !strings.HasPrefix(baseURL, "file:") {
		return nil, fmt.Errorf("install files: base URL %q is not http, https or file", baseURL)
	}
	want := map[string][]byte{}
	for _, d := range r.Settings.Dists {
		pkgs, err := r.Packages(d)
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			if _, done := want[p.Name]; done || !strings.HasPrefix(p.Section, "user/") {
				continue
			}
			data, err := r.installFile(baseURL, d, p.Component, p.Name)
			if err != nil {
				return nil, err
			}
			want[p.Name] = data
		}
	}
	res := &PublishResult{}
	for name, data := range want {
		if err := r.writeIfChanged(InstallFileDir+"/"+name+".install", data, res); err != nil {
			return nil, err
		}
	}
	old, _ := filepath.Glob(filepath.Join(r.Dir, InstallFileDir, "*.install"))
	for _, f := range old {
		if _, ok := want[strings.TrimSuffix(filepath.Base(f), ".install")]; !ok {
			os.Remove(f)
		}
	}
	return res.Written, nil
}
