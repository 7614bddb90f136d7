package repo

import (
	"os"
	"path/filepath"
	"testing"
)

// readKeyFile reads what WriteKeyFile writes back with ParseKeyFile,
// values unescaped, so the writer can be checked by a round trip.
func readKeyFile(t *testing.T, data []byte) []KeyFileGroup {
	t.Helper()
	kf, err := ParseKeyFile(data)
	if err != nil {
		t.Fatalf("written key file does not parse: %v\n%s", err, data)
	}
	var out []KeyFileGroup
	for _, g := range kf.Groups() {
		kg := KeyFileGroup{Name: g}
		for _, k := range kf.Keys(g) {
			v, err := kf.String(g, k)
			if err != nil {
				t.Fatal(err)
			}
			kg.Keys = append(kg.Keys, [2]string{k, v})
		}
		out = append(out, kg)
	}
	return out
}

func TestKeyFileRoundTrip(t *testing.T) {
	groups := []KeyFileGroup{
		{Name: "install", Keys: [][2]string{{"catalogues", "extras"}, {"package", "hello"}}},
		{Name: "extras", Keys: [][2]string{{"name", " Extras\tand\nmore \\ things"}, {"uri", "https://example.org/r"}}},
	}
	data, err := WriteKeyFile(groups)
	if err != nil {
		t.Fatal(err)
	}
	if got := readKeyFile(t, data); len(got) != 2 || got[1].Keys[0][1] != groups[1].Keys[0][1] || got[0].Keys[1][1] != "hello" {
		t.Errorf("round trip: %q -> %+v", data, got)
	}
	if _, err := WriteKeyFile([]KeyFileGroup{{Name: "a]b"}}); err == nil {
		t.Error("bad group name accepted")
	}
}

func TestWriteInstallFiles(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	written, err := r.WriteInstallFiles("https://example.org/repo/")
	if err != nil || len(written) != 1 || written[0] != "install/demo-app.install" {
		t.Fatalf("install files: %v %v", written, err)
	}
	data, _ := os.ReadFile(filepath.Join(r.Dir, "install/demo-app.install"))
	want := "[install]\ncatalogues=repository\npackage=demo-app\n\n[repository]\nname=Test repository\n" +
		"uri=https://example.org/repo\ndist=stable\ncomponents=main\nkey_uri=https://example.org/repo/key.asc\n"
	if string(data) != want {
		t.Errorf("demo-app.install:\n%s\nwant:\n%s", data, want)
	}
	got := readKeyFile(t, data)
	if got[1].Keys[4] != [2]string{"key_uri", "https://example.org/repo/key.asc"} {
		t.Errorf("read back: %+v", got)
	}
	if again, err := r.WriteInstallFiles("https://example.org/repo/"); err != nil || len(again) != 0 {
		t.Errorf("second run rewrote %v (%v)", again, err)
	}
}
