package repo

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"aim/repo/sources"
)

// archIndex is a Packages index of one package, lib, built for arch.
func archIndex(arch string) []byte {
	return []byte("Package: lib\nVersion: 1\nArchitecture: " + arch + "\nMulti-Arch: same\nFilename: pool/lib_1_" + arch +
		".deb\nSize: 10\nSHA256: " + sum256([]byte(arch)) + "\nDescription: lib\n")
}

// TestUpdateForeignArchitectures checks which indexes an update fetches
// with foreign architectures configured: every configured architecture
// the Release lists, none it does not list (without failing), and only
// the arch= option's architectures when the source has one.
func TestUpdateForeignArchitectures(t *testing.T) {
	date := time.Date(2026, 12, 1, 4, 14, 9, 0, time.UTC)
	tests := []struct {
		name     string
		released []string // the Release's Architectures; indexes exist for each
		foreign  []string
		option   string // the source's options
		want     []string
	}{
		{name: "native only", released: []string{"amd64", "i386"}, want: []string{"amd64"}},
		{name: "i386 listed", released: []string{"amd64", "i386"}, foreign: []string{"i386"}, want: []string{"amd64", "i386"}},
		{name: "arm64 not listed", released: []string{"amd64", "i386"}, foreign: []string{"arm64", "i386"}, want: []string{"amd64", "i386"}},
		{name: "arch option restricts", released: []string{"amd64", "i386"}, foreign: []string{"i386"}, option: "arch=amd64",
			want: []string{"amd64"}},
		{name: "arch option adds", released: []string{"amd64", "i386", "arm64"}, foreign: []string{"i386"}, option: "arch+=arm64",
			want: []string{"amd64", "arm64", "i386"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			r := newSignedRepo(t)
			r.archs = tt.released
			files := map[string][]byte{}
			for _, a := range tt.released {
				files["main/binary-"+a+"/Packages"] = archIndex(a)
			}
			r.publish(date, files)
			src := r.source(root)
			if tt.option != "" {
				line := "deb [signed-by=/etc/aim/keyrings/test.asc " + tt.option + "] file://" + r.dir + " stable main"
				s, err := sources.ParseLine(line)
				if err != nil {
					t.Fatal(err)
				}
				s.Name = "test"
				src = *s
			}
			u := newUpdater(t, root)
			u.Foreign = tt.foreign
			u.Now = func() time.Time { return date.Add(time.Hour) }
			if _, err := u.Update(context.Background(), []sources.Source{src}); err != nil {
				t.Fatal(err)
			}
			c, err := OpenCache(filepath.Join(root, CacheFile))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var got []string
			for _, a := range c.Lookup("lib") {
				got = append(got, a.Architecture)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("architectures in the cache %q, want %q", got, tt.want)
			}
		})
	}
}

// TestUpdateForeignMissingIndex checks that a Release without an
// Architectures field still gets its foreign index tried, and that its
// absence is no failure.
func TestUpdateForeignMissingIndex(t *testing.T) {
	date := time.Date(2026, 12, 1, 4, 14, 9, 0, time.UTC)
	root := t.TempDir()
	r := newSignedRepo(t)
	r.archs = []string{}
	r.publish(date, map[string][]byte{"main/binary-amd64/Packages": archIndex("amd64")})
	u := newUpdater(t, root)
	u.Foreign = []string{"i386"}
	u.Now = func() time.Time { return date.Add(time.Hour) }
	res, err := u.Update(context.Background(), []sources.Source{r.source(root)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Err != nil || res[0].Indexes != 1 {
		t.Errorf("results %+v, want one source with one index", res)
	}
}
