package pgp

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKeysOfTestKeys(t *testing.T) {
	type sub struct {
		fpr, algo string
		sign      bool
	}
	tests := []struct {
		name, fpr, algo string
		sign, revoked   bool
		expires         time.Time
		uid             string
		subkeys         []sub
	}{
		{"ed25519", fprEd25519, "ed25519", true, false, time.Time{}, "aim test Ed25519 <ed25519@aim-test.invalid>",
			[]sub{{fprEd25519Enc, "cv25519", false}}},
		{"rsa", fprRSA, "rsa4096", false, false, time.Time{}, "aim test RSA <rsa@aim-test.invalid>",
			[]sub{{fprRSASigning, "rsa3072", true}}},
		{"sha1", fprSHA1, "rsa3072", true, false, time.Time{}, "aim test SHA-1 <sha1@aim-test.invalid>", nil},
		{"expired", fprExpired, "ed25519", true, false, time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC),
			"aim test expired <expired@aim-test.invalid>", nil},
		{"revoked", fprRevoked, "ed25519", true, true, time.Time{}, "aim test revoked <revoked@aim-test.invalid>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := keyring(t, tt.name).Keys()
			if len(keys) != 1 {
				t.Fatalf("%d keys", len(keys))
			}
			k := keys[0]
			if k.Fingerprint != tt.fpr || k.KeyID != tt.fpr[24:] || k.Algorithm != tt.algo || k.Sign != tt.sign ||
				k.Revoked != tt.revoked || !k.Expires.Equal(tt.expires) || !reflect.DeepEqual(k.UserIDs, []string{tt.uid}) ||
				k.File != filepath.Join(keysDir, tt.name+".asc") {
				t.Errorf("key %+v", k)
			}
			var subs []sub
			for _, s := range k.Subkeys {
				subs = append(subs, sub{s.Fingerprint, s.Algorithm, s.Sign})
			}
			if !reflect.DeepEqual(subs, tt.subkeys) {
				t.Errorf("subkeys %+v, want %+v", subs, tt.subkeys)
			}
			if want := tt.name != "expired" && tt.name != "revoked"; k.CanSign(testNow) != want {
				t.Errorf("CanSign = %v", !want)
			}
		})
	}
}

