package pgp

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// SignatureDigest is the digest of every signature a Signer makes.
const SignatureDigest = "SHA512"

// signConfig makes signatures deterministic: go-crypto would otherwise add
// a random salt notation to each. Ed25519 and RSA PKCS #1 v1.5 signatures
// are themselves deterministic, so the same key, data and time give the
// same bytes.
var signConfig = &packet.Config{
	DefaultHash:                           crypto.SHA512,
	NonDeterministicSignaturesViaNotation: new(bool),
}

// ClearSign returns text clear-signed as an InRelease file, with a text
// signature (type 0x01) made at now with SHA-512, the "Hash: SHA512"
// header, and lines starting with "-" dash-escaped. Each line of text is
// written with "\n" line endings, a missing final one added; as RFC 9580
// says, the signature covers the lines without trailing spaces and tabs.
// VerifyClearSigned and gpgv accept the result, and Verified.Text then
// equals text when its lines have no trailing white space and it ends in
// "\n". The output depends only on the key, text and now.
func (s *Signer) ClearSign(text []byte, now time.Time) ([]byte, error) {
	lines := splitLines(text)
	var canon bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			canon.WriteString("\r\n")
		}
		canon.Write(trimRight(l))
	}
	sig, err := s.sign(packet.SigTypeText, canon.Bytes(), now)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString(beginSigned + "\nHash: " + SignatureDigest + "\n\n")
	for _, l := range lines {
		if len(l) > 0 && l[0] == '-' {
			out.WriteString("- ")
		}
		out.Write(l)
		out.WriteByte('\n')
	}
	if err := writeArmoredSignature(&out, sig); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// DetachSign returns an armored detached signature over data (a binary
// document signature, type 0x00, SHA-512, made at now), as Release.gpg
// may be: apt and gpgv accept armored detached signatures.
func (s *Signer) DetachSign(data []byte, now time.Time) ([]byte, error) {
	sig, err := s.DetachSignBinary(data, now)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := writeArmoredSignature(&out, sig); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// DetachSignBinary is DetachSign without the armor: the one signature
// packet, as gpg --detach-sign writes it.
func (s *Signer) DetachSignBinary(data []byte, now time.Time) ([]byte, error) {
	return s.sign(packet.SigTypeBinary, data, now)
}

// DetachSignReader is DetachSignBinary over the bytes of r, for data too
// large to hold in memory (a package's contents).
func (s *Signer) DetachSignReader(r io.Reader, now time.Time) ([]byte, error) {
	return s.signReader(packet.SigTypeBinary, r, now)
}

// sign makes one signature packet of type typ over data.
func (s *Signer) sign(typ packet.SignatureType, data []byte, now time.Time) ([]byte, error) {
	return s.signReader(typ, bytes.NewReader(data), now)
}

// signReader makes one signature packet of type typ over the bytes of r
// with the signing key valid at now.
func (s *Signer) signReader(typ packet.SignatureType, r io.Reader, now time.Time) ([]byte, error) {
	key, err := s.signingKey(now)
	if err != nil {
		return nil, err
	}
	sig := &packet.Signature{
		Version:      4,
		SigType:      typ,
		PubKeyAlgo:   key.PubKeyAlgo,
		Hash:         crypto.SHA512,
		CreationTime: now.Truncate(time.Second),
		IssuerKeyId:  &key.KeyId,
	}
	h, err := sig.PrepareSign(signConfig)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if err := sig.Sign(h, key, signConfig); err != nil {
		return nil, fmt.Errorf("sign with %s: %w", fingerprintHex(&key.PublicKey), err)
	}
	var out bytes.Buffer
	if err := sig.Serialize(&out); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out.Bytes(), nil
}

// signingKey returns the private key that signs at now: the newest valid
// signing subkey, else the primary key when it may sign.
func (s *Signer) signingKey(now time.Time) (*packet.PrivateKey, error) {
	k, ok := s.entity.SigningKey(now)
	if !ok {
		return nil, fmt.Errorf("key %s has no valid signing key at %s (expired, revoked, or not allowed to sign)",
			s.Fingerprint(), now.UTC().Format(time.RFC3339))
	}
	if k.PrivateKey == nil || k.PrivateKey.Dummy() {
		return nil, fmt.Errorf("%w: the secret part of signing key %s is missing", ErrNoSecretKey, fingerprintHex(k.PublicKey))
	}
	return k.PrivateKey, nil
}

// writeArmoredSignature writes sig as an armored "PGP SIGNATURE" block
// ending in a newline, without armor headers.
func writeArmoredSignature(w io.Writer, sig []byte) error {
	aw, err := armor.Encode(w, armorSignature, nil)
	if err != nil {
		return fmt.Errorf("armor signature: %w", err)
	}
	if _, err := aw.Write(sig); err != nil {
		return fmt.Errorf("armor signature: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("armor signature: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}
