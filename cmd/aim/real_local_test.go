package main

import (
	"encoding/json"
	"strings"
	"testing"

	"aim/install/debiantest"
)

// TestRealLocalDebPlannedWithoutLists plans a real hello archive in a
// fresh minbase root with no package lists: -s and --json plan exactly
// hello, as the real install would.
func TestRealLocalDebPlannedWithoutLists(t *testing.T) {
	hello := debiantest.Debs(t, "hello")["hello"]
	root := debiantest.MinbaseRoot(t)
	out, errs, code := aim(t, "--root", root, "install", "-s", hello)
	if code != 0 || !strings.Contains(out, "  hello\n") || !strings.Contains(out, "0 upgraded, 1 newly installed") {
		t.Fatalf("install -s: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = aim(t, "--root", root, "--json", "install", "-s", hello)
	var plan planJSON
	if code != 0 || json.Unmarshal([]byte(out), &plan) != nil {
		t.Fatalf("install -s --json: exit %d\n%s%s", code, out, errs)
	}
	if len(plan.Install) != 1 || plan.Install[0].Package != "hello" || len(plan.Upgrade)+len(plan.Remove) != 0 {
		t.Errorf("plan %+v, want exactly hello", plan)
	}
}
