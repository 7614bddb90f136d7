package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo/pgp"
	"aim/repo/pkgsig"
)

// trustStore makes root trust the ed25519 test key for the store role.
func trustStore(t *testing.T, root string) {
	t.Helper()
	dir := filepath.Join(root, pkgsig.TrustedDir, "store")
	os.MkdirAll(dir, 0o755)
	data, err := os.ReadFile(testKey("ed25519.asc"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ed25519.asc"), data, 0o644)
}

// signStore store-signs the package at p with the ed25519 test key.
func signStore(t *testing.T, p string) {
	t.Helper()
	s, err := pgp.LoadSigner(testKey("ed25519.secret.asc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pkgsig.SignFile(p, s, pkgsig.Store, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestInstallLocalTrust(t *testing.T) {
	debs := t.TempDir()
	unsigned := buildPkg(t, debs, pkgSpec{name: "plain", version: "1", files: map[string]string{"/opt/plain": "p"}})
	signed := buildPkg(t, debs, pkgSpec{name: "signed", version: "1", files: map[string]string{"/opt/signed": "s"}})
	signStore(t, signed)

	root := emptyRoot(t, "package-trust = store\n")
	trustStore(t, root)
	_, errs, code := aim(t, "--root", root, "install", "-y", unsigned)
	if code == 0 || !strings.Contains(errs, "needs a valid store signature") || !strings.Contains(errs, "not signed") {
		t.Fatalf("unsigned under package-trust = store: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(root, "opt/plain")); err == nil {
		t.Error("refused package installed")
	}
	aimOK(t, "--root", root, "install", "-y", signed)
	if _, err := os.Stat(filepath.Join(root, "opt/signed")); err != nil {
		t.Errorf("store-signed package not installed: %v", err)
	}

	// A developer signature does not meet the store policy; the refusal
	// names the role needed and the signer found.
	dev := buildPkg(t, debs, pkgSpec{name: "dev", version: "1"})
	aimOK(t, "deb", "sign", "--role", "developer", "--key", testKey("ed25519.secret.asc"), dev)
	_, errs, code = aim(t, "--root", root, "install", "-y", dev)
	if code == 0 || !strings.Contains(errs, "store signature") || !strings.Contains(errs, keyFprEd25519) {
		t.Errorf("developer-signed under store: exit %d, %q", code, errs)
	}

	// Without package-trust in aim.conf, the user's own file is accepted.
	open := emptyRoot(t, "")
	aimOK(t, "--root", open, "install", "-y", unsigned)
	if _, err := os.Stat(filepath.Join(open, "opt/plain")); err != nil {
		t.Errorf("unsigned package refused without a policy: %v", err)
	}
}