// copyFile copies a test file into dir under another name.
func copyFile(t *testing.T, from, dir, name string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadKeyringDirectory(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(keysDir, "ed25519.asc"), dir, "b.asc")
	copyFile(t, filepath.Join(keysDir, "rsa.gpg"), dir, "a.gpg")
	copyFile(t, filepath.Join(keysDir, "make-keys.sh"), dir, "c.txt")
	copyFile(t, filepath.Join(keysDir, "sha1.asc"), dir, "d.asc~")
	if err := os.Mkdir(filepath.Join(dir, "e.asc"), 0o755); err != nil {
		t.Fatal(err)
	}
	kr, err := LoadKeyring(dir, filepath.Join(keysDir, "untrusted.asc"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range kr.Keys() {
		got = append(got, k.Fingerprint+" "+filepath.Base(k.File))
	}
	want := []string{fprRSA + " a.gpg", fprEd25519 + " b.asc", fprUntrusted + " untrusted.asc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	empty := t.TempDir()
	if kr, err := LoadKeyring(empty); err != nil || kr.Len() != 0 {
		t.Errorf("empty directory: %d keys, %v", kr.Len(), err)
	}
}

func TestParseKeyringRefuses(t *testing.T) {
	secret := fixture(t, "../../../testdata/keys/rsa.secret.asc")
	secretBinary, err := armorBlocks(bytes.ReplaceAll(secret, []byte("PRIVATE KEY"), []byte("PUBLIC KEY")), armorPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keybox := append([]byte{0, 0, 0, 32, 1, 1, 0, 2, 'K', 'B', 'X', 'f'}, make([]byte, 20)...)
	public := string(fixture(t, "../../../testdata/keys/ed25519.asc"))
	tests := []struct {
		name string
		data []byte
		want error // nil: only the message is checked
		msg  string
	}{
		{"armored secret key", secret, ErrSecretKey, ""},
		{"binary secret key", secretBinary[0], ErrSecretKey, ""},
		{"secret key after a public one", append([]byte(public), secret...), ErrSecretKey, ""},
		{"keybox", keybox, nil, "keybox"},
		{"empty", nil, ErrNoKeys, ""},
		{"text", []byte("hello\n"), ErrNoKeys, ""},
		{"signature block", fixture(t, "rsa.detached.asc"), ErrMalformed, ""},
		{"bad checksum", []byte(replaceChecksum(public)), ErrMalformed, ""},
		{"truncated binary", fixture(t, "../../../testdata/keys/rsa.gpg")[:300], ErrMalformed, ""},
		{"signature packet first", fixture(t, "ed25519.detached.sig"), ErrMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := ParseKeyring(tt.data)
			if err == nil {
				t.Fatalf("parsed %d keys", kr.Len())
			}
			if tt.want != nil && !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %v %q", err, tt.want, tt.msg)
			}
		})
	}
	if _, err := LoadKeyring(filepath.Join(t.TempDir(), "missing.gpg")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// replaceChecksum spoils the armor checksum of an armored block.
func replaceChecksum(s string) string {
	i := strings.LastIndex(s, "\n=")
	return s[:i] + "\n=AAAA" + s[i+6:]
}

func TestParseKeyringSeveralBlocks(t *testing.T) {
	data := "Our signing keys, see the web page.\n\n" +
		string(fixture(t, "../../../testdata/keys/ed25519.asc")) + "\nand the old one:\n" +
		string(fixture(t, "../../../testdata/keys/rsa.asc"))
	kr, err := ParseKeyring([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if keys := kr.Keys(); len(keys) != 2 || keys[0].Fingerprint != fprEd25519 || keys[1].Fingerprint != fprRSA || keys[0].File != "" {
		t.Errorf("keys %+v", keys)
	}
}

func TestWriteKeyringRoundTrip(t *testing.T) {
	kr := keyring(t, "ed25519", "rsa", "expired", "revoked")
	for _, write := range []func(*Keyring, *bytes.Buffer) error{
		func(k *Keyring, b *bytes.Buffer) error { return k.WriteArmored(b) },
		func(k *Keyring, b *bytes.Buffer) error { return k.WriteBinary(b) },
	} {
		var a, b bytes.Buffer
		if err := write(kr, &a); err != nil {
			t.Fatal(err)
		}
		back, err := ParseKeyring(a.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if err := write(back, &b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("writing again differs (%v)", err)
		}
		got, want := back.Keys(), kr.Keys()
		for i := range want {
			want[i].File = ""
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read back %+v\nwant %+v", got, want)
		}
	}
}

func TestSelectMergeHas(t *testing.T) {
	kr := keyring(t, "ed25519", "rsa")
	onlyRSA := kr.Select(func(k Key) bool { return k.Algorithm == "rsa4096" })
	if onlyRSA.Len() != 1 || !onlyRSA.Has(strings.ToLower(fprRSA)) || onlyRSA.Has(fprEd25519) {
		t.Errorf("Select: %+v", onlyRSA.Keys())
	}
	if _, err := VerifyClearSigned(fixture(t, "ed25519.clearsigned"), onlyRSA, testNow); err == nil {
		t.Error("a key left out by Select still verifies")
	}
	merged, err := onlyRSA.Merge(keyring(t, "rsa", "sha1"))
	if err != nil {
		t.Fatal(err)
	}
	var fprs []string
	for _, k := range merged.Keys() {
		fprs = append(fprs, k.Fingerprint)
	}
	if !reflect.DeepEqual(fprs, []string{fprRSA, fprSHA1}) {
		t.Errorf("Merge: %v", fprs)
	}
	var nilRing *Keyring
	if nilRing.Len() != 0 || nilRing.Has(fprRSA) || len(nilRing.Keys()) != 0 {
		t.Error("nil keyring is not empty")
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"Zoë <z@x>":       "Zoë <z@x>",
		"bad \xff byte":   "bad ? byte",
		"esc \x1b[31mred": "esc ?[31mred",
		"real \uFFFD":     "real \uFFFD",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
