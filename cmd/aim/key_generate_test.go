package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo/pgp"
)

func TestKeyGenerateExportShow(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "maint")
	out := aimOK(t, "key", "generate", "--name", "aim maintainer", "--email", "m@aim-test.invalid", "--out", prefix, "--expire", "2y")
	if !strings.HasPrefix(out, "generated key ") || !strings.Contains(out, "ed25519") {
		t.Errorf("output %q", out)
	}
	fi, err := os.Stat(prefix + ".secret.asc")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret key file: %v %v", fi, err)
	}
	pub, err := pgp.LoadKeyring(prefix + ".asc")
	if err != nil {
		t.Fatal(err)
	}
	k := pub.Keys()[0]
	if k.Expires.Before(time.Now().AddDate(2, 0, -1)) || k.Expires.After(time.Now().AddDate(2, 0, 1)) {
		t.Errorf("expires %v, want in two years", k.Expires)
	}
	// Generating again over the same files is refused.
	if _, _, code := aim(t, "key", "generate", "--name", "x", "--out", prefix); code == 0 {
		t.Error("overwrote an existing key")
	}
	// export of the secret key file gives the public key file.
	want, _ := os.ReadFile(prefix + ".asc")
	if got := aimOK(t, "key", "export", prefix+".secret.asc"); got != string(want) {
		t.Errorf("export:\n%s\nwant\n%s", got, want)
	}
	bin := aimOK(t, "key", "export", "--binary", prefix+".asc")
	if kr, err := pgp.ParseKeyring([]byte(bin)); err != nil || !kr.Has(k.Fingerprint) || bin[0]&0x80 == 0 {
		t.Errorf("binary export: %v", err)
	}
	show := aimOK(t, "key", "show", prefix+".asc")
	for _, w := range []string{"fingerprint: " + k.Fingerprint, "algorithm:   ed25519", "user ID:     aim maintainer <m@aim-test.invalid>", "expires:     " + k.Expires.UTC().Format(time.DateOnly)} {
		if !strings.Contains(show, w) {
			t.Errorf("show lacks %q:\n%s", w, show)
		}
	}
	var js struct {
		Keys []struct {
			Fingerprint string   `json:"fingerprint"`
			UserIDs     []string `json:"userIds"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(aimOK(t, "--json", "key", "show", prefix+".secret.asc")), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Keys) != 1 || js.Keys[0].Fingerprint != k.Fingerprint {
		t.Errorf("show --json: %+v", js)
	}
}

func TestKeyGeneratePassphrase(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("letmein\n"), 0o600)
	prefix := filepath.Join(dir, "locked")
	aimOK(t, "key", "generate", "--name", "locked", "--out", prefix, "--passphrase-file", pw)
	secret, _ := os.ReadFile(prefix + ".secret.asc")
	if _, err := pgp.ParseSigner(secret, nil); err == nil {
		t.Fatal("the key is not protected")
	}
	if _, err := pgp.ParseSigner(secret, []byte("letmein")); err != nil {
		t.Fatal(err)
	}
	// Certifying with it needs the passphrase: from the environment here.
	t.Setenv(pgp.PassphraseEnv, "")
	if _, errs, code := aim(t, "key", "certify", "--ca", prefix+".secret.asc", testKey("untrusted.asc")); code == 0 || !strings.Contains(errs, "passphrase") {
		t.Errorf("certify without passphrase: %d %s", code, errs)
	}
	t.Setenv(pgp.PassphraseEnv, "letmein")
	aimOK(t, "key", "certify", "--ca", prefix+".secret.asc", testKey("untrusted.asc"))
}

func TestKeyGenerateUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"key", "generate", "--out", filepath.Join(dir, "a")},
		{"key", "generate", "--name", "a"},
		{"key", "generate", "--name", "a", "--out", filepath.Join(dir, "a"), "--expire", "2x"},
		{"key", "generate", "--name", "a", "--out", filepath.Join(dir, "a"), "--expire", "-1d"},
	} {
		if _, _, code := aim(t, args...); code != 2 {
			t.Errorf("%v: status %d, want 2", args, code)
		}
	}
}

func TestParseLifetime(t *testing.T) {
	now := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"", 0, false}, {"never", 0, false}, {"0", 0, false},
		{"1d", 24 * time.Hour, false}, {"2w", 14 * 24 * time.Hour, false},
		{"1y", 365 * 24 * time.Hour, false}, {"1m", 31 * 24 * time.Hour, false},
		{"d", 0, true}, {"3", 0, true}, {"0d", 0, true}, {"1h", 0, true},
	} {
		got, err := parseLifetime(tc.in, now)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("%q: %v %v", tc.in, got, err)
		}
	}
}

func TestKeyCertify(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "certified.asc")
	msg := aimOK(t, "key", "certify", "--ca", testKey("rsa.secret.asc"), testKey("untrusted.asc"), "--out", out)
	if !strings.Contains(msg, "certified key 743D69ADECDDFB92B2D5CAD9CAAC13D66A2732A8") {
		t.Errorf("output %q", msg)
	}
	kr, err := pgp.LoadKeyring(out)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := pgp.LoadKeyring(testKey("rsa.asc"))
	if !pgp.CertifiedBy(kr, ca, time.Now().Add(time.Minute)) {
		t.Error("not certified by the CA")
	}
	show := aimOK(t, "key", "show", out)
	if !strings.Contains(show, "certified by "+keyFprRSA) {
		t.Errorf("show:\n%s", show)
	}
	// Without --out, the certified key goes to stdout.
	stdout := aimOK(t, "key", "certify", "--ca", testKey("rsa.secret.asc"), testKey("untrusted.asc"))
	if !bytes.HasPrefix([]byte(stdout), []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		t.Errorf("stdout %.60q", stdout)
	}
}
