package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// PassphraseEnv is the environment variable the aim commands read a
// secret key's passphrase from when no passphrase file is given.
const PassphraseEnv = "AIM_PASSPHRASE"

// maxPassphraseFile bounds the size of a passphrase file.
const maxPassphraseFile = 64 << 10

// Errors about secret keys. They are wrapped with context; test them with
// errors.Is.
var (
	// ErrPassphraseNeeded reports a passphrase-protected secret key opened
	// without a passphrase.
	ErrPassphraseNeeded = errors.New("secret key is protected by a passphrase: give one with a passphrase file or " + PassphraseEnv)
	// ErrWrongPassphrase reports a passphrase that does not unlock the key.
	ErrWrongPassphrase = errors.New("wrong passphrase for the secret key")
	// ErrNoSecretKey reports key data without usable secret key material.
	ErrNoSecretKey = errors.New("no usable OpenPGP secret key")
)

// A Signer signs with one secret key: the newest valid signing subkey of
// an OpenPGP key, or its primary key when no subkey may sign, and
// certifies other keys with the primary key. Its private keys are
// decrypted once, when it is made. A Signer is safe for concurrent use.
type Signer struct {
	entity *openpgp.Entity
	public *Keyring
}

// LoadSigner reads a secret key file (an armored "PGP PRIVATE KEY BLOCK"
// or binary, as gpg --export-secret-keys writes) holding exactly one key,
// and unlocks it with passphrase (nil when the key has none). A protected
// key without a passphrase yields ErrPassphraseNeeded, a wrong passphrase
// ErrWrongPassphrase.
func LoadSigner(path string, passphrase []byte) (*Signer, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	s, err := ParseSigner(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("secret key %s: %w", path, err)
	}
	return s, nil
}

// ParseSigner is LoadSigner for data in memory.
func ParseSigner(data []byte, passphrase []byte) (*Signer, error) {
	if len(data) > MaxKeyringSize {
		return nil, fmt.Errorf("key data larger than %d bytes", MaxKeyringSize)
	}
	body, err := secretBody(data)
	if err != nil {
		return nil, err
	}
	el, err := openpgp.ReadKeyRing(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoSecretKey, err)
	}
	if len(el) != 1 {
		return nil, fmt.Errorf("%w: found %d keys, want exactly one", ErrNoSecretKey, len(el))
	}
	e := el[0]
	if e.PrimaryKey.Version != 4 {
		return nil, fmt.Errorf("%w: version %d keys are not supported", ErrNoSecretKey, e.PrimaryKey.Version)
	}
	if err := unlock(e, passphrase); err != nil {
		return nil, err
	}
	pub, err := publicHalf(body)
	if err != nil {
		return nil, err
	}
	return &Signer{entity: e, public: pub}, nil
}

// secretBody returns the binary packets of one secret key: data itself
// when binary, else the body of its one armored secret key block.
func secretBody(data []byte) ([]byte, error) {
	if len(data) > 0 && data[0]&0x80 != 0 {
		return data, nil
	}
	lines := splitLines(data)
	var body []byte
	for i := 0; i < len(lines); i++ {
		if armorHeaderType(lines[i]) != armorSecretKey {
			continue
		}
		if body != nil {
			return nil, fmt.Errorf("%w: more than one secret key block", ErrNoSecretKey)
		}
		b, n, err := decodeArmor(lines[i:], armorSecretKey)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		body = b
		i += n - 1
	}
	if body == nil {
		return nil, fmt.Errorf("%w: no -----BEGIN %s----- block", ErrNoSecretKey, armorSecretKey)
	}
	return body, nil
}

// unlock decrypts the private keys of e with passphrase.
func unlock(e *openpgp.Entity, passphrase []byte) error {
	if e.PrivateKey == nil {
		return fmt.Errorf("%w: the primary key has no secret part", ErrNoSecretKey)
	}
	encrypted := e.PrivateKey.Encrypted
	for _, sk := range e.Subkeys {
		encrypted = encrypted || sk.PrivateKey != nil && sk.PrivateKey.Encrypted
	}
	if !encrypted {
		return nil
	}
	if passphrase == nil {
		return ErrPassphraseNeeded
	}
	if err := e.DecryptPrivateKeys(passphrase); err != nil {
		return fmt.Errorf("%w: %v", ErrWrongPassphrase, err)
	}
	return nil
}

// publicHalf turns the secret key packets of body into the public key
// they hold, keeping every other packet (user IDs, signatures) as is.
func publicHalf(body []byte) (*Keyring, error) {
	r := packet.NewOpaqueReader(bytes.NewReader(body))
	var out bytes.Buffer
	for {
		op, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed("key packets: %v", err)
		}
		if op.Tag != tagSecretKey && op.Tag != tagSecretSubkey {
			if err := op.Serialize(&out); err != nil {
				return nil, fmt.Errorf("public key: %w", err)
			}
			continue
		}
		p, err := op.Parse()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoSecretKey, err)
		}
		priv, ok := p.(*packet.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: unreadable secret key packet", ErrNoSecretKey)
		}
		if err := priv.PublicKey.Serialize(&out); err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
	}
	kr, err := ParseKeyring(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("public half of the secret key: %w", err)
	}
	return kr, nil
}

// Fingerprint returns the primary key's fingerprint, 40 upper-case hex
// digits, as Key.Fingerprint.
func (s *Signer) Fingerprint() string { return fingerprintHex(s.entity.PrimaryKey) }

// PublicKey returns the public half of the key, with the user IDs,
// subkeys and signatures of the secret key file, for a repository's
// key.asc or a keyring.
func (s *Signer) PublicKey() *Keyring { return s.public }

// PassphraseFromFile reads a passphrase from the first line of a file,
// without its line ending. An empty passphrase is an error.
func PassphraseFromFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("passphrase file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPassphraseFile))
	if err != nil {
		return nil, fmt.Errorf("passphrase file %s: %w", path, err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("passphrase file %s: empty first line", path)
	}
	return line, nil
}

// PassphraseFromEnv returns the passphrase in the environment variable
// name (PassphraseEnv for the aim commands), or nil when it is unset or
// empty.
func PassphraseFromEnv(getenv func(string) string, name string) []byte {
	v := strings.TrimSuffix(getenv(name), "\n")
	if v == "" {
		return nil
	}
	return []byte(v)
}

// ParsePublic reads public keys from data as ParseKeyring does, or, when
// data is a secret key, its public half (without needing its
// passphrase). It is what exporting a key reads.
func ParsePublic(data []byte) (*Keyring, error) {
	kr, err := ParseKeyring(data)
	if !errors.Is(err, ErrSecretKey) {
		return kr, err
	}
	body, err := secretBody(data)
	if err != nil {
		return nil, err
	}
	return publicHalf(body)
}
