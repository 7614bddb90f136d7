package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// MaxKeyringSize bounds the size of one keyring file or key block.
const MaxKeyringSize = 16 << 20

// maxKeys bounds the number of keys in one keyring.
const maxKeys = 4096

// Packet tags of RFC 9580, section 5.
const (
	tagSignature     = 2
	tagSecretKey     = 5
	tagPublicKey     = 6
	tagSecretSubkey  = 7
	tagMarker        = 10
	tagTrust         = 12
	tagUserID        = 13
	tagPublicSubkey  = 14
	tagUserAttribute = 17
	tagPadding       = 21
)

// A Keyring is a set of OpenPGP public keys that signatures are checked
// against. It is immutable once made; the zero value and a nil *Keyring
// hold no keys and trust nothing.
type Keyring struct {
	entries []entry
	skipped []error
	byID    map[uint64][]keyRef
}

// entry is one key (an OpenPGP "certificate") of a keyring.
type entry struct {
	entity *openpgp.Entity
	raw    []byte // the key's packets as read, written back unchanged
	file   string // where it was read from, "" when parsed from memory
}

// keyRef points at the primary key (sub < 0) or a subkey of an entry.
type keyRef struct {
	ent, sub int
}

// LoadKeyring reads the keys of every path. A path is a keyring file
// (armored or binary, any name) or a directory, of which the files that
// KeyringFiles lists are read. It fails when a file cannot be read or
// parsed, holds secret keys, or holds no usable key, naming the file.
func LoadKeyring(paths ...string) (*Keyring, error) {
	var entries []entry
	var skipped []error
	for _, p := range paths {
		files, err := pathFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			kr, err := readKeyringFile(f)
			if err != nil {
				return nil, err
			}
			entries = append(entries, kr.entries...)
			skipped = append(skipped, kr.skipped...)
		}
	}
	return newKeyring(entries, skipped)
}

// KeyringFiles lists the keyring files of dir that LoadKeyring reads: the
// regular files named "*.asc" or "*.gpg", in lexical order. Other names
// (editor backups, keyboxes) are ignored.
func KeyringFiles(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("keyring directory: %w", err)
	}
	var files []string
	for _, de := range des {
		ext := filepath.Ext(de.Name())
		if (ext == ".asc" || ext == ".gpg") && de.Type().IsRegular() {
			files = append(files, filepath.Join(dir, de.Name()))
		}
	}
	slices.Sort(files)
	return files, nil
}

// pathFiles returns p itself when it is a file, or its keyring files.
func pathFiles(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if fi.IsDir() {
		return KeyringFiles(p)
	}
	return []string{p}, nil
}

// readKeyringFile parses one keyring file and records its name in each key.
func readKeyringFile(name string) (*Keyring, error) {
	data, err := readLimited(name)
	if err != nil {
		return nil, err
	}
	kr, err := ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w", name, err)
	}
	for i := range kr.entries {
		kr.entries[i].file = name
	}
	return kr, nil
}

// readLimited reads a file of at most MaxKeyringSize bytes.
func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxKeyringSize+1))
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w", name, err)
	}
	if len(data) > MaxKeyringSize {
		return nil, fmt.Errorf("keyring %s: larger than %d bytes", name, MaxKeyringSize)
	}
	return data, nil
}

// ParseKeyring reads keys from data: one or more armored public key
// blocks (text around them is ignored, so a deb822 Signed-By field's key
// block works once unfolded) or a binary keyring such as apt's ".gpg"
// files. Keys that go-crypto cannot use (unknown algorithms, broken
// self-signatures, versions other than 4) are skipped and reported by
// Skipped; it fails when none is left, and on any secret key material
// (ErrSecretKey) or GnuPG keybox.
func ParseKeyring(data []byte) (*Keyring, error) {
	if len(data) > MaxKeyringSize {
		return nil, fmt.Errorf("key data larger than %d bytes", MaxKeyringSize)
	}
	bodies, err := keyBodies(data)
	if err != nil {
		return nil, err
	}
	var entries []entry
	var skipped []error
	for _, body := range bodies {
		es, sk, err := parseCertificates(body)
		if err != nil {
			return nil, err
		}
		entries, skipped = append(entries, es...), append(skipped, sk...)
	}
	if len(entries) == 0 && len(skipped) > 0 {
		return nil, fmt.Errorf("%w: %v", ErrNoKeys, skipped[0])
	}
	if len(entries) == 0 {
		return nil, ErrNoKeys
	}
	return newKeyring(entries, skipped)
}

// keyBodies returns the binary key data of data, de-armored when armored.
func keyBodies(data []byte) ([][]byte, error) {
	switch {
	case len(data) >= 12 && string(data[8:12]) == "KBXf":
		return nil, errors.New("a GnuPG keybox (.kbx) is not a keyring: export the keys with gpg --export")
	case len(data) > 0 && data[0]&0x80 != 0:
		return [][]byte{data}, nil
	}
	blocks, err := armorBlocks(data, armorPublicKey)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%w: neither a binary keyring nor an armored public key block", ErrNoKeys)
	}
	return blocks, nil
}

