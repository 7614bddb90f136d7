package sources

import (
	"testing"

	"aim/repo/installfile"
)

func TestMatchCatalogue(t *testing.T) {
	srcs, err := ParseList("/etc/aim/sources.list", []byte(
		"deb http://a.example/repo/ bora main extra\n# deb http://b.example/r bora main\ndeb http://b.example/r bora main\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		c    installfile.Catalogue
		want int // index of the source, -1 for none
	}{
		{installfile.Catalogue{URI: "http://a.example/repo", Dist: "bora", Components: []string{"extra", "main"}}, 0},
		{installfile.Catalogue{URI: "http://a.example/repo//", Components: []string{"main", "extra"}}, 0}, // empty dist: the device's
		{installfile.Catalogue{URI: "http://a.example/repo", Dist: "bora", Components: []string{"main"}}, -1},
		{installfile.Catalogue{URI: "http://a.example/repo", Dist: "chinook", Components: []string{"main", "extra"}}, -1},
		{installfile.Catalogue{URI: "http://b.example/r/", Dist: "bora", Components: []string{"main"}}, 2}, // the enabled one
	}
	for i, tt := range tests {
		got := MatchCatalogue(srcs, &tt.c, "bora")
		if tt.want < 0 && got != nil || tt.want >= 0 && got != &srcs[tt.want] {
			t.Errorf("%d: got %+v, want source %d", i, got, tt.want)
		}
	}
}
