package mirror

import (
	"strings"
	"testing"
)

func TestConfigRoundTrip(t *testing.T) {
	c := Config{Name: "debian", URL: "http://127.0.0.1:8080/debian", Suite: "bookworm", Components: []string{"main", "contrib"},
		Architectures: []string{"amd64", "arm64"}, Filter: "nano, jq (>= 1.6)", WithDeps: true, Dist: "stable", Component: "main"}
	got, err := parseConfig("debian", c.bytes())
	if err != nil || string(got.bytes()) != string(c.bytes()) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, tc := range []struct{ text, err string }{
		{"url = ftp://x\nsuite = s\ncomponents = main\n", "want http://"},
		{"url = http://x\nsuite = s\n", "no component"},
		{"url = http://x\nsuite = s\ncomponents = main\nfilter = a (>>\n", "filter"},
		{"url = http://x\nsuite = s\ncomponents = main\narchitectures = all\n", "architecture"},
		{"url = http://x\nsuite = s\ncomponents = main\ncolour = red\n", "unknown setting"},
		{"url http://x\n", "key = value"},
	} {
		if _, err := parseConfig("m", []byte(tc.text)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("parseConfig(%q): %v, want %q", tc.text, err, tc.err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("url = http://x/debian\nsuite = bookworm\ncomponents = main\nfilter = nano, jq\nwith-deps = yes\n"))
	f.Add([]byte("url = file:///srv\nsuite = s\ncomponents = a b\narchitectures = amd64\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig("m", data)
		if err != nil {
			return
		}
		again, err := parseConfig("m", c.bytes())
		if err != nil || string(again.bytes()) != string(c.bytes()) {
			t.Fatalf("settings %+v do not survive writing: %v", c, err)
		}
	})
}
