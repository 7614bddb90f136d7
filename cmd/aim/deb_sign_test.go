package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// trustDir makes a trusted.d directory trusting the named test keys per
// role and returns it.
func trustDir(t *testing.T, roles map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "trusted.d")
	for role, key := range roles {
		os.MkdirAll(filepath.Join(dir, role), 0o755)
		data, err := os.ReadFile(testKey(key + ".asc"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, role, key+".asc"), data, 0o644)
	}
	return dir
}

func TestDebSignVerify(t *testing.T) {
	file := buildDemo(t)
	out := aimOK(t, "deb", "sign", "--role", "store", "--key", testKey("ed25519.secret.asc"), file)
	if want := "signed " + file + ": store signature (_gpgorigin) by " + keyFprEd25519 + "\n"; out != want {
		t.Errorf("sign: %q, want %q", out, want)
	}
	aimOK(t, "deb", "sign", "--role", "developer", "--key", testKey("rsa.secret.asc"), file)
	dpkgDebOut(t, "-I", file) // dpkg-deb still reads it

	trusted := trustDir(t, map[string]string{"store": "ed25519"})
	out, _, code := aim(t, "deb", "verify", "--trusted-dir", trusted, file)
	if code != 0 {
		t.Fatalf("verify: status %d: %s", code, out)
	}
	for _, w := range []string{
		file + ": store signature by " + keyFprEd25519 + ": valid\n",
		file + ": developer signature by " + keyFprRSA + ": invalid: signed by unknown key",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("verify output lacks %q:\n%s", w, out)
		}
	}
	// --keyring trusts for both roles.
	js := aimOK(t, "--json", "deb", "verify", "--trusted-dir", trusted, "--keyring", testKey("rsa.asc"), file)
	var v struct {
		Packages []struct {
			Valid      bool `json:"valid"`
			Signatures []struct {
				Role   string `json:"role"`
				Signer string `json:"signer"`
				Valid  bool   `json:"valid"`
			} `json:"signatures"`
		} `json:"packages"`
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Packages) != 1 || !v.Packages[0].Valid || len(v.Packages[0].Signatures) != 2 ||
		!v.Packages[0].Signatures[0].Valid || !v.Packages[0].Signatures[1].Valid {
		t.Errorf("verify --json: %s", js)
	}
	// Nothing trusted: exit 1.
	if _, errs, code := aim(t, "--root", t.TempDir(), "deb", "verify", file); code != 1 || !strings.Contains(errs, "no valid signature") {
		t.Errorf("untrusted: status %d: %s", code, errs)
	}
}

func TestDebSignThroughCA(t *testing.T) {
	dir := t.TempDir()
	// A developer key, certified by the developer CA (the rsa test key).
	aimOK(t, "key", "generate", "--name", "aim developer", "--out", filepath.Join(dir, "dev"))
	aimOK(t, "key", "certify", "--ca", testKey("rsa.secret.asc"), filepath.Join(dir, "dev.asc"), "--out", filepath.Join(dir, "dev.asc"))
	file := buildDemo(t)
	aimOK(t, "deb", "sign", "--role", "developer", "--key", filepath.Join(dir, "dev.secret.asc"), file)
	out := aimOK(t, "deb", "verify", "--trusted-dir", trustDir(t, map[string]string{"developer": "rsa"}), file)
	if !strings.Contains(out, "valid (key certified by "+keyFprRSA+")") {
		t.Errorf("verify: %s", out)
	}
	// The same CA trusted only for the store role does not make it valid.
	if out, _, code := aim(t, "deb", "verify", "--trusted-dir", trustDir(t, map[string]string{"store": "rsa"}), file); code != 1 {
		t.Errorf("CA of the other role: status %d: %s", code, out)
	}
}

func TestDebSignUsage(t *testing.T) {
	file := buildDemo(t)
	for _, args := range [][]string{
		{"deb", "sign", "--key", testKey("ed25519.secret.asc"), file},
		{"deb", "sign", "--role", "store", file},
		{"deb", "sign", "--role", "builder", "--key", testKey("ed25519.secret.asc"), file},
		{"deb", "verify"},
	} {
		if _, _, code := aim(t, args...); code != 2 {
			t.Errorf("%v: status %d, want 2", args, code)
		}
	}
	if _, errs, code := aim(t, "deb", "sign", "--role", "store", "--key", testKey("ed25519.asc"), file); code != 1 || !strings.Contains(errs, "secret key") {
		t.Errorf("public key as --key: %d %s", code, errs)
	}
	if _, _, code := aim(t, "deb", "sign", "--role", "store", "--key", testKey("ed25519.secret.asc"),
		"--public-key", testKey("rsa.asc"), file); code != 1 {
		t.Errorf("--public-key of another key: status %d", code)
	}
}
