package pkgsig

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo/pgp"
)

// certifiedUntrusted returns the untrusted test key certified by the CA
// test key ca.
func certifiedUntrusted(t testing.TB, ca string) *pgp.Keyring {
	t.Helper()
	kr, err := pgp.Certify(signer(t, ca), keyring(t, "untrusted"), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	plain := buildDeb(t, dir, "hello\n")
	sign := func(name string, steps ...func(string)) string {
		data, _ := os.ReadFile(plain)
		p := filepath.Join(dir, name+".deb")
		os.WriteFile(p, data, 0o644)
		for _, s := range steps {
			s(p)
		}
		return p
	}
	by := func(key string, role Role, pub *pgp.Keyring) func(string) {
		return func(p string) { mustSign(t, p, signer(t, key), role, pub) }
	}
	storeSigned := sign("store", by("ed25519", Store, nil))
	both := sign("both", by("rsa", Developer, nil), by("ed25519", Store, nil))
	viaCA := sign("via-ca", by("untrusted", Store, certifiedUntrusted(t, "rsa")))
	uncertified := sign("uncertified", by("untrusted", Store, nil))
	otherData := buildDeb(t, t.TempDir(), "tampered\n")
	tampered := graft(t, storeSigned, otherData)

	type sig struct {
		role   Role
		signer string
		valid  bool
		via    string
	}
	for _, tc := range []struct {
		name  string
		path  string
		trust map[Role][]string
		want  []sig
		err   error // of the first signature
	}{
		{"store", storeSigned, map[Role][]string{Store: {"ed25519"}}, []sig{{Store, fprEd25519, true, ""}}, nil},
		{"store key trusted for developer only", storeSigned, map[Role][]string{Developer: {"ed25519"}},
			[]sig{{Store, fprEd25519, false, ""}}, nil},
		{"both roles", both, map[Role][]string{Store: {"ed25519"}, Developer: {"rsa"}},
			[]sig{{Developer, fprRSA, true, ""}, {Store, fprEd25519, true, ""}}, nil},
		{"developer untrusted", both, map[Role][]string{Store: {"ed25519"}},
			[]sig{{Developer, fprRSA, false, ""}, {Store, fprEd25519, true, ""}}, nil},
		{"certified by the store CA", viaCA, map[Role][]string{Store: {"rsa"}}, []sig{{Store, fprUntrusted, true, fprRSA}}, nil},
		{"CA trusted for the other role", viaCA, map[Role][]string{Developer: {"rsa"}}, []sig{{Store, fprUntrusted, false, ""}}, nil},
		{"certified by an untrusted CA", viaCA, map[Role][]string{Store: {"ed25519"}}, []sig{{Store, fprUntrusted, false, ""}}, nil},
		{"not certified", uncertified, map[Role][]string{Store: {"rsa"}}, []sig{{Store, fprUntrusted, false, ""}}, nil},
		{"tampered", tampered, map[Role][]string{Store: {"ed25519"}}, []sig{{Store, fprEd25519, false, ""}}, pgp.ErrBadSignature},
		{"unsigned", plain, map[Role][]string{Store: {"ed25519"}}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := map[Role]*pgp.Keyring{}
			for r, names := range tc.trust {
				keys[r] = keyring(t, names...)
			}
			res, err := VerifyFile(tc.path, NewTrust(keys), now)
			if err != nil {
				t.Fatal(err)
			}
			var got []sig
			for _, s := range res.Signatures {
				got = append(got, sig{s.Role, s.Signer, s.Valid, s.CertifiedBy})
				if s.Valid != (s.Err == nil) {
					t.Errorf("%s: valid %v with error %v", s.Member, s.Valid, s.Err)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v\nwant %v\n%s", got, tc.want, res.Summary())
			}
			if tc.err != nil && !errors.Is(res.Signatures[0].Err, tc.err) {
				t.Errorf("error %v, want %v", res.Signatures[0].Err, tc.err)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	store := &Result{Signatures: []SignatureResult{{Role: Store, Valid: true}}}
	dev := &Result{Signatures: []SignatureResult{{Role: Developer, Valid: true}}}
	bad := &Result{Signatures: []SignatureResult{{Role: Store, Err: pgp.ErrBadSignature}}}
	for _, tc := range []struct {
		policy Policy
		res    *Result
		ok     bool
	}{
		{RequireStore, store, true},
		{RequireStore, dev, false},
		{RequireStore, bad, false},
		{RequireStore, &Result{}, false},
		{RequireDeveloper, store, true},
		{RequireDeveloper, dev, true},
		{RequireDeveloper, bad, false},
		{RequireNone, nil, true},
		{RequireNone, bad, true},
	} {
		err := tc.policy.Check(tc.res)
		var pe *PolicyError
		if (err == nil) != tc.ok || err != nil && !errors.As(err, &pe) {
			t.Errorf("%s on %v: %v", tc.policy, tc.res, err)
		}
	}
}

func TestPolicyFrom(t *testing.T) {
	for _, tc := range []struct {
		setting  string
		want     Policy
		explicit bool
		bad      bool
	}{
		{"", RequireStore, false, false},
		{"developer", RequireDeveloper, true, false},
		{"None", RequireNone, true, false},
		{"store", RequireStore, true, false},
		{"everyone", "", false, true},
	} {
		p, explicit, err := PolicyFrom(tc.setting)
		if (err != nil) != tc.bad || p != tc.want || explicit != tc.explicit {
			t.Errorf("%q: %q %v %v", tc.setting, p, explicit, err)
		}
	}
}

func TestLoadTrust(t *testing.T) {
	root := t.TempDir()
	for role, key := range map[string]string{"store": "ed25519", "developer": "rsa"} {
		d := filepath.Join(root, TrustedDir, role)
		os.MkdirAll(d, 0o755)
		data, _ := os.ReadFile(filepath.Join(keysDir, key+".asc"))
		os.WriteFile(filepath.Join(d, key+".asc"), data, 0o644)
	}
	tr, err := LoadTrust(root)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Keys(Store).Has(fprEd25519) || tr.Keys(Store).Len() != 1 || !tr.Keys(Developer).Has(fprRSA) {
		t.Errorf("store %v developer %v", tr.Keys(Store).Keys(), tr.Keys(Developer).Keys())
	}
	empty, err := LoadTrust(t.TempDir())
	if err != nil || empty.Keys(Store).Len() != 0 {
		t.Errorf("empty root: %v", err)
	}
	os.WriteFile(filepath.Join(root, TrustedDir, "store", "broken.asc"), []byte("junk"), 0o644)
	if _, err := LoadTrust(root); err == nil || !strings.Contains(err.Error(), "broken.asc") {
		t.Errorf("broken key file: %v", err)
	}
}

// TestDebsigVerifyInterop checks that the real debsig-verify accepts a
// package aim store-signed under a policy for the test key, and rejects
// a tampered copy.
func TestDebsigVerifyInterop(t *testing.T) {
	tool, err := exec.LookPath("debsig-verify")
	if err != nil {
		t.Skip("debsig-verify not installed")
	}
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg (which debsig-verify runs) not installed")
	}
	dir := t.TempDir()
	// debsig-verify 0.28 looks an origin signature's key up by the key
	// that made it and then wants a primary key: it cannot check
	// signatures by a signing subkey (the RSA test key's). Keys aim
	// generates sign with their primary key.
	rsa, _, err := pgp.GenerateKey(pgp.KeyOptions{Name: "aim debsig rsa", RSA: true, RSABits: 2048, Created: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []struct {
		name string
		s    *pgp.Signer
		when time.Time
	}{{"ed25519", signer(t, "ed25519"), now}, {"rsa", rsa, time.Now()}} {
		t.Run(key.name, func(t *testing.T) {
			path := buildDeb(t, t.TempDir(), "hello\n")
			mustSign(t, path, signer(t, "ed25519"), Developer, nil)
			if err := SignFile(path, key.s, Store, nil, key.when); err != nil {
				t.Fatal(err)
			}
			policies, keyrings := debsigPolicy(t, filepath.Join(dir, key.name), key.s.PublicKey())
			args := []string{"--policies-dir", policies, "--keyrings-dir", keyrings}
			if out, err := exec.Command(tool, append(args, path)...).CombinedOutput(); err != nil {
				t.Fatalf("debsig-verify refused aim's store signature: %v\n%s", err, out)
			}
			tampered := graft(t, path, buildDeb(t, t.TempDir(), "tampered\n"))
			out, err := exec.Command(tool, append(args, tampered)...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 13 {
				t.Errorf("debsig-verify on a tampered package: %v, want exit 13\n%s", err, out)
			}
		})
	}
}

// debsigPolicy writes a debsig-verify policy requiring an origin
// signature by the key of kr, and its keyring, under dir; it returns the
// policies and keyrings directories. The directories are named by the
// key that signs, a subkey for the RSA test key, the policy by the
// primary key.
func debsigPolicy(t testing.TB, dir string, kr *pgp.Keyring) (policies, keyrings string) {
	t.Helper()
	k := kr.Keys()[0]
	fpr, signing := k.Fingerprint, k.Fingerprint
	for _, s := range k.Subkeys {
		if s.Sign {
			signing = s.Fingerprint
		}
	}
	policies, keyrings = filepath.Join(dir, "policies"), filepath.Join(dir, "keyrings")
	pol := `<?xml version="1.0"?>
<!DOCTYPE Policy SYSTEM "https://www.debian.org/debsig/1.0/policy.dtd">
<Policy xmlns="https://www.debian.org/debsig/1.0/">
  <Origin Name="aim test" id="` + fpr + `" Description="aim test store key"/>
  <Selection>
    <Required Type="origin" File="store.gpg" id="` + fpr + `"/>
  </Selection>
  <Verification MinOptional="0">
    <Required Type="origin" File="store.gpg" id="` + fpr + `"/>
  </Verification>
</Policy>
`
	for _, id := range []string{signing, signing[24:]} { // fingerprint, and the long key ID older versions use
		os.MkdirAll(filepath.Join(policies, id), 0o755)
		os.MkdirAll(filepath.Join(keyrings, id), 0o755)
		os.WriteFile(filepath.Join(policies, id, "aim.pol"), []byte(pol), 0o644)
		f, err := os.Create(filepath.Join(keyrings, id, "store.gpg"))
		if err != nil {
			t.Fatal(err)
		}
		kr.WriteBinary(f)
		f.Close()
	}
	return policies, keyrings
}