// parseCertificates splits binary key data into certificates (a primary
// key and the packets up to the next one) and parses each. It returns the
// usable ones and why the others were skipped.
func parseCertificates(body []byte) ([]entry, []error, error) {
	raws, err := splitCertificates(body)
	if err != nil {
		return nil, nil, err
	}
	var entries []entry
	var skipped []error
	for _, raw := range raws {
		e, err := openpgp.ReadEntity(packet.NewReader(bytes.NewReader(raw)))
		if err == nil && e.PrimaryKey.Version != 4 {
			err = fmt.Errorf("version %d keys are not supported", e.PrimaryKey.Version)
		}
		if err != nil {
			skipped = append(skipped, fmt.Errorf("skipped key %s: %w", rawKeyName(raw), err))
			continue
		}
		entries = append(entries, entry{entity: e, raw: raw})
	}
	return entries, skipped, nil
}

// splitCertificates cuts a packet stream at each primary public key. Trust,
// marker and padding packets are dropped; secret keys are refused.
func splitCertificates(body []byte) ([][]byte, error) {
	r := packet.NewOpaqueReader(bytes.NewReader(body))
	var certs [][]byte
	var cur *bytes.Buffer
	for {
		op, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed("key packets: %v", err)
		}
		switch op.Tag {
		case tagSecretKey, tagSecretSubkey:
			return nil, ErrSecretKey
		case tagTrust, tagMarker, tagPadding:
			continue
		case tagPublicKey:
			if len(certs) == maxKeys {
				return nil, fmt.Errorf("more than %d keys", maxKeys)
			}
			cur = new(bytes.Buffer)
			certs = append(certs, nil)
		case tagSignature, tagUserID, tagPublicSubkey, tagUserAttribute:
			if cur == nil {
				return nil, malformed("key packets: packet type %d before any public key", op.Tag)
			}
		default:
			return nil, malformed("key packets: unexpected packet type %d", op.Tag)
		}
		if err := op.Serialize(cur); err != nil {
			return nil, fmt.Errorf("key packets: %w", err)
		}
		certs[len(certs)-1] = cur.Bytes()
	}
	return certs, nil
}

// rawKeyName names a certificate that failed to parse by its key ID when
// its first packet parses, else "#?".
func rawKeyName(raw []byte) string {
	p, err := packet.Read(bytes.NewReader(raw))
	if pk, ok := p.(*packet.PublicKey); ok && err == nil {
		return fmt.Sprintf("%016X", pk.KeyId)
	}
	return "(unreadable)"
}

// newKeyring indexes entries by key ID.
func newKeyring(entries []entry, skipped []error) (*Keyring, error) {
	if len(entries) > maxKeys {
		return nil, fmt.Errorf("keyring: more than %d keys", maxKeys)
	}
	kr := &Keyring{entries: entries, skipped: skipped, byID: map[uint64][]keyRef{}}
	for i, en := range entries {
		id := en.entity.PrimaryKey.KeyId
		kr.byID[id] = append(kr.byID[id], keyRef{i, -1})
		for j, sk := range en.entity.Subkeys {
			kr.byID[sk.PublicKey.KeyId] = append(kr.byID[sk.PublicKey.KeyId], keyRef{i, j})
		}
	}
	return kr, nil
}

// Len returns the number of keys (primary keys with their subkeys).
func (k *Keyring) Len() int {
	if k == nil {
		return 0
	}
	return len(k.entries)
}

// Skipped returns why keys of the input were left out, one error per key.
func (k *Keyring) Skipped() []error {
	if k == nil {
		return nil
	}
	return slices.Clone(k.skipped)
}

// Select returns a keyring holding the keys of k for which keep is true,
// in order, with the files they came from.
func (k *Keyring) Select(keep func(Key) bool) *Keyring {
	var entries []entry
	for i := range k.Len() {
		if keep(k.keyInfo(i)) {
			entries = append(entries, k.entries[i])
		}
	}
	kr, _ := newKeyring(entries, nil) // never more keys than k
	return kr
}

// Merge returns a keyring with the keys of k and then those of other; a
// key of other replaces a key of k with the same fingerprint.
func (k *Keyring) Merge(other *Keyring) (*Keyring, error) {
	var entries []entry
	for i := range k.Len() {
		if !other.Has(k.keyInfo(i).Fingerprint) {
			entries = append(entries, k.entries[i])
		}
	}
	if other != nil {
		entries = append(entries, other.entries...)
	}
	return newKeyring(entries, nil)
}

// Has reports whether the keyring holds the key with this primary key
// fingerprint (upper- or lower-case hex).
func (k *Keyring) Has(fingerprint string) bool {
	for i := range k.Len() {
		if strings.EqualFold(fingerprintHex(k.entries[i].entity.PrimaryKey), fingerprint) {
			return true
		}
	}
	return false
}

// WriteArmored writes the keys as one armored public key block. Each key
// is written with the packets it was read with, so the output is stable.
func (k *Keyring) WriteArmored(w io.Writer) error {
	aw, err := armor.Encode(w, armorPublicKey, nil)
	if err != nil {
		return fmt.Errorf("armor keys: %w", err)
	}
	if err := k.WriteBinary(aw); err != nil {
		return err
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("armor keys: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// WriteBinary writes the keys as a binary keyring, as apt's ".gpg" files.
func (k *Keyring) WriteBinary(w io.Writer) error {
	for i := range k.Len() {
		if _, err := w.Write(k.entries[i].raw); err != nil {
			return fmt.Errorf("write keys: %w", err)
		}
	}
	return nil
}
