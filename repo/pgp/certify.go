package pgp

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Certification is a third-party certification found on a key: a
// signature by another key over one of its user IDs, as GnuPG's
// "gpg --sign-key" makes and Certify adds.
type Certification struct {
	// UserID is the certified user ID, printable.
	UserID string
	// Issuer is the certifier's fingerprint when the signature names it,
	// else its key ID.
	Issuer string
	// Created is the certification's creation time.
	Created time.Time
	// Revocation is true for a certification revocation (type 0x30).
	Revocation bool
}

// Certify returns a copy of key in which every valid, unrevoked user ID
// of every key carries a certification (a generic certification
// signature, type 0x10, SHA-512, made at now) by ca's primary key, which
// must be allowed to certify. A certification by ca already on a user ID
// is replaced, so certifying twice leaves one. Every other packet is kept
// as it was. CertifiedBy then accepts the key for ca.
func Certify(ca *Signer, key *Keyring, now time.Time) (*Keyring, error) {
	if key.Len() == 0 {
		return nil, ErrNoKeys
	}
	priv, err := ca.certificationKey(now)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, en := range key.entries {
		raw, err := certifyEntry(en, priv, now)
		if err != nil {
			return nil, fmt.Errorf("certify %s: %w", fingerprintHex(en.entity.PrimaryKey), err)
		}
		out.Write(raw)
	}
	return ParseKeyring(out.Bytes())
}

// certificationKey returns the CA's primary private key when it may
// certify at now.
func (s *Signer) certificationKey(now time.Time) (*packet.PrivateKey, error) {
	e := s.entity
	self, _ := e.PrimarySelfSignature()
	switch {
	case self == nil || e.PrimaryKey.KeyExpired(self, now) || e.Revoked(now):
		return nil, fmt.Errorf("CA key %s is expired or revoked", s.Fingerprint())
	case self.FlagsValid && !self.FlagCertify:
		return nil, fmt.Errorf("CA key %s may not certify keys", s.Fingerprint())
	case e.PrivateKey == nil || e.PrivateKey.Dummy():
		return nil, fmt.Errorf("%w: the CA's primary secret key is missing", ErrNoSecretKey)
	}
	return e.PrivateKey, nil
}

