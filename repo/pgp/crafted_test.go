package pgp

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// secretEntity reads a test key's secret half.
func secretEntity(t testing.TB, name string) *openpgp.Entity {
	t.Helper()
	f, err := os.Open(filepath.Join(keysDir, name+".secret.asc"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	el, err := openpgp.ReadArmoredKeyRing(f)
	if err != nil {
		t.Fatal(err)
	}
	return el[0]
}

// craft signs data with priv, as a signature that mod may change before
// it is made, and returns the binary signature packet. mod may also change
// the fingerprint of the signing key (a copy of priv) that go-crypto
// writes in the signature.
func craft(t testing.TB, priv *packet.PrivateKey, data []byte, mod func(*packet.Signature, *packet.PublicKey)) []byte {
	t.Helper()
	k := *priv
	id := k.KeyId
	sig := &packet.Signature{
		Version:      4,
		SigType:      packet.SigTypeBinary,
		PubKeyAlgo:   k.PubKeyAlgo,
		Hash:         crypto.SHA256,
		CreationTime: testNow.Add(-time.Hour),
		IssuerKeyId:  &id,
	}
	if mod != nil {
		mod(sig, &k.PublicKey)
	}
	h := sig.Hash.New()
	h.Write(data)
	if err := sig.Sign(h, &k, nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := sig.Serialize(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestCraftedSignatures(t *testing.T) {
	data := []byte("Origin: crafted\n")
	ed := secretEntity(t, "ed25519")
	rsa := secretEntity(t, "rsa")
	u32 := func(v uint32) *uint32 { return &v }
	tests := []struct {
		name  string
		priv  *packet.PrivateKey
		mod   func(*packet.Signature, *packet.PublicKey)
		check errCheck // nil: valid
	}{
		{"plain", ed.PrivateKey, nil, nil},
		{"SHA-512", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) { s.Hash = crypto.SHA512 }, nil},
		{"fingerprint only", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) { s.IssuerKeyId = nil }, nil},
		{"key ID only", ed.PrivateKey, func(_ *packet.Signature, k *packet.PublicKey) { k.Fingerprint = nil }, nil},
		{"within the clock skew", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) { s.CreationTime = testNow.Add(MaxClockSkew / 2) }, nil},
		{"beyond the clock skew", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) { s.CreationTime = testNow.Add(2 * MaxClockSkew) }, is(ErrFutureSignature)},
		{"signature expired", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) { s.SigLifetimeSecs = u32(60) }, is(ErrSignatureExpired)},
		{"before the key existed", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) {
			s.CreationTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		}, is(ErrBadSignature)},
		{"certification type", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) { s.SigType = packet.SigTypeGenericCert }, is(ErrBadSignature)},
		{"critical notation", ed.PrivateKey, func(s *packet.Signature, _ *packet.PublicKey) {
			s.Notations = []*packet.Notation{{Name: "x@aim-test.invalid", Value: []byte("1"), IsCritical: true}}
		}, is(ErrUnsupported)},
		{"no issuer", ed.PrivateKey, func(s *packet.Signature, k *packet.PublicKey) { s.IssuerKeyId, k.Fingerprint = nil, nil }, is(ErrMalformed)},
		{"names an encryption subkey", ed.PrivateKey, func(s *packet.Signature, k *packet.PublicKey) {
			s.IssuerKeyId, k.Fingerprint = &ed.Subkeys[0].PublicKey.KeyId, ed.Subkeys[0].PublicKey.Fingerprint
		}, is(ErrNotSigningKey)},
		{"certify-only primary key", rsa.PrivateKey, nil, is(ErrNotSigningKey)},
		{"signing subkey", rsa.Subkeys[0].PrivateKey, nil, nil},
		{"key ID of one key, fingerprint of another", ed.PrivateKey, func(_ *packet.Signature, k *packet.PublicKey) {
			k.Fingerprint, _ = hex.DecodeString(fprUntrusted) // go-crypto then reads the key ID from it
		}, unknown(fprUntrusted)},
	}
	kr := keyring(t, "ed25519", "rsa")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyDetached(data, craft(t, tt.priv, data, tt.mod), kr, testNow)
			if tt.check == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("verified")
			}
			tt.check(t, err)
		})
	}
}

// newEntity makes an EdDSA key created at created with a signing subkey
// that lives for subkeyLife (0: forever).
func newEntity(t testing.TB, created time.Time, subkeyLife uint32) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return created }}
	e, err := openpgp.NewEntity("aim test", "crafted", "crafted@aim-test.invalid", cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.KeyLifetimeSecs = subkeyLife
	if err := e.AddSigningSubkey(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// publicKeyring returns a keyring with the public half of e.
func publicKeyring(t testing.TB, e *openpgp.Entity) *Keyring {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	kr, err := ParseKeyring(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestSubkeyExpiredAndRevoked(t *testing.T) {
	created := testNow.Add(-10 * 24 * time.Hour)
	data := []byte("Origin: crafted\n")
	e := newEntity(t, created, 24*3600)
	sub := e.Subkeys[1].PrivateKey // [0] encrypts
	at := func(d time.Duration) func(*packet.Signature, *packet.PublicKey) {
		return func(s *packet.Signature, _ *packet.PublicKey) { s.CreationTime = created.Add(d) }
	}
	sig := craft(t, sub, data, at(time.Hour))
	kr := publicKeyring(t, e)
	if _, err := VerifyDetached(data, sig, kr, created.Add(2*time.Hour)); err != nil {
		t.Fatalf("while the subkey was valid: %v", err)
	}
	_, err := VerifyDetached(data, sig, kr, testNow)
	expired(fingerprintHex(&sub.PublicKey), created.Add(24*time.Hour))(t, err)

	e = newEntity(t, created, 0)
	sub = e.Subkeys[1].PrivateKey
	cfg := &packet.Config{Time: func() time.Time { return created.Add(time.Hour) }}
	if err := e.RevokeSubkey(&e.Subkeys[1], packet.KeyRetired, "retired", cfg); err != nil {
		t.Fatal(err)
	}
	_, err = VerifyDetached(data, craft(t, sub, data, at(2*time.Hour)), publicKeyring(t, e), testNow)
	if !errors.Is(err, ErrKeyRevoked) {
		t.Errorf("revoked subkey: %v", err)
	}
}
