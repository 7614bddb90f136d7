package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// digestNames names the OpenPGP hash algorithm IDs (RFC 9580, 9.5).
var digestNames = map[byte]string{
	1: "MD5", 2: "SHA1", 3: "RIPEMD160", 8: "SHA256", 9: "SHA384",
	10: "SHA512", 11: "SHA224", 12: "SHA3-256", 14: "SHA3-512",
}

// weakDigests are the digests whose signatures are refused.
var weakDigests = map[byte]bool{1: true, 2: true, 3: true}

// rawSignature is one signature packet: parsed, or why it cannot be used.
type rawSignature struct {
	sig    *packet.Signature
	digest string // the digest's name
	err    error  // set when the packet cannot be used at all
}

// readSignatures reads the signature packets of body. It fails when body
// holds no packet (ErrNoSignature), a packet that is not a signature, or
// too many; a signature that cannot be used (weak digest, unknown version
// or algorithm) is returned with its err set.
func readSignatures(body []byte) ([]rawSignature, error) {
	r := packet.NewOpaqueReader(bytes.NewReader(body))
	var sigs []rawSignature
	for {
		op, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed("signature packets: %v", err)
		}
		if op.Tag != tagSignature {
			return nil, malformed("packet type %d where signatures were expected", op.Tag)
		}
		if len(sigs) == maxSignatures {
			return nil, malformed("more than %d signatures", maxSignatures)
		}
		sigs = append(sigs, parseSignature(op))
	}
	if len(sigs) == 0 {
		return nil, ErrNoSignature
	}
	return sigs, nil
}

// parseSignature parses one signature packet. Only version 4 signatures
// are accepted; a weak digest yields a *WeakDigestError naming the issuer.
func parseSignature(op *packet.OpaquePacket) rawSignature {
	c := op.Contents
	if len(c) < 4 {
		return rawSignature{err: &SignatureError{Err: malformed("short signature packet")}}
	}
	if c[0] != 4 {
		return rawSignature{err: &SignatureError{Err: fmt.Errorf("%w: version %d", ErrUnsupported, c[0])}}
	}
	digest, ok := digestNames[c[3]]
	if !ok {
		digest = fmt.Sprintf("digest %d", c[3])
	}
	if weakDigests[c[3]] {
		return rawSignature{digest: digest, err: &WeakDigestError{Digest: digest, Signer: weakIssuer(op)}}
	}
	p, err := op.Parse()
	if err != nil {
		return rawSignature{err: &SignatureError{Err: parseError(err)}}
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		return rawSignature{err: &SignatureError{Err: malformed("unreadable signature packet")}}
	}
	if sig.IssuerKeyId == nil && len(sig.IssuerFingerprint) != 20 {
		return rawSignature{err: &SignatureError{Err: malformed("signature does not name its issuer")}}
	}
	return rawSignature{sig: sig, digest: digest}
}

// weakIssuer names the issuer of a signature with a weak digest, which
// go-crypto will not parse as such: it parses a copy that claims SHA-256
// only to read the issuer subpackets.
func weakIssuer(op *packet.OpaquePacket) string {
	cp := &packet.OpaquePacket{Tag: op.Tag, Contents: bytes.Clone(op.Contents)}
	cp.Contents[3] = 8
	p, err := cp.Parse()
	if sig, ok := p.(*packet.Signature); ok && err == nil {
		return issuerName(sig)
	}
	return "an unknown key"
}

