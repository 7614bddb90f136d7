package server

import (
	"fmt"
	"strings"

	"aim/repo/installfile"
	"aim/repo/publish"
)

// InstallMIMEType is the type of single-click .install files.
const InstallMIMEType = "application/x-install-instructions"

// classicKeys names the repo_deb key of the classic .install form for the
// maemo distributions that read it: maemo 2 read repo_deb, maemo 3 (bora)
// repo_deb_3. Later releases read the catalogue form.
var classicKeys = map[string]string{
	"mistral": "repo_deb", "scirocco": "repo_deb", "gregale": "repo_deb",
	"bora": "repo_deb_3",
}

// installFile returns the .install file that adds the repository served
// at base and installs e from dist. For a distribution that reads the
// classic form (see classicKeys) it is the classic form:
//
//	[install]
//	repo_name=NAME
//	repo_deb_3=deb BASE DIST COMPONENT
//	package=ID
//
// and otherwise the catalogue form, with the repository's key_uri.
func installFile(s *publish.Settings, base, dist string, e *pkg, distribution string) ([]byte, error) {
	base = strings.TrimRight(base, "/")
	name := firstNonEmpty(s.Label, s.Origin, s.Catalogue, "repository")
	if key, ok := classicKeys[distribution]; ok {
		line := fmt.Sprintf("deb %s %s %s", base, dist, e.component)
		if s.Flat {
			line = fmt.Sprintf("deb %s ./", base)
		}
		return installfile.WriteKeyFile([]installfile.KeyFileGroup{{Name: "install", Keys: [][2]string{
			{"repo_name", name}, {key, line}, {"package", e.name}, {"repo_key_uri", base + "/key.asc"},
		}}})
	}
	cat := firstNonEmpty(s.Catalogue, "repository")
	keys := [][2]string{{"name", name}, {"uri", base}}
	if s.Flat {
		keys = append(keys, [2]string{"dist", "./"})
	} else {
		keys = append(keys, [2]string{"dist", dist}, [2]string{"components", e.component})
	}
	keys = append(keys, [2]string{"key_uri", base + "/key.asc"})
	return installfile.WriteKeyFile([]installfile.KeyFileGroup{
		{Name: "install", Keys: [][2]string{{"catalogues", cat}, {"package", e.name}}},
		{Name: cat, Keys: keys},
	})
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
