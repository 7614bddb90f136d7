package pgp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestVerifyClearSignedByGnuPG(t *testing.T) {
	tests := []struct {
		file    string
		keys    []string
		signers []string // primary fingerprints
		signing []string // fingerprints of the keys that signed
	}{
		{"ed25519.clearsigned", []string{"ed25519"}, []string{fprEd25519}, []string{fprEd25519}},
		{"rsa.clearsigned", []string{"rsa"}, []string{fprRSA}, []string{fprRSASigning}},
		{"sha1key-sha256.clearsigned", []string{"sha1"}, []string{fprSHA1}, []string{fprSHA1}},
		{"multi.clearsigned", []string{"rsa", "ed25519"}, []string{fprEd25519, fprRSA}, []string{fprEd25519, fprRSASigning}},
		{"multi.clearsigned", []string{"rsa"}, []string{fprRSA}, []string{fprRSASigning}},
		{"multi.clearsigned", []string{"untrusted"}, []string{fprUntrusted}, []string{fprUntrusted}},
	}
	want := releaseText(t)
	for _, tt := range tests {
		t.Run(tt.file+"/"+strings.Join(tt.keys, ","), func(t *testing.T) {
			v, err := VerifyClearSigned(fixture(t, tt.file), keyring(t, tt.keys...), testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v.Text, want) {
				t.Errorf("text:\n%q\nwant:\n%q", v.Text, want)
			}
			if got := signerFingerprints(v); !reflect.DeepEqual(got, tt.signers) {
				t.Errorf("signers %v, want %v", got, tt.signers)
			}
			var signing []string
			for _, s := range v.Signers {
				signing = append(signing, s.SigningKey)
				if s.Digest != "SHA256" && s.Digest != "SHA512" || s.Created.Format(time.DateOnly) != testKeysCreated {
					t.Errorf("signature %+v", s)
				}
			}
			if !reflect.DeepEqual(signing, tt.signing) || v.Signer() != tt.signers[0] {
				t.Errorf("signing keys %v, want %v", signing, tt.signing)
			}
		})
	}
}

func TestVerifyDetachedByGnuPG(t *testing.T) {
	release := fixture(t, "release.txt")
	tests := []struct {
		file, key, signing string
	}{
		{"ed25519.detached.sig", "ed25519", fprEd25519},
		{"ed25519.textmode.sig", "ed25519", fprEd25519},
		{"rsa.detached.asc", "rsa", fprRSASigning},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			v, err := VerifyDetached(release, fixture(t, tt.file), keyring(t, tt.key), testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v.Text, release) || v.Signers[0].SigningKey != tt.signing {
				t.Errorf("got %q signed by %+v", v.Text, v.Signers)
			}
			tampered := bytes.Replace(release, []byte("stable"), []byte("stablE"), 1)
			if _, err := VerifyDetached(tampered, fixture(t, tt.file), keyring(t, tt.key), testNow); !errors.Is(err, ErrBadSignature) {
				t.Errorf("tampered text: %v, want %v", err, ErrBadSignature)
			}
		})
	}
}

// errCheck checks an error a verification returned.
type errCheck func(t *testing.T, err error)

func is(target error) errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error %v, want %v", err, target)
		}
	}
}

func weak(digest, signer string) errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var w *WeakDigestError
		if !errors.As(err, &w) || w.Digest != digest || w.Signer != signer {
			t.Errorf("error %v, want a weak %s digest by %s", err, digest, signer)
		}
	}
}

func unknown(fprs ...string) errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var got []string
		for _, u := range UnknownSigners(err) {
			got = append(got, u.Fingerprint)
			if u.KeyID != u.Fingerprint[24:] {
				t.Errorf("key ID %s of %s", u.KeyID, u.Fingerprint)
			}
		}
		if !reflect.DeepEqual(got, fprs) {
			t.Errorf("error %v: unknown signers %v, want %v", err, got, fprs)
		}
	}
}

func expired(fpr string, when time.Time) errCheck {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *ExpiredKeyError
		if !errors.As(err, &e) || e.Fingerprint != fpr || !e.Expired.Equal(when) {
			t.Errorf("error %v, want key %s expired at %v", err, fpr, when)
		}
	}
}

func TestVerifyClearSignedRefuses(t *testing.T) {
	expiry := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, file string
		keys       []string
		now        time.Time
		check      errCheck
	}{
		{"SHA-1", "sha1.clearsigned", []string{"sha1"}, testNow, weak("SHA1", fprSHA1)},
		{"RIPEMD160", "ripemd160.clearsigned", []string{"rsa"}, testNow, weak("RIPEMD160", fprRSASigning)},
		{"expired key", "expired.clearsigned", []string{"expired"}, testNow, expired(fprExpired, expiry)},
		{"revoked key", "revoked.clearsigned", []string{"revoked"}, testNow, is(ErrKeyRevoked)},
		{"unknown signer", "untrusted.clearsigned", []string{"ed25519", "rsa"}, testNow, unknown(fprUntrusted)},
		{"no keys", "ed25519.clearsigned", nil, testNow, unknown(fprEd25519)},
		{"none of three trusted", "multi.clearsigned", []string{"sha1"}, testNow, unknown(fprUntrusted, fprEd25519, fprRSASigning)},
		{"future", "ed25519.clearsigned", []string{"ed25519"}, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), is(ErrFutureSignature)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VerifyClearSigned(fixture(t, tt.file), keyring(t, tt.keys...), tt.now)
			if err == nil {
				t.Fatalf("verified, signed by %v", v.Signers)
			}
			tt.check(t, err)
		})
	}
}

func TestVerifyExpiredKeyBeforeExpiry(t *testing.T) {
	// The same signature is good while the key was still valid: expiry is
	// what refuses it above.
	now := time.Date(2020, 1, 1, 13, 0, 0, 0, time.UTC)
	if _, err := VerifyClearSigned(fixture(t, "expired.clearsigned"), keyring(t, "expired"), now); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetachedRefuses(t *testing.T) {
	release := fixture(t, "release.txt")
	tests := []struct {
		name  string
		sig   []byte
		check errCheck
	}{
		{"SHA-1", fixture(t, "sha1.detached.sig"), weak("SHA1", fprSHA1)},
		{"MD5", withDigest(t, fixture(t, "ed25519.detached.sig"), 1), weak("MD5", fprEd25519)},
		{"empty", nil, is(ErrNoSignature)},
		{"blank", []byte("\n \n"), is(ErrNoSignature)},
		{"a key, not a signature", fixture(t, "../../../testdata/keys/rsa.gpg"), is(ErrMalformed)},
		{"text after the armor", append(fixture(t, "rsa.detached.asc"), "x\n"...), is(ErrMalformed)},
		{"truncated", fixture(t, "ed25519.detached.sig")[:40], is(ErrMalformed)},
		{"plain text", []byte("hello\n"), is(ErrMalformed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyDetached(release, tt.sig, keyring(t, "ed25519", "rsa", "sha1"), testNow)
			tt.check(t, err)
		})
	}
}

func TestVerifyNilKeyring(t *testing.T) {
	_, err := VerifyDetached(fixture(t, "release.txt"), fixture(t, "ed25519.detached.sig"), nil, testNow)
	unknown(fprEd25519)(t, err)
}
