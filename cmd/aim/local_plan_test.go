package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLocalArchivePlanned plans a local archive with -s, --json and the
// summary in a fresh root (no lists) and after an update with no
// sources (empty lists): both plan exactly the archive's package.
func TestLocalArchivePlanned(t *testing.T) {
	for _, updated := range []bool{false, true} {
		t.Run(map[bool]string{false: "no-lists", true: "empty-lists"}[updated], func(t *testing.T) {
			root := emptyRoot(t, "")
			hello := buildPkg(t, t.TempDir(), pkgSpec{name: "hello", version: "2.10-3", files: map[string]string{"/usr/bin/hello": "h"}})
			if updated {
				if _, errs, code := aim(t, "--root", root, "update"); code != 0 {
					t.Fatalf("update: %s", errs)
				}
			}
			out, errs, code := aim(t, "--root", root, "install", "-s", hello)
			if code != 0 || !strings.Contains(out, "The following NEW packages will be installed:\n  hello\n") ||
				!strings.Contains(out, "0 upgraded, 1 newly installed, 0 to remove") {
				t.Fatalf("install -s: exit %d\n%s%s", code, out, errs)
			}
			out, errs, code = aim(t, "--root", root, "--json", "install", "-s", hello)
			var plan planJSON
			if code != 0 || json.Unmarshal([]byte(out), &plan) != nil {
				t.Fatalf("install -s --json: exit %d\n%s%s", code, out, errs)
			}
			if len(plan.Install) != 1 || plan.Install[0].Package != "hello" || plan.Install[0].Version != "2.10-3" {
				t.Errorf("plan %+v, want exactly hello 2.10-3", plan)
			}
		})
	}
}
