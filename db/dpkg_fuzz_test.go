package db

import (
	"bytes"
	"testing"

	"aim/deb"
)

// FuzzDpkgStatus checks that reading a status file never panics, that
// every package it returns is complete, and that writing the returned
// paragraphs back out and reading them again gives the same packages.
func FuzzDpkgStatus(f *testing.F) {
	f.Add([]byte(sampleStatus))
	f.Add([]byte("Package: a\nStatus: install ok installed\nVersion: 1\n"))
	f.Add([]byte("Package: a\nStatus: install ok\n"))
	f.Add([]byte("Package: a\n continuation\nStatus: purge ok not-installed\n\n\nPackage: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set := make(dpkgSet)
		if err := set.read(bytes.NewReader(data), "status"); err != nil {
			return
		}
		pkgs := set.sorted()
		paras := make([]*deb.Paragraph, len(pkgs))
		for i, p := range pkgs {
			if p.Name == "" || p.Version.IsZero() || p.Control == nil || !p.FromDpkg || p.DpkgState == "" {
				t.Fatalf("incomplete package %+v", p)
			}
			paras[i] = p.Control
		}
		var b bytes.Buffer
		if err := deb.WriteParagraphs(&b, paras); err != nil {
			t.Fatal(err)
		}
		again := make(dpkgSet)
		if err := again.read(&b, "rewritten"); err != nil {
			t.Fatalf("rewritten status does not read back: %v\n%s", err, b.String())
		}
		if got, want := summary(again.sorted()), summary(pkgs); got != want {
			t.Fatalf("round trip changed the packages:\n got %s\nwant %s", got, want)
		}
	})
}
