package installfile

import "testing"

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
