package pgp

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Key describes one key of a keyring: a primary key with its user IDs and
// subkeys.
type Key struct {
	// Fingerprint is the primary key's v4 fingerprint, 40 upper-case hex
	// digits.
	Fingerprint string
	// KeyID is the last 16 hex digits of Fingerprint.
	KeyID string
	// Algorithm names the primary key's algorithm and size the way GnuPG
	// does: "ed25519", "rsa4096", "nistp256", "dsa2048".
	Algorithm string
	// Created is when the primary key was made.
	Created time.Time
	// Expires is when the primary key expires; zero when it does not.
	Expires time.Time
	// Revoked is true when the key carries a valid revocation.
	Revoked bool
	// Sign is true when the primary key itself may sign data (its flags
	// say so, or it has no flags and an algorithm that can sign).
	Sign bool
	// UserIDs are the user IDs with a valid self-signature, the primary
	// one first. Invalid UTF-8 and control characters are shown as "?".
	UserIDs []string
	// Subkeys are the key's subkeys with a valid binding signature.
	Subkeys []Subkey
	// File is the file the key was read from; empty when parsed from
	// memory.
	File string
}

// Subkey describes one subkey of a Key.
type Subkey struct {
	Fingerprint string // 40 upper-case hex digits
	KeyID       string // last 16 hex digits of Fingerprint
	Algorithm   string // as Key.Algorithm
	Created     time.Time
	Expires     time.Time // zero when the subkey does not expire
	Revoked     bool
	// Sign is true when the binding signature flags the subkey for
	// signing data; go-crypto has then checked its cross-signature.
	Sign bool
}

// Expired reports whether the primary key has expired at now.
func (k Key) Expired(now time.Time) bool {
	return !k.Expires.IsZero() && !now.Before(k.Expires)
}

// CanSign reports whether a signature made at now by this key could be
// valid: the key is neither revoked nor expired, and it or one of its
// subkeys may sign and is neither revoked nor expired.
func (k Key) CanSign(now time.Time) bool {
	if k.Revoked || k.Expired(now) {
		return false
	}
	if k.Sign {
		return true
	}
	for _, s := range k.Subkeys {
		if s.Sign && !s.Revoked && (s.Expires.IsZero() || now.Before(s.Expires)) {
			return true
		}
	}
	return false
}

// Keys lists the keys of the keyring in the order they were read.
func (k *Keyring) Keys() []Key {
	keys := make([]Key, k.Len())
	for i := range keys {
		keys[i] = k.keyInfo(i)
	}
	return keys
}

// keyInfo describes entry i.
func (k *Keyring) keyInfo(i int) Key {
	en := k.entries[i]
	e := en.entity
	self, _ := e.PrimarySelfSignature()
	key := Key{
		Fingerprint: fingerprintHex(e.PrimaryKey),
		KeyID:       fmt.Sprintf("%016X", e.PrimaryKey.KeyId),
		Algorithm:   algorithmName(e.PrimaryKey),
		Created:     e.PrimaryKey.CreationTime,
		Expires:     keyExpiry(e.PrimaryKey, self),
		Revoked:     len(e.Revocations) > 0,
		Sign:        primaryMaySign(e.PrimaryKey, self),
		UserIDs:     userIDs(e),
		File:        en.file,
	}
	for _, sk := range e.Subkeys {
		key.Subkeys = append(key.Subkeys, Subkey{
			Fingerprint: fingerprintHex(sk.PublicKey),
			KeyID:       fmt.Sprintf("%016X", sk.PublicKey.KeyId),
			Algorithm:   algorithmName(sk.PublicKey),
			Created:     sk.PublicKey.CreationTime,
			Expires:     keyExpiry(sk.PublicKey, sk.Sig),
			Revoked:     len(sk.Revocations) > 0,
			Sign:        subkeyMaySign(sk.PublicKey, sk.Sig),
		})
	}
	return key
}

