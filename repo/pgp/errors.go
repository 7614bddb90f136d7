package pgp

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. They are wrapped with context; test them with errors.Is.
var (
	// ErrNoSignature reports input that carries no signature at all: a
	// plain file where a clear-signed one was expected, or an empty
	// detached signature.
	ErrNoSignature = errors.New("not signed")
	// ErrMalformed reports a clear-signed message, armor, signature or key
	// packets that do not follow the format, including text outside the
	// signed part of a clear-signed message.
	ErrMalformed = errors.New("malformed OpenPGP data")
	// ErrBadSignature reports a signature that does not match the data, or
	// that cannot be a signature over a document.
	ErrBadSignature = errors.New("bad signature")
	// ErrKeyRevoked reports a signature by a revoked key or subkey.
	ErrKeyRevoked = errors.New("signing key is revoked")
	// ErrNotSigningKey reports a signature by a key of the keyring that is
	// not allowed to sign data (for example an encryption subkey).
	ErrNotSigningKey = errors.New("key may not sign data")
	// ErrFutureSignature reports a signature whose creation time is later
	// than now plus MaxClockSkew.
	ErrFutureSignature = errors.New("signature made in the future")
	// ErrSignatureExpired reports a signature past its own expiry time.
	ErrSignatureExpired = errors.New("signature expired")
	// ErrUnsupported reports a signature aim cannot check (an unknown
	// version or algorithm, a critical notation it does not know).
	ErrUnsupported = errors.New("unsupported signature")
	// ErrSecretKey reports secret key material where only public keys
	// belong.
	ErrSecretKey = errors.New("secret key where only public keys belong")
	// ErrNoKeys reports key data that holds no usable public key.
	ErrNoKeys = errors.New("no usable OpenPGP public key")
)

// UnknownSignerError reports a signature by a key that is not in the
// keyring. Fingerprint is set (40 upper-case hex digits) when the
// signature names its issuer's fingerprint; KeyID (16 upper-case hex
// digits) is always set.
type UnknownSignerError struct {
	Fingerprint string
	KeyID       string
}

// Error names the unknown key by fingerprint, or key ID.
func (e *UnknownSignerError) Error() string {
	return fmt.Sprintf("signed by unknown key %s", e.ID())
}

// ID returns Fingerprint when known, else KeyID.
func (e *UnknownSignerError) ID() string {
	if e.Fingerprint != "" {
		return e.Fingerprint
	}
	return e.KeyID
}

// WeakDigestError reports a signature made with a digest aim refuses
// (MD5, SHA1, RIPEMD160). Signer is the issuer's fingerprint or key ID.
type WeakDigestError struct {
	Digest string
	Signer string
}

// Error names the signer and the digest.
func (e *WeakDigestError) Error() string {
	return fmt.Sprintf("signature by %s uses the weak digest %s", e.Signer, e.Digest)
}

// ExpiredKeyError reports a signature by a key or subkey that has expired,
// or that was made after the key's expiry. Fingerprint names the key that
// made the signature.
type ExpiredKeyError struct {
	Fingerprint string
	Expired     time.Time
}

// Error names the key and the day it expired.
func (e *ExpiredKeyError) Error() string {
	return fmt.Sprintf("signing key %s expired on %s", e.Fingerprint, e.Expired.UTC().Format(time.DateOnly))
}

// SignatureError reports why one signature was refused, for the reasons
// that have no type of their own. Err wraps one of the sentinel errors
// (ErrBadSignature, ErrKeyRevoked, ErrNotSigningKey, ErrFutureSignature,
// ErrSignatureExpired, ErrUnsupported, ErrMalformed); Signer is the
// issuer's fingerprint or key ID, empty when the signature names none.
type SignatureError struct {
	Signer string
	Err    error
}

// Error names the signer, when known, and the reason.
func (e *SignatureError) Error() string {
	if e.Signer == "" {
		return fmt.Sprintf("signature: %v", e.Err)
	}
	return fmt.Sprintf("signature by %s: %v", e.Signer, e.Err)
}

// Unwrap returns the reason, so that errors.Is finds the sentinel.
func (e *SignatureError) Unwrap() error { return e.Err }

// NoValidSignatureError reports several signatures of which none was
// valid; Errs says why for each, in order. errors.As finds the typed
// errors inside, the first of each type.
type NoValidSignatureError struct {
	Errs []error
}

// Error lists the reason for each signature on one line.
func (e *NoValidSignatureError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		msgs[i] = err.Error()
	}
	return "no valid signature by a trusted key: " + strings.Join(msgs, "; ")
}

// Unwrap returns the reason for each signature.
func (e *NoValidSignatureError) Unwrap() []error { return e.Errs }

// UnknownSigners returns every unknown signer err reports: the one
// *UnknownSignerError it is or wraps, or each of a *NoValidSignatureError.
func UnknownSigners(err error) []*UnknownSignerError {
	var many *NoValidSignatureError
	if errors.As(err, &many) {
		var out []*UnknownSignerError
		for _, e := range many.Errs {
			out = append(out, UnknownSigners(e)...)
		}
		return out
	}
	var one *UnknownSignerError
	if errors.As(err, &one) {
		return []*UnknownSignerError{one}
	}
	return nil
}

// malformed returns an error wrapping ErrMalformed with a description.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
