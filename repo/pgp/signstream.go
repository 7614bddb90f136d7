package pgp

import (
	"encoding"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// VerifyDetachedReader is VerifyDetached for signed data read from r, so
// that a large file (a package's contents) need not be held in memory: r
// is read once, to its end, whatever the signatures are. It accepts and
// refuses exactly what VerifyDetached does; Verified.Text is nil.
func VerifyDetachedReader(r io.Reader, sig []byte, kr *Keyring, now time.Time) (*Verified, error) {
	body, err := detachedBody(sig)
	if err != nil {
		return nil, fmt.Errorf("detached signature: %w", err)
	}
	sigs, err := readSignatures(body)
	if err != nil {
		return nil, err
	}
	hashes := make([]hash.Hash, len(sigs))
	var writers []io.Writer
	for i, rs := range sigs {
		if rs.err != nil || len(kr.candidates(rs.sig)) == 0 {
			continue // refused before any hashing
		}
		h, err := rs.sig.PrepareVerify()
		if err != nil {
			sigs[i].err = &SignatureError{Signer: issuerName(rs.sig), Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
			continue
		}
		hashes[i] = h
		if rs.sig.SigType == packet.SigTypeText { // hash the canonical form
			writers = append(writers, openpgp.NewCanonicalTextHash(h))
		} else {
			writers = append(writers, h)
		}
	}
	if _, err := io.Copy(io.MultiWriter(writers...), r); err != nil {
		return nil, fmt.Errorf("read signed data: %w", err)
	}
	d := &document{}
	var good []Signature
	var errs []error
	for i, rs := range sigs {
		s, err := d.checkHashed(rs, hashes[i], kr, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		good = append(good, s)
	}
	switch {
	case len(good) > 0:
		return &Verified{Signers: good}, nil
	case len(errs) == 1:
		return nil, errs[0]
	}
	return nil, &NoValidSignatureError{Errs: errs}
}

// checkHashed is document.check for a signature whose data h has already
// hashed (nil when it was refused before hashing).
func (d *document) checkHashed(rs rawSignature, h hash.Hash, kr *Keyring, now time.Time) (Signature, error) {
	return d.checkCandidates(rs, kr, func(s signerKey) (Signature, error) {
		return checkHashedWith(rs, cloneHash(h, rs.sig.Hash.New), s, now)
	})
}

// checkHashedWith is document.checkWith with the data already hashed.
func checkHashedWith(rs rawSignature, h hash.Hash, s signerKey, now time.Time) (Signature, error) {
	sig, fpr := rs.sig, fingerprintHex(s.pk)
	fail := func(err error) (Signature, error) {
		return Signature{}, &SignatureError{Signer: fpr, Err: err}
	}
	if !s.maySign() {
		return fail(ErrNotSigningKey)
	}
	if h == nil {
		return fail(fmt.Errorf("%w: digest state unavailable", ErrUnsupported))
	}
	if err := s.pk.VerifySignature(h, sig); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrBadSignature, err))
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

// cloneHash returns a copy of h's state, a digest of type newHash
// makes, so that each candidate key finishes its own copy; nil when h
// cannot be copied.
func cloneHash(h hash.Hash, newHash func() hash.Hash) hash.Hash {
	if h == nil {
		return nil
	}
	m, ok := h.(encoding.BinaryMarshaler)
	if !ok {
		return nil
	}
	state, err := m.MarshalBinary()
	if err != nil {
		return nil
	}
	c := newHash()
	u, ok := c.(encoding.BinaryUnmarshaler)
	if !ok || u.UnmarshalBinary(state) != nil {
		return nil
	}
	return c
}
