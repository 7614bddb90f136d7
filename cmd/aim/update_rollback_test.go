package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo"
)

// TestUpdateReleaseDateRollback serves a Release dated before the one in
// use: aim update refuses it and names the flag that accepts it, and
// with that flag the older release is taken.
func TestUpdateReleaseDateRollback(t *testing.T) {
	root, dir := flatRepo(t)
	if _, errs, code := aim(t, "--root", root, "update"); code != 0 {
		t.Fatalf("update: %s", errs)
	}
	pkgs := "Package: hello\nVersion: 0.9\nArchitecture: all\nDescription: old hello\n"
	os.WriteFile(filepath.Join(dir, "Packages"), []byte(pkgs), 0o644)
	sum := sha256.Sum256([]byte(pkgs))
	rel := &repo.Release{Suite: "flat", Date: time.Now().Add(-48 * time.Hour),
		Files: []repo.ReleaseFile{{Path: "Packages", Size: int64(len(pkgs)), SHA256: hex.EncodeToString(sum[:])}}}
	os.WriteFile(filepath.Join(dir, "Release"), rel.Bytes(), 0o644)

	_, errs, code := aim(t, "--root", root, "update")
	if code != 1 || !strings.Contains(errs, "is older than the one in use") || !strings.Contains(errs, "--allow-release-date-rollback") {
		t.Errorf("older release: exit %d, %q", code, errs)
	}
	if out, _, _ := aim(t, "--root", root, "policy", "hello"); strings.Contains(out, "0.9") {
		t.Errorf("older release used:\n%s", out)
	}
	if _, errs, code := aim(t, "--root", root, "update", "--allow-release-date-rollback"); code != 0 {
		t.Fatalf("update --allow-release-date-rollback: exit %d, %q", code, errs)
	}
	if out, _, _ := aim(t, "--root", root, "policy", "hello"); !strings.Contains(out, "0.9") {
		t.Errorf("older release not taken:\n%s", out)
	}
}
