package pkgsig

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"aim/deb"
	"aim/repo/pgp"
)

// SignatureResult is what Verify found of one signature member.
type SignatureResult struct {
	// Member is the ar member: "_gpgorigin", "_gpgmaint", or another
	// "_gpg*" signature (such as dpkg-sig's "_gpgbuilder"), which has no
	// role and is never valid.
	Member string
	// Role is the member's role; empty for other members.
	Role Role
	// Signer is the signer's primary key fingerprint when the signature
	// was checked with a known key, else the fingerprint or key ID the
	// signature names; empty when it names none.
	Signer string
	// Valid is true when the signature is valid for its role.
	Valid bool
	// CertifiedBy is the fingerprint of the trusted CA key through which
	// the signer was trusted; empty when the signer itself is trusted.
	CertifiedBy string
	// Created is the signature's creation time, when valid.
	Created time.Time
	// Err says why the signature is not valid; nil when it is.
	Err error
}

// Result is what Verify found: every signature member, in archive order.
type Result struct {
	Signatures []SignatureResult
}

// Valid reports whether the package carries a valid signature of role.
func (r *Result) Valid(role Role) bool {
	for _, s := range r.Signatures {
		if s.Valid && s.Role == role {
			return true
		}
	}
	return false
}

// ErrUnsigned reports a package with no signature member at all.
var ErrUnsigned = errors.New("package is not signed")

// VerifyFile is Verify for the package at path.
func VerifyFile(path string, trust *Trust, now time.Time) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := Verify(f, trust, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// Verify checks every signature member of the package r holds against
// trust at now. It reads r twice (members first, then the signed data
// once per role signature), so r must be seekable: a package arriving as
// a stream is spooled to a file first, and unpacked only after Verify.
// The error is for an unreadable package; an invalid signature is a
// SignatureResult with Err set, and a package without any signature
// member has an empty Result. A package is trusted only when Result.Valid
// or Policy.Check says so.
func Verify(r io.ReadSeeker, trust *Trust, now time.Time) (*Result, error) {
	members, err := signatureMembers(r)
	if err != nil {
		return nil, err
	}
	var embedded *pgp.Keyring
	var embeddedErr error
	if data := memberData(members, KeysMember); data != nil {
		embedded, embeddedErr = ParseKeys(data)
	}
	res := &Result{}
	for _, m := range members {
		if m.Name == KeysMember {
			continue
		}
		sr := SignatureResult{Member: m.Name, Role: roleOf(m.Name)}
		if sr.Role == "" {
			sr.Err = fmt.Errorf("member %s is not a signature of a known role", m.Name)
			res.Signatures = append(res.Signatures, sr)
			continue
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		keys, via := trust.keysFor(sr.Role, embedded, now)
		v, err := verifySigned(r, m.Data, keys, now)
		sr.fill(v, err, via, embedded)
		if sr.Err != nil && embeddedErr != nil && len(pgp.UnknownSigners(sr.Err)) > 0 {
			sr.Err = fmt.Errorf("%w (and the package's keys are unreadable: %v)", sr.Err, embeddedErr)
		}
		res.Signatures = append(res.Signatures, sr)
	}
	return res, nil
}

// verifySigned checks sig over the signed data of the package r holds
// with keys at now.
func verifySigned(r io.Reader, sig []byte, keys *pgp.Keyring, now time.Time) (*pgp.Verified, error) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(deb.WriteSignedData(r, pw))
	}()
	v, err := pgp.VerifyDetachedReader(pr, sig, keys, now)
	pr.CloseWithError(errors.New("verification stopped"))
	<-done // r is free for the next pass
	return v, err
}

// fill records the outcome of a verification: the signer, and through
// which CA (via maps a certified key's fingerprint to its CA) it is
// trusted. An unknown signer is named by its primary key when embedded
// holds it.
func (sr *SignatureResult) fill(v *pgp.Verified, err error, via map[string]string, embedded *pgp.Keyring) {
	if err != nil {
		sr.Err = err
		sr.Signer = primaryOf(embedded, signerOf(err))
		return
	}
	s := v.Signers[0]
	sr.Valid, sr.Signer, sr.Created, sr.CertifiedBy = true, s.Fingerprint, s.Created, via[s.Fingerprint]
}

// primaryOf returns the primary fingerprint of the key of kr whose
// primary key or subkey has the fingerprint or key ID id, else id.
func primaryOf(kr *pgp.Keyring, id string) string {
	for _, k := range kr.Keys() {
		if k.Fingerprint == id || k.KeyID == id {
			return k.Fingerprint
		}
		for _, s := range k.Subkeys {
			if s.Fingerprint == id || s.KeyID == id {
				return k.Fingerprint
			}
		}
	}
	return id
}

// signerOf names the signer a verification error reports, or "".
func signerOf(err error) string {
	if u := pgp.UnknownSigners(err); len(u) > 0 {
		return u[0].ID()
	}
	var se *pgp.SignatureError
	if errors.As(err, &se) {
		return se.Signer
	}
	var ee *pgp.ExpiredKeyError
	if errors.As(err, &ee) {
		return ee.Fingerprint
	}
	var we *pgp.WeakDigestError
	if errors.As(err, &we) {
		return we.Signer
	}
	return ""
}

// Summary describes the result in one line per signature, for messages.
func (r *Result) Summary() string {
	if len(r.Signatures) == 0 {
		return ErrUnsigned.Error()
	}
	var lines []string
	for _, s := range r.Signatures {
		lines = append(lines, s.String())
	}
	return strings.Join(lines, "; ")
}

// String describes one signature: role, signer, and valid or why not.
func (s SignatureResult) String() string {
	who := cmpOr(string(s.Role), s.Member)
	signer := cmpOr(s.Signer, "an unknown key")
	switch {
	case s.Valid && s.CertifiedBy != "":
		return fmt.Sprintf("%s signature by %s: valid (key certified by %s)", who, signer, s.CertifiedBy)
	case s.Valid:
		return fmt.Sprintf("%s signature by %s: valid", who, signer)
	}
	return fmt.Sprintf("%s signature by %s: invalid: %v", who, signer, s.Err)
}

// cmpOr returns a, or b when a is empty.
func cmpOr(a, b string) string {
	if a == "" {
		return b
	}
	return a
}