// parseError classifies a go-crypto parse error.
func parseError(err error) error {
	var unsupported pgperrors.UnsupportedError
	if errors.As(err, &unsupported) {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return malformed("signature packet: %v", err)
}

// issuerKeyID returns the key ID a signature names, from its issuer key
// ID or issuer fingerprint subpacket.
func issuerKeyID(sig *packet.Signature) uint64 {
	if sig.IssuerKeyId != nil {
		return *sig.IssuerKeyId
	}
	var id uint64
	for _, b := range sig.IssuerFingerprint[12:20] {
		id = id<<8 | uint64(b)
	}
	return id
}

// issuerName returns the issuer's fingerprint when the signature names
// it, else its key ID.
func issuerName(sig *packet.Signature) string {
	if len(sig.IssuerFingerprint) == 20 {
		return fmt.Sprintf("%X", sig.IssuerFingerprint)
	}
	return fmt.Sprintf("%016X", issuerKeyID(sig))
}

// unknownSigner returns the error for a signature by a key not in the
// keyring.
func unknownSigner(sig *packet.Signature) *UnknownSignerError {
	e := &UnknownSignerError{KeyID: fmt.Sprintf("%016X", issuerKeyID(sig))}
	if len(sig.IssuerFingerprint) == 20 {
		e.Fingerprint = fmt.Sprintf("%X", sig.IssuerFingerprint)
	}
	return e
}

// candidates returns the keys of k that a signature names: by key ID, and
// by fingerprint too when the signature gives one.
func (k *Keyring) candidates(sig *packet.Signature) []keyRef {
	if k == nil {
		return nil
	}
	var refs []keyRef
	for _, ref := range k.byID[issuerKeyID(sig)] {
		fp := k.signer(ref).pk.Fingerprint
		if len(sig.IssuerFingerprint) == 0 || bytes.Equal(fp, sig.IssuerFingerprint) {
			refs = append(refs, ref)
		}
	}
	return refs
}

// signerKey is a primary key or subkey that may have made a signature,
// with what its validity depends on.
type signerKey struct {
	entity  *openpgp.Entity
	pk      *packet.PublicKey
	subkey  *openpgp.Subkey // nil for the primary key
	primary *packet.Signature
}

// signer returns the key a keyRef points at.
func (k *Keyring) signer(ref keyRef) signerKey {
	e := k.entries[ref.ent].entity
	self, _ := e.PrimarySelfSignature()
	s := signerKey{entity: e, pk: e.PrimaryKey, primary: self}
	if ref.sub >= 0 {
		s.subkey = &e.Subkeys[ref.sub]
		s.pk = s.subkey.PublicKey
	}
	return s
}

// maySign reports whether the key is allowed to sign data.
func (s signerKey) maySign() bool {
	if s.primary == nil {
		return false
	}
	if s.subkey != nil {
		return subkeyMaySign(s.pk, s.subkey.Sig)
	}
	return primaryMaySign(s.pk, s.primary)
}

// revoked reports whether the primary key, its primary user ID or the
// signing subkey is revoked at now.
func (s signerKey) revoked(now time.Time) bool {
	if s.entity.Revoked(now) {
		return true
	}
	if id := s.entity.PrimaryIdentity(); id != nil && id.Revoked(now) {
		return true
	}
	return s.subkey != nil && s.subkey.Revoked(now)
}

// checkExpiry refuses a key, or the primary key of a subkey, that has
// expired by now or had when it signed at signed.
func (s signerKey) checkExpiry(signed, now time.Time) error {
	if err := expiryError(s.entity.PrimaryKey, s.primary, signed, now); err != nil {
		return err
	}
	if s.subkey != nil {
		return expiryError(s.pk, s.subkey.Sig, signed, now)
	}
	return nil
}

// expiryError returns an *ExpiredKeyError when pk, according to its
// self-signature self, has expired by now or by signed, or when self
// itself has expired.
func expiryError(pk *packet.PublicKey, self *packet.Signature, signed, now time.Time) error {
	exp := keyExpiry(pk, self)
	if self.SigLifetimeSecs != nil && *self.SigLifetimeSecs != 0 {
		selfExp := self.CreationTime.Add(time.Duration(*self.SigLifetimeSecs) * time.Second)
		if exp.IsZero() || selfExp.Before(exp) {
			exp = selfExp
		}
	}
	if !exp.IsZero() && (!now.Before(exp) || !signed.Before(exp)) {
		return &ExpiredKeyError{Fingerprint: fingerprintHex(pk), Expired: exp}
	}
	return nil
}