// fingerprintHex returns a key's fingerprint in upper-case hex.
func fingerprintHex(pk *packet.PublicKey) string {
	return fmt.Sprintf("%X", pk.Fingerprint)
}

// keyExpiry returns when pk expires according to its self-signature, or
// the zero time.
func keyExpiry(pk *packet.PublicKey, self *packet.Signature) time.Time {
	if self == nil || self.KeyLifetimeSecs == nil || *self.KeyLifetimeSecs == 0 {
		return time.Time{}
	}
	return pk.CreationTime.Add(time.Duration(*self.KeyLifetimeSecs) * time.Second)
}

// primaryMaySign reports whether a primary key may sign data: its
// self-signature flags it for signing, or carries no flags at all (old
// keys) and the algorithm can sign.
func primaryMaySign(pk *packet.PublicKey, self *packet.Signature) bool {
	if self == nil || !pk.PubKeyAlgo.CanSign() {
		return false
	}
	return !self.FlagsValid || self.FlagSign
}

// subkeyMaySign reports whether a subkey's binding signature flags it for
// signing data; unlike a primary key, a subkey without flags may not.
func subkeyMaySign(pk *packet.PublicKey, binding *packet.Signature) bool {
	return binding != nil && binding.FlagsValid && binding.FlagSign && pk.PubKeyAlgo.CanSign()
}

// userIDs lists e's user IDs, the primary one first, then sorted.
func userIDs(e *openpgp.Entity) []string {
	var primary string
	if id := e.PrimaryIdentity(); id != nil {
		primary = id.Name
	}
	var rest []string
	for name := range e.Identities {
		if name != primary {
			rest = append(rest, printable(name))
		}
	}
	slices.Sort(rest)
	if primary == "" {
		return rest
	}
	return append([]string{printable(primary)}, rest...)
}

// printable replaces invalid UTF-8 and control characters with "?", so a
// user ID cannot drive a terminal.
func printable(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") || unicode.IsControl(r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// algorithmName names a key's algorithm the way GnuPG lists it.
func algorithmName(pk *packet.PublicKey) string {
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly, packet.PubKeyAlgoRSAEncryptOnly:
		return withBits("rsa", pk)
	case packet.PubKeyAlgoDSA:
		return withBits("dsa", pk)
	case packet.PubKeyAlgoElGamal:
		return withBits("elg", pk)
	case packet.PubKeyAlgoEd25519:
		return "ed25519"
	case packet.PubKeyAlgoEd448:
		return "ed448"
	case packet.PubKeyAlgoX25519:
		return "x25519"
	case packet.PubKeyAlgoX448:
		return "x448"
	case packet.PubKeyAlgoECDSA, packet.PubKeyAlgoECDH, packet.PubKeyAlgoEdDSA:
		return curveName(pk)
	}
	return fmt.Sprintf("algo%d", pk.PubKeyAlgo)
}

// withBits appends a key's size in bits to name.
func withBits(name string, pk *packet.PublicKey) string {
	bits, err := pk.BitLength()
	if err != nil {
		return name
	}
	return fmt.Sprintf("%s%d", name, bits)
}

// curveName names the curve of an elliptic-curve key as GnuPG does.
func curveName(pk *packet.PublicKey) string {
	c, err := pk.Curve()
	if err != nil {
		return fmt.Sprintf("algo%d", pk.PubKeyAlgo)
	}
	switch {
	case c == packet.Curve25519 && pk.PubKeyAlgo == packet.PubKeyAlgoEdDSA:
		return "ed25519"
	case c == packet.Curve25519:
		return "cv25519"
	case c == packet.Curve448 && pk.PubKeyAlgo == packet.PubKeyAlgoEdDSA:
		return "ed448"
	case c == packet.Curve448:
		return "cv448"
	case strings.HasPrefix(string(c), "P"):
		return "nist" + strings.ToLower(string(c))
	case strings.HasPrefix(string(c), "Brainpool"):
		return "brainpool" + strings.TrimPrefix(string(c), "Brainpool") + "r1"
	}
	return strings.ToLower(string(c))
}
