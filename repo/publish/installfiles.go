package publish

// This file writes the publisher's single-click .install files, with the
// key file writer of repo/installfile.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"aim/deb"
	"aim/repo/installfile"
)

// InstallFileDir is where Publish writes .install files, below the
// repository's top.
const InstallFileDir = "install"

// installFile is the catalogue-form .install file that adds the
// repository served at baseURL and installs pkg from dist and component.
func (r *Repo) installFile(baseURL, dist, component, pkg string) ([]byte, error) {
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
	return installfile.WriteKeyFile([]installfile.KeyFileGroup{
		{Name: "install", Keys: [][2]string{{"catalogues", cat}, {"package", pkg}}},
		{Name: cat, Keys: repoKeys},
	})
}

// WriteInstallFiles writes install/PACKAGE.install for every user package
// (Section user/...) of the repository, pointing at baseURL, from the
// first dist that has the package; files already current are not
// rewritten and .install files of packages no longer there are deleted.
// It returns the paths written, relative to the repository's top.
func (r *Repo) WriteInstallFiles(baseURL string) ([]string, error) {
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
			if _, done := want[p.Name]; done || !deb.IsUserSection(p.Section) {
				continue
			}
			data, err := r.installFile(baseURL, d, p.Component, p.Name)
			if err != nil {
				return nil, err
			}
			want[p.Name] = data
		}
	}
	res := &Result{}
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
