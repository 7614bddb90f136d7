package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/repo/pgp"
)

// Test keys of testdata/keys and their fingerprints.
const (
	testKeys        = "../../testdata/keys"
	keyFprEd25519   = "EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B"
	keyFprRSA       = "4D92C79B154829B80F1891368A1CC3D2CF189026"
	keyFprRSASubkey = "44C2D2412957A0E7B22C2036F7F1345E38E84CBE"
)

// aimKey runs "aim --root root ARGS..." and returns its exit status and
// output.
func aimKey(t *testing.T, root string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"--root", root}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// mustAim runs aim and fails the test unless it exits 0.
func mustAim(t *testing.T, root string, args ...string) string {
	t.Helper()
	code, out, errs := aimKey(t, root, args...)
	if code != 0 {
		t.Fatalf("aim %q: exit %d: %s", args, code, errs)
	}
	return out
}

// testKey is the path of a test key file.
func testKey(name string) string { return filepath.Join(testKeys, name) }

// rootKeys lists the fingerprints of a keyring file under root.
func rootKeys(t *testing.T, root, rel string) []string {
	t.Helper()
	kr, err := pgp.LoadKeyring(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	var fprs []string
	for _, k := range kr.Keys() {
		fprs = append(fprs, k.Fingerprint)
	}
	return fprs
}

func TestKeyAddTrustsForEverySource(t *testing.T) {
	root := t.TempDir()
	out := mustAim(t, root, "key", "add", testKey("ed25519.asc"))
	want := "added key " + keyFprEd25519 + ` ed25519 "aim test Ed25519 <ed25519@aim-test.invalid>" in /etc/aim/trusted.gpg.d/` + keyFprEd25519 + ".asc\n"
	if out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if got := rootKeys(t, root, "etc/aim/trusted.gpg.d/"+keyFprEd25519+".asc"); len(got) != 1 || got[0] != keyFprEd25519 {
		t.Errorf("installed %v", got)
	}
	if out := mustAim(t, root, "key", "add", testKey("ed25519.asc")); !strings.HasPrefix(out, "already trusted: key "+keyFprEd25519) {
		t.Errorf("adding again: %q", out)
	}
	// A binary keyring is installed armored.
	mustAim(t, root, "key", "add", testKey("rsa.gpg"))
	data, err := os.ReadFile(filepath.Join(root, "etc/aim/trusted.gpg.d", keyFprRSA+".asc"))
	if err != nil || !bytes.HasPrefix(data, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		t.Errorf("rsa key file: %v %.40q", err, data)
	}
}

func TestKeyAddForOneSource(t *testing.T) {
	root := t.TempDir()
	out := mustAim(t, root, "key", "add", "--source", "apps", testKey("ed25519.asc"))
	if !strings.HasSuffix(out, "in /etc/aim/keyrings/apps.asc\ntrusted for source apps only, when its signed-by names /etc/aim/keyrings/apps.asc\n") {
		t.Errorf("output %q", out)
	}
	mustAim(t, root, "key", "add", testKey("rsa.asc"), "--source=apps")
	if got := rootKeys(t, root, "etc/aim/keyrings/apps.asc"); strings.Join(got, " ") != keyFprEd25519+" "+keyFprRSA {
		t.Errorf("apps.asc holds %v", got)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/trusted.gpg.d")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("trusted.gpg.d: %v", err)
	}
	// A source keyring installed in binary form stays binary.
	bin, err := os.ReadFile(testKey("rsa.gpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/aim/keyrings/bin.gpg"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
	mustAim(t, root, "key", "add", "--source", "bin", testKey("ed25519.asc"))
	if got := rootKeys(t, root, "etc/aim/keyrings/bin.gpg"); len(got) != 2 {
		t.Errorf("bin.gpg holds %v", got)
	}
}

func TestKeyAddRefuses(t *testing.T) {
	both := filepath.Join(t.TempDir(), "both.asc")
	writeConcat(t, both, testKey("expired.asc"), testKey("revoked.asc"))
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{testKey("rsa.secret.asc")}, 1, "secret key"},
		{[]string{testKey("expired.asc")}, 1, "it expired on 2020-01-02"},
		{[]string{testKey("revoked.asc")}, 1, "it is revoked"},
		{[]string{both}, 1, "it expired on 2020-01-02; key AC8127EEE64363920A26BD880D9C174480AE0211"},
		{[]string{testKey("make-keys.sh")}, 1, "no usable OpenPGP public key"},
		{[]string{testKey("missing.asc")}, 1, "no such file"},
		{[]string{testKey("ed25519.asc"), "--source", "../up"}, 2, "invalid source name"},
		{[]string{}, 2, "usage"},
	}
	for _, tt := range tests {
		root := t.TempDir()
		code, _, errs := aimKey(t, root, append([]string{"key", "add"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.msg) {
			t.Errorf("key add %q: exit %d, %q; want %d, %q", tt.args, code, errs, tt.code, tt.msg)
		}
		if _, err := os.Stat(filepath.Join(root, "etc")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("key add %q wrote files", tt.args)
		}
	}
}

// writeConcat writes the contents of files one after the other into name.
func writeConcat(t *testing.T, name string, files ...string) {
	t.Helper()
	var all []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, data...)
	}
	if err := os.WriteFile(name, all, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKeyAddSkipsExpiredKeysOfAFile(t *testing.T) {
	root := t.TempDir()
	mixed := filepath.Join(t.TempDir(), "mixed.asc")
	writeConcat(t, mixed, testKey("expired.asc"), testKey("ed25519.asc"))
	code, out, errs := aimKey(t, root, "key", "add", mixed)
	if code != 0 || !strings.Contains(errs, "warning: not adding key 319B78BA9AB27898581EBDD9263C23D13C9F87C5") || !strings.Contains(out, keyFprEd25519) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestKeyAddURL(t *testing.T) {
	key, err := os.ReadFile(testKey("ed25519.asc"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/key.asc":
			w.Write(key)
		case "/huge.asc":
			w.Write(bytes.Repeat([]byte{'x'}, pgp.MaxKeyringSize+1))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	root := t.TempDir()
	code, out, errs := aimKey(t, root, "key", "add", srv.URL+"/key.asc")
	if code != 0 || !strings.Contains(out, keyFprEd25519) || !strings.Contains(errs, "is not https") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for path, msg := range map[string]string{"/none.asc": "404 Not Found", "/huge.asc": "larger than"} {
		if code, _, errs := aimKey(t, root, "key", "add", srv.URL+path); code != 1 || !strings.Contains(errs, msg) {
			t.Errorf("%s: exit %d, %q", path, code, errs)
		}
	}
}

func TestKeyList(t *testing.T) {
	root := t.TempDir()
	if out := mustAim(t, root, "key", "list"); out != "FINGERPRINT  ALGORITHM  EXPIRES  USER ID  FILE\n" {
		t.Errorf("empty list: %q", out)
	}
	mustAim(t, root, "key", "add", testKey("rsa.asc"))
	mustAim(t, root, "key", "add", "--source", "apps", testKey("ed25519.asc"))
	if err := os.WriteFile(filepath.Join(root, "etc/aim/trusted.gpg.d/broken.gpg"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := aimKey(t, root, "key", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(errs, "broken.gpg") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if f := strings.Fields(lines[1]); f[0] != keyFprRSA || f[1] != "rsa4096" || f[2] != "never" || f[len(f)-1] != "/etc/aim/trusted.gpg.d/"+keyFprRSA+".asc" {
		t.Errorf("line %q", lines[1])
	}
	var got struct{ Keys []keyJSON }
	if err := json.Unmarshal([]byte(mustAim(t, root, "key", "list", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Keys) != 2 || got.Keys[0].Source != "" || got.Keys[1].Source != "apps" ||
		got.Keys[1].Fingerprint != keyFprEd25519 || got.Keys[1].Algorithm != "ed25519" || got.Keys[1].Expires != nil ||
		got.Keys[1].File != "/etc/aim/keyrings/apps.asc" || got.Keys[1].UserIDs[0] != "aim test Ed25519 <ed25519@aim-test.invalid>" {
		t.Errorf("json %+v", got)
	}
}

func TestKeyRemove(t *testing.T) {
	root := t.TempDir()
	mustAim(t, root, "key", "add", testKey("ed25519.asc"))
	mustAim(t, root, "key", "add", testKey("rsa.asc"))
	mustAim(t, root, "key", "add", "--source", "apps", testKey("ed25519.asc"))
	mustAim(t, root, "key", "add", "--source", "apps", testKey("rsa.asc"))

	// By key ID, lower case: the key leaves both files; trusted.gpg.d's
	// file goes, apps.asc keeps the other key.
	out := mustAim(t, root, "key", "remove", "0x"+strings.ToLower(keyFprEd25519[24:]))
	want := "removed key " + keyFprEd25519 + ": deleted /etc/aim/trusted.gpg.d/" + keyFprEd25519 + ".asc\n" +
		"removed key " + keyFprEd25519 + " from /etc/aim/keyrings/apps.asc\n"
	if out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if got := rootKeys(t, root, "etc/aim/keyrings/apps.asc"); len(got) != 1 || got[0] != keyFprRSA {
		t.Errorf("apps.asc holds %v", got)
	}
	// By a subkey's fingerprint (what a signature names), with --json.
	var res struct {
		Removed string
		Files   []keyRemoval
	}
	if err := json.Unmarshal([]byte(mustAim(t, root, "key", "remove", keyFprRSASubkey, "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Removed != keyFprRSA || len(res.Files) != 2 || !res.Files[0].Deleted || !res.Files[1].Deleted {
		t.Errorf("json %+v", res)
	}
	if code, _, errs := aimKey(t, root, "key", "remove", keyFprRSA); code != 1 || !strings.Contains(errs, "no trusted key") {
		t.Errorf("removing again: exit %d, %q", code, errs)
	}
	for _, bad := range []string{"CF189026", "XYZ", keyFprRSA + "00"} {
		if code, _, errs := aimKey(t, root, "key", "remove", bad); code != 2 || !strings.Contains(errs, "full fingerprint") {
			t.Errorf("remove %q: exit %d, %q", bad, code, errs)
		}
	}
}

func TestMatchKeyAmbiguous(t *testing.T) {
	// Two keys whose IDs collide: only the full fingerprint chooses.
	a := pgp.Key{Fingerprint: strings.Repeat("A", 24) + "0123456789ABCDEF", KeyID: "0123456789ABCDEF"}
	b := pgp.Key{Fingerprint: strings.Repeat("B", 24) + "0123456789ABCDEF", KeyID: "0123456789ABCDEF"}
	if _, err := matchKey([]pgp.Key{a, b, a}, "0123456789ABCDEF"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("key ID: %v", err)
	}
	if fpr, err := matchKey([]pgp.Key{a, b, a}, b.Fingerprint); err != nil || fpr != b.Fingerprint {
		t.Errorf("fingerprint: %q, %v", fpr, err)
	}
}
