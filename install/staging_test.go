package install

import (
	"strings"
	"testing"
)

// TestStagingNamesDoNotCollide installs, upgrades and removes packages
// whose files end in the engine's staging and backup suffixes as they
// used to be (.aim-tmp, .aim-old), beside files of those names without
// the suffix, in one package and across two: every file keeps its
// contents and verify finds nothing.
func TestStagingNamesDoNotCollide(t *testing.T) {
	f := newFixture(t)
	a := func(v string) spec {
		return spec{name: "a", version: v, files: map[string]string{
			"/opt/t/README.aim-old": "a-old " + v, "/opt/t/NOTES.aim-tmp": "a-tmp " + v,
			"/opt/t/own": "own " + v, "/opt/t/own.aim-old": "own-old " + v, "/opt/t/own.aim-tmp": "own-tmp " + v,
			"/opt/t/own.aim-tmp.aim-old": "nested " + v}}
	}
	b := func(v string) spec {
		return spec{name: "b", version: v, files: map[string]string{"/opt/t/README": "b " + v, "/opt/t/NOTES": "b-notes " + v}}
	}
	up := func(s spec) Change { c := f.install(s); c.Action = Upgrade; return c }
	check := func(when string, want map[string]string) {
		t.Helper()
		for p, c := range want {
			if got := f.read(strings.TrimPrefix(p, "/")); got != c {
				t.Errorf("%s: %s = %q, want %q", when, p, got, c)
			}
		}
		f.checkConsistent()
	}
	f.mustRun(f.install(a("1")), f.install(b("1")))
	check("install", mergeFiles(a("1").files, b("1").files))
	f.mustRun(up(b("2")))
	check("upgrade b", mergeFiles(a("1").files, b("2").files))
	f.mustRun(up(a("2")))
	check("upgrade a", mergeFiles(a("2").files, b("2").files))
	f.mustRun(Change{Action: Remove, Name: "b"})
	check("remove b", a("2").files)
}

func mergeFiles(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
