package pgp

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// MaxClockSkew is how far past now a signature's creation time may lie
// before the signature is refused as made in the future.
const MaxClockSkew = 10 * time.Minute

// Bounds on signature data: its size and the number of signatures.
const (
	maxSignatureSize = 1 << 20
	maxSignatures    = 32
)

// Verified is the outcome of a successful verification.
type Verified struct {
	// Text is exactly what the signatures cover. For a clear-signed
	// message: the text between the armor headers and the signature
	// block, dash-escapes removed, trailing spaces and tabs removed from
	// each line (the signature does not cover them), each line ending in
	// "\n" whatever line ending the input used, the last one included.
	// This is what "gpgv --output -" prints for a file with "\n" line
	// endings. For a detached signature: a copy of the signed bytes.
	Text []byte
	// Signers lists the valid signatures by keys of the keyring, in the
	// order they appear; it is never empty. Signers[0] is the signer.
	Signers []Signature
}

// Signature describes one valid signature.
type Signature struct {
	// Fingerprint is the primary key fingerprint of the signer, as
	// Key.Fingerprint.
	Fingerprint string
	// SigningKey is the fingerprint of the key or subkey that made the
	// signature.
	SigningKey string
	// Created is the signature's creation time.
	Created time.Time
	// Digest names the digest: "SHA256", "SHA512", ...
	Digest string
}

// Signer returns the primary key fingerprint of the first valid signature.
func (v *Verified) Signer() string { return v.Signers[0].Fingerprint }

// VerifyClearSigned checks a clear-signed message such as an InRelease
// file against the keys of kr (nil trusts nothing) at time now, and
// returns the signed text. The framing must be exact: nothing but blank
// lines before the "-----BEGIN PGP SIGNED MESSAGE-----" line and after
// the one signature block that follows the text, no armor header but
// "Hash", every text line that starts with "-" dash-escaped; otherwise
// the error wraps ErrMalformed (or is ErrNoSignature when there is no
// signed message at all). It succeeds when at least one signature of the
// block is valid, as VerifyDetached defines it; a signature whose digest
// the Hash header does not name is not.
func VerifyClearSigned(data []byte, kr *Keyring, now time.Time) (*Verified, error) {
	cs, err := parseClearSigned(data)
	if err != nil {
		return nil, fmt.Errorf("clear-signed message: %w", err)
	}
	doc := &document{data: cs.canonical, clear: true, hashes: cs.hashes}
	sigs, err := doc.verify(cs.signature, kr, now)
	if err != nil {
		return nil, err
	}
	return &Verified{Text: cs.text, Signers: sigs}, nil
}

// VerifyDetached checks sig, a detached signature (binary as Release.gpg,
// or armored), over signed against the keys of kr (nil trusts nothing) at
// time now. It succeeds when at least one signature is valid: a binary or
// text document signature, over these bytes, with a digest other than
// MD5, SHA1 or RIPEMD160, by a key of kr (the primary key or a subkey)
// allowed to sign, not revoked, not expired now nor when it signed, not
// created after the signature, and made no later than now plus
// MaxClockSkew. Otherwise the error says why for the one signature, or
// is a *NoValidSignatureError for several.
func VerifyDetached(signed, sig []byte, kr *Keyring, now time.Time) (*Verified, error) {
	body, err := detachedBody(sig)
	if err != nil {
		return nil, fmt.Errorf("detached signature: %w", err)
	}
	doc := &document{data: signed}
	sigs, err := doc.verify(body, kr, now)
	if err != nil {
		return nil, err
	}
	return &Verified{Text: bytes.Clone(signed), Signers: sigs}, nil
}

// detachedBody returns the binary packets of a detached signature, which
// is binary or one armored signature block with only blank lines around.
func detachedBody(sig []byte) ([]byte, error) {
	if len(bytes.TrimSpace(sig)) == 0 {
		return nil, ErrNoSignature
	}
	if len(sig) > maxSignatureSize {
		return nil, malformed("larger than %d bytes", maxSignatureSize)
	}
	if sig[0]&0x80 != 0 {
		return sig, nil
	}
	lines := splitLines(sig)
	i := 0
	for isBlank(lines[i]) {
		i++
	}
	body, n, err := decodeArmor(lines[i:], armorSignature)
	if err != nil {
		return nil, err
	}
	for _, l := range lines[i+n:] {
		if !isBlank(l) {
			return nil, malformed("text after the signature block")
		}
	}
	return body, nil
}

// document is the data signatures are checked over.
type document struct {
	data   []byte   // for a clear-signed message, the canonical text
	clear  bool     // data is clear-signed text, already canonical
	hashes []string // digests a clear-signed message's Hash header allows
}