// certifyEntry returns the packets of en with a certification by priv
// after the signatures of each valid user ID, in place of any earlier
// one by priv.
func certifyEntry(en entry, priv *packet.PrivateKey, now time.Time) ([]byte, error) {
	e := en.entity
	if e.PrimaryKey.KeyId == priv.KeyId {
		return nil, errors.New("a key cannot certify itself")
	}
	r := packet.NewOpaqueReader(bytes.NewReader(en.raw))
	var out bytes.Buffer
	var pending *packet.Signature // the certification for the current user ID
	flush := func() error {
		if pending == nil {
			return nil
		}
		err := pending.Serialize(&out)
		pending = nil
		return err
	}
	certified := 0
	for {
		op, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed("key packets: %v", err)
		}
		if op.Tag == tagSignature && pending != nil && issuedBy(op, priv) {
			continue // replaced by pending
		}
		if op.Tag != tagSignature {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if err := op.Serialize(&out); err != nil {
			return nil, err
		}
		if op.Tag != tagUserID {
			continue
		}
		uid := string(op.Contents)
		if id, ok := e.Identities[uid]; !ok || id.Revoked(now) {
			continue
		}
		if pending, err = certification(uid, e.PrimaryKey, priv, now); err != nil {
			return nil, err
		}
		certified++
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if certified == 0 {
		return nil, errors.New("no valid user ID to certify")
	}
	return out.Bytes(), nil
}

// issuedBy reports whether a signature packet was made by priv.
func issuedBy(op *packet.OpaquePacket, priv *packet.PrivateKey) bool {
	p, err := op.Parse()
	sig, ok := p.(*packet.Signature)
	if err != nil || !ok || !isCertification(sig.SigType) {
		return false
	}
	return sig.CheckKeyIdOrFingerprint(&priv.PublicKey)
}

// certification signs uid of pub with priv at now.
func certification(uid string, pub *packet.PublicKey, priv *packet.PrivateKey, now time.Time) (*packet.Signature, error) {
	sig := &packet.Signature{
		Version:      4,
		SigType:      packet.SigTypeGenericCert,
		PubKeyAlgo:   priv.PubKeyAlgo,
		Hash:         crypto.SHA512,
		CreationTime: now.Truncate(time.Second),
		IssuerKeyId:  &priv.KeyId,
	}
	if err := sig.SignUserId(uid, pub, priv, signConfig); err != nil {
		return nil, fmt.Errorf("certify %q: %w", printable(uid), err)
	}
	return sig, nil
}

// isCertification reports whether t is a user ID certification type.
func isCertification(t packet.SignatureType) bool {
	return t >= packet.SigTypeGenericCert && t <= packet.SigTypePositiveCert
}

// CertifiedBy reports whether some key of key carries a valid
// certification by a key of ca at now (see Certifiers).
func CertifiedBy(key, ca *Keyring, now time.Time) bool {
	for i := range key.Len() {
		if len(key.certifiers(i, ca, now)) > 0 {
			return true
		}
	}
	return false
}

// Certifiers returns the primary fingerprints of the keys of ca that
// validly certify the key of k with this fingerprint at now, sorted; nil
// when k has no such key. A certification counts only when it checks
// cryptographically over a user ID that has a valid self-signature and is
// not revoked, was made with a strong digest by the primary key of a ca
// key that may certify and is neither revoked nor expired (now, or when
// it certified), is not expired itself, was not made in the future, and
// has not been revoked by a later certification revocation from the same
// key. Issuer key IDs alone never count.
func (k *Keyring) Certifiers(fingerprint string, ca *Keyring, now time.Time) []string {
	for i := range k.Len() {
		if strings.EqualFold(fingerprintHex(k.entries[i].entity.PrimaryKey), fingerprint) {
			return k.certifiers(i, ca, now)
		}
	}
	return nil
}

// certifiers lists the ca keys that validly certify entry i.
func (k *Keyring) certifiers(i int, ca *Keyring, now time.Time) []string {
	e := k.entries[i].entity
	if e.Revoked(now) {
		return nil
	}
	var fprs []string
	for uid, id := range e.Identities {
		if id.Revoked(now) {
			continue
		}
		for _, sig := range id.Signatures {
			if fpr := ca.certifier(uid, e.PrimaryKey, sig, id.Signatures, now); fpr != "" && !slices.Contains(fprs, fpr) {
				fprs = append(fprs, fpr)
			}
		}
	}
	slices.Sort(fprs)
	return fprs
}

// certifier returns the fingerprint of the key of ca that made sig, a
// valid certification of uid on pub, or "". sigs are all the signatures
// on uid, searched for a revocation of sig.
func (ca *Keyring) certifier(uid string, pub *packet.PublicKey, sig *packet.Signature, sigs []*packet.Signature, now time.Time) string {
	if !namesIssuer(sig) || !isCertification(sig.SigType) || sig.CheckKeyIdOrFingerprint(pub) || !strongDigest(sig.Hash) ||
		sig.CreationTime.After(now.Add(MaxClockSkew)) || sig.SigExpired(now) {
		return ""
	}
	for _, ref := range ca.candidates(sig) {
		if ref.sub >= 0 {
			continue // only primary keys certify
		}
		s := ca.signer(ref)
		if !mayCertify(s) || s.revoked(now) || s.checkExpiry(sig.CreationTime, now) != nil ||
			s.pk.CreationTime.After(sig.CreationTime) {
			continue
		}
		if s.pk.VerifyUserIdSignature(uid, pub, sig) != nil || revokedCertification(uid, pub, sig, sigs, s.pk) {
			continue
		}
		return fingerprintHex(s.pk)
	}
	return ""
}

// namesIssuer reports whether sig names its issuer by key ID or v4
// fingerprint.
func namesIssuer(sig *packet.Signature) bool {
	return sig.IssuerKeyId != nil || len(sig.IssuerFingerprint) == 20
}

// mayCertify reports whether a primary key may certify other keys.
func mayCertify(s signerKey) bool {
	return s.primary != nil && s.pk.PubKeyAlgo.CanSign() && (!s.primary.FlagsValid || s.primary.FlagCertify)
}

// strongDigest reports whether h is a digest certifications may use.
func strongDigest(h crypto.Hash) bool {
	return h != crypto.MD5 && h != crypto.SHA1 && h != crypto.RIPEMD160
}

// revokedCertification reports whether sigs hold a valid certification
// revocation by ca, made after cert, over uid of pub.
func revokedCertification(uid string, pub *packet.PublicKey, cert *packet.Signature, sigs []*packet.Signature, ca *packet.PublicKey) bool {
	for _, r := range sigs {
		if r.SigType == packet.SigTypeCertificationRevocation && r.CheckKeyIdOrFingerprint(ca) &&
			!r.CreationTime.Before(cert.CreationTime) && ca.VerifyUserIdSignature(uid, pub, r) == nil {
			return true
		}
	}
	return false
}

// Certifications lists the third-party certifications on the key of k
// with this fingerprint, by user ID and then creation time, WITHOUT
// checking them: for display only. Certifiers says which are valid.
func (k *Keyring) Certifications(fingerprint string) []Certification {
	var out []Certification
	for i := range k.Len() {
		e := k.entries[i].entity
		if !strings.EqualFold(fingerprintHex(e.PrimaryKey), fingerprint) {
			continue
		}
		out = append(out, entityCertifications(e)...)
	}
	return out
}

// entityCertifications lists the certifications on e's user IDs by other
// keys.
func entityCertifications(e *openpgp.Entity) []Certification {
	var out []Certification
	for uid, id := range e.Identities {
		for _, sig := range id.Signatures {
			if !namesIssuer(sig) || sig.CheckKeyIdOrFingerprint(e.PrimaryKey) ||
				!isCertification(sig.SigType) && sig.SigType != packet.SigTypeCertificationRevocation {
				continue
			}
			out = append(out, Certification{
				UserID:     printable(uid),
				Issuer:     issuerName(sig),
				Created:    sig.CreationTime,
				Revocation: sig.SigType == packet.SigTypeCertificationRevocation,
			})
		}
	}
	slices.SortFunc(out, func(a, b Certification) int {
		if c := strings.Compare(a.UserID, b.UserID); c != 0 {
			return c
		}
		return a.Created.Compare(b.Created)
	})
	return out
}
