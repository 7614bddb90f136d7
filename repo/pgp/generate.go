package pgp

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// DefaultRSABits is the size of the RSA keys GenerateKey makes.
const DefaultRSABits = 4096

// KeyOptions says what key GenerateKey makes.
type KeyOptions struct {
	// Name and Email make the user ID "Name <Email>"; Comment, when set,
	// "Name (Comment) <Email>". Name is required; none may hold "()<>" or
	// NUL.
	Name, Comment, Email string
	// RSA asks for an RSA key instead of the default Ed25519 (legacy
	// EdDSA, algorithm 22).
	RSA bool
	// RSABits is the RSA key size, DefaultRSABits when zero; at least 2048.
	RSABits int
	// Lifetime is how long the key is valid from Created; zero for ever.
	Lifetime time.Duration
	// Created is the key's creation time; the current time when zero.
	Created time.Time
	// Passphrase protects the secret key when not empty (iterated and
	// salted S2K, AES-256).
	Passphrase []byte
}

// GenerateKey makes a new version 4 OpenPGP key, as GnuPG 2.2 and
// debsig-verify read it: one primary key that signs and certifies, with a
// positive self-certification of the one user ID that prefers SHA-512 and
// AES-256, and no subkeys. It never makes v5 or v6 keys. It returns the
// key as a Signer, and the armored secret key to store (protected when
// opts.Passphrase is set), which LoadSigner reads back.
func GenerateKey(opts KeyOptions) (*Signer, []byte, error) {
	cfg, err := keyConfig(opts)
	if err != nil {
		return nil, nil, err
	}
	e, err := openpgp.NewEntity(opts.Name, opts.Comment, opts.Email, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	e.Subkeys = nil // NewEntity adds an encryption subkey a signing key has no use for
	var clear bytes.Buffer
	if err := e.SerializePrivateWithoutSigning(&clear, nil); err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	s, err := ParseSigner(clear.Bytes(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	if len(opts.Passphrase) > 0 {
		if err := e.EncryptPrivateKeys(opts.Passphrase, cfg); err != nil {
			return nil, nil, fmt.Errorf("protect key: %w", err)
		}
	}
	var out bytes.Buffer
	if err := writeArmoredSecret(&out, e); err != nil {
		return nil, nil, err
	}
	return s, out.Bytes(), nil
}

// keyConfig checks opts and turns them into go-crypto's configuration.
func keyConfig(opts KeyOptions) (*packet.Config, error) {
	if opts.Name == "" {
		return nil, errors.New("generate key: a name is required")
	}
	if opts.Lifetime < 0 || opts.Lifetime.Seconds() > math.MaxUint32 {
		return nil, fmt.Errorf("generate key: lifetime %v out of range", opts.Lifetime)
	}
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	created = created.Truncate(time.Second)
	cfg := &packet.Config{
		DefaultHash:                           crypto.SHA512,
		DefaultCipher:                         packet.CipherAES256,
		DefaultCompressionAlgo:                packet.CompressionNone,
		Time:                                  func() time.Time { return created },
		KeyLifetimeSecs:                       uint32(opts.Lifetime / time.Second),
		NonDeterministicSignaturesViaNotation: new(bool),
		Algorithm:                             packet.PubKeyAlgoEdDSA,
		Curve:                                 packet.Curve25519,
	}
	if opts.RSA {
		bits := opts.RSABits
		if bits == 0 {
			bits = DefaultRSABits
		}
		if bits < 2048 {
			return nil, fmt.Errorf("generate key: RSA keys of %d bits are too small (at least 2048)", bits)
		}
		cfg.Algorithm, cfg.RSABits, cfg.Curve = packet.PubKeyAlgoRSA, bits, ""
	}
	return cfg, nil
}

// writeArmoredSecret writes e's secret key as an armored "PGP PRIVATE KEY
// BLOCK" ending in a newline.
func writeArmoredSecret(w io.Writer, e *openpgp.Entity) error {
	aw, err := armor.Encode(w, armorSecretKey, nil)
	if err != nil {
		return fmt.Errorf("armor secret key: %w", err)
	}
	if err := e.SerializePrivateWithoutSigning(aw, nil); err != nil {
		return fmt.Errorf("write secret key: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("armor secret key: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}