// verify checks every signature of body and returns the valid ones.
func (d *document) verify(body []byte, kr *Keyring, now time.Time) ([]Signature, error) {
	sigs, err := readSignatures(body)
	if err != nil {
		return nil, err
	}
	var good []Signature
	var errs []error
	for _, rs := range sigs {
		s, err := d.check(rs, kr, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		good = append(good, s)
	}
	switch {
	case len(good) > 0:
		return good, nil
	case len(errs) == 1:
		return nil, errs[0]
	}
	return nil, &NoValidSignatureError{Errs: errs}
}

// check verifies one signature against the keys of kr that match its
// issuer, and returns it when one of them made it and was valid.
func (d *document) check(rs rawSignature, kr *Keyring, now time.Time) (Signature, error) {
	return d.checkCandidates(rs, kr, func(s signerKey) (Signature, error) { return d.checkWith(rs, s, now) })
}

// checkCandidates refuses a signature that failed to parse, whose issuer
// is not in kr, or whose form is wrong, then tries each key of kr that
// matches its issuer with try, returning the first success or the first
// failure.
func (d *document) checkCandidates(rs rawSignature, kr *Keyring, try func(signerKey) (Signature, error)) (Signature, error) {
	if rs.err != nil {
		return Signature{}, rs.err
	}
	refs := kr.candidates(rs.sig)
	if len(refs) == 0 {
		return Signature{}, unknownSigner(rs.sig)
	}
	if err := d.checkForm(rs); err != nil {
		return Signature{}, &SignatureError{Signer: issuerName(rs.sig), Err: err}
	}
	var firstErr error
	for _, ref := range refs {
		s, err := try(kr.signer(ref))
		if err == nil {
			return s, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return Signature{}, firstErr
}

// checkForm checks what a signature must be whoever made it: a document
// signature, with a digest the Hash header announced, without critical
// notations aim does not know.
func (d *document) checkForm(rs rawSignature) error {
	sig := rs.sig
	if sig.SigType != packet.SigTypeBinary && sig.SigType != packet.SigTypeText {
		return fmt.Errorf("%w: type 0x%02x is not a signature over data", ErrBadSignature, uint8(sig.SigType))
	}
	if d.clear && len(d.hashes) > 0 && !slices.Contains(d.hashes, rs.digest) {
		return fmt.Errorf("%w: digest %s is not the one the Hash header names", ErrBadSignature, rs.digest)
	}
	for _, n := range sig.Notations {
		if n.IsCritical {
			return fmt.Errorf("%w: critical notation %q", ErrUnsupported, printable(n.Name))
		}
	}
	return nil
}

// checkWith verifies a signature with one key and checks that key's
// validity at the time of the signature and now.
func (d *document) checkWith(rs rawSignature, s signerKey, now time.Time) (Signature, error) {
	sig, fpr := rs.sig, fingerprintHex(s.pk)
	fail := func(err error) (Signature, error) {
		return Signature{}, &SignatureError{Signer: fpr, Err: err}
	}
	if !s.maySign() {
		return fail(ErrNotSigningKey)
	}
	if err := d.checkCrypto(sig, s.pk); err != nil {
		return fail(err)
	}
	if err := checkTimes(sig, s, now); err != nil {
		return Signature{}, err
	}
	return Signature{
		Fingerprint: fingerprintHex(s.entity.PrimaryKey),
		SigningKey:  fpr,
		Created:     sig.CreationTime,
		Digest:      rs.digest,
	}, nil
}

// checkCrypto hashes the document as the signature's type says and checks
// the signature with pk.
func (d *document) checkCrypto(sig *packet.Signature, pk *packet.PublicKey) error {
	h, err := sig.PrepareVerify()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	w := h
	if sig.SigType == packet.SigTypeText && !d.clear {
		w = openpgp.NewCanonicalTextHash(h)
	}
	w.Write(d.data)
	if err := pk.VerifySignature(h, sig); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// checkTimes refuses a signature made in the future, expired, made
// before its key, or by a key that is revoked or expired now or was
// expired when it signed.
func checkTimes(sig *packet.Signature, s signerKey, now time.Time) error {
	fpr := fingerprintHex(s.pk)
	fail := func(err error) error { return &SignatureError{Signer: fpr, Err: err} }
	switch {
	case sig.CreationTime.After(now.Add(MaxClockSkew)):
		return fail(fmt.Errorf("%w (%s)", ErrFutureSignature, sig.CreationTime.UTC().Format(time.RFC3339)))
	case sig.SigLifetimeSecs != nil && *sig.SigLifetimeSecs != 0 &&
		!now.Before(sig.CreationTime.Add(time.Duration(*sig.SigLifetimeSecs)*time.Second)):
		return fail(ErrSignatureExpired)
	case s.pk.CreationTime.After(sig.CreationTime):
		return fail(fmt.Errorf("%w: made before its key was created", ErrBadSignature))
	case s.revoked(now):
		return fail(ErrKeyRevoked)
	}
	return s.checkExpiry(sig.CreationTime, now)
}
