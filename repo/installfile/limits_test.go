package installfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// generatedInstallFile is a catalogue-form .install file naming cats
// catalogues (each group present) and pkgs packages.
func generatedInstallFile(cats, pkgs int) []byte {
	var names, groups, packages []string
	for i := range cats {
		n := fmt.Sprintf("cat%d", i)
		names = append(names, n)
		groups = append(groups, fmt.Sprintf("[%s]\nname = Catalogue %d\nuri = http://repo%d.example/\ndist = stable\ncomponents = main\nkey_uri = http://repo%d.example/key.asc\n", n, i, i, i))
	}
	for i := range pkgs {
		packages = append(packages, fmt.Sprintf("pkg%d", i))
	}
	return []byte("[install]\ncatalogues = " + strings.Join(names, ";") + "\npackage = " + strings.Join(packages, ";") + "\n" + strings.Join(groups, ""))
}

func TestParseBoundsCataloguesAndPackages(t *testing.T) {
	tests := []struct {
		name       string
		cats, pkgs int
		refused    bool
	}{
		{"at the bounds", MaxCatalogues, MaxPackages, false},
		{"one catalogue too many", MaxCatalogues + 1, 1, true},
		{"a thousand catalogues", 1000, 1, true},
		{"one package too many", 1, MaxPackages + 1, true},
		{"a hundred thousand packages", 1, 100000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := generatedInstallFile(tt.cats, tt.pkgs)
			if len(data) > MaxKeyFileSize {
				t.Fatalf("generated file of %d bytes is over the key file bound", len(data))
			}
			in, err := Parse(data, Options{Distribution: "stable"})
			if tt.refused {
				if !errors.Is(err, ErrTooMany) {
					t.Fatalf("Parse: %v, want ErrTooMany", err)
				}
				return
			}
			if err != nil || len(in.Catalogues) != tt.cats || len(in.Packages) != tt.pkgs {
				t.Fatalf("Parse: %v, %d catalogues, %d packages", err, len(in.Catalogues), len(in.Packages))
			}
		})
	}
}

// TestParseBoundsCountBothLists counts catalogues named in [install]
// and [catalogues] together, and filtered ones too.
func TestParseBoundsCountBothLists(t *testing.T) {
	var a, b, groups []string
	for i := range MaxCatalogues + 1 {
		n := fmt.Sprintf("c%d", i)
		if i%2 == 0 {
			a = append(a, n)
		} else {
			b = append(b, n)
		}
		groups = append(groups, fmt.Sprintf("[%s]\nuri = http://r%d.example/\nfilter_dist = other%d\n", n, i, i))
	}
	data := "[install]\ncatalogues = " + strings.Join(a, ";") + "\npackage = x\n[catalogues]\ncatalogues = " + strings.Join(b, ";") + "\n" + strings.Join(groups, "")
	if _, err := Parse([]byte(data), Options{Distribution: "stable"}); !errors.Is(err, ErrTooMany) {
		t.Fatalf("Parse: %v, want ErrTooMany", err)
	}
}
