package pkgsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"aim/deb"
	"aim/deb/rootfs"
	"aim/repo/pgp"
)

// Role is who signed a package.
type Role string

// The signing roles.
const (
	// Developer is the role of the developer who built the package.
	Developer Role = "developer"
	// Store is the role of the store (or repository) that distributes it;
	// its signature is debsig-verify's origin signature.
	Store Role = "store"
)

// KeysMember is the ar member holding the signers' public keys with
// their certifications, as a binary keyring. Its name starts with "_gpg"
// because package deb adds and reads only such members after data.tar;
// debsig-verify and dpkg ignore it.
const KeysMember = "_aimkeys"

// Member names of the role signatures.
const (
	storeMember     = "_gpgorigin"
	developerMember = "_gpgmaint"
)

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case Developer, Store:
		return Role(s), nil
	}
	return "", fmt.Errorf("unknown signing role %q (want developer or store)", s)
}

// Member returns the ar member that holds the role's signature.
func (r Role) Member() string {
	if r == Store {
		return storeMember
	}
	return developerMember
}

// roleOf returns the role whose signature member is name, or "".
func roleOf(name string) Role {
	switch name {
	case storeMember:
		return Store
	case developerMember:
		return Developer
	}
	return ""
}

// SignFile signs the package at path for role with s, in place: it adds
// (or replaces) the role's signature member, and adds the public key pub
// to KeysMember, merged with the keys already there (pub replaces a key
// with the same fingerprint). pub is the signer's public key as it should
// travel, usually with its CA certifications; nil means s.PublicKey().
// It must hold s's key. The file is replaced atomically through a
// temporary file in the same directory, keeping its mode; on error it is
// left as it was. The signature is made at now.
func SignFile(path string, s *pgp.Signer, role Role, pub *pgp.Keyring, now time.Time) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if pub == nil {
		pub = s.PublicKey()
	}
	if !pub.Has(s.Fingerprint()) {
		return fmt.Errorf("sign %s: the public key given does not hold the signing key %s", path, s.Fingerprint())
	}
	sig, err := signatureOf(path, s, now)
	if err != nil {
		return err
	}
	keys, err := mergedKeys(path, pub)
	if err != nil {
		return err
	}
	return rewrite(path, func(in io.Reader, out io.Writer) error {
		return addMembers(in, out, []deb.Member{{Name: role.Member(), Data: sig}, {Name: KeysMember, Data: keys}})
	})
}

// signatureOf signs the signed data of the package at path.
func signatureOf(path string, s *pgp.Signer, now time.Time) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	defer f.Close()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(deb.WriteSignedData(f, pw))
	}()
	sig, err := s.DetachSignReader(pr, now)
	pr.CloseWithError(errors.New("signing stopped"))
	<-done
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", path, err)
	}
	return sig, nil
}

// mergedKeys returns the binary keyring for KeysMember: the package's
// keys, if any, merged with pub.
func mergedKeys(path string, pub *pgp.Keyring) ([]byte, error) {
	members, err := readMembers(path)
	if err != nil {
		return nil, err
	}
	keys := pub
	if data := memberData(members, KeysMember); data != nil {
		old, err := ParseKeys(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if keys, err = old.Merge(pub); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := keys.WriteBinary(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readMembers returns the members after data.tar of the package at path.
func readMembers(path string) ([]deb.Member, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return signatureMembers(f)
}

// signatureMembers reads a package from r and returns its members after
// data.tar.
func signatureMembers(r io.Reader) ([]deb.Member, error) {
	ar, err := deb.NewArchiveReader(r)
	if err != nil {
		return nil, err
	}
	defer ar.Close()
	return ar.Signatures()
}

// memberData returns the data of the member called name, or nil.
func memberData(members []deb.Member, name string) []byte {
	for _, m := range members {
		if m.Name == name {
			return m.Data
		}
	}
	return nil
}

// ParseKeys reads the keys of a KeysMember: a keyring (binary, or
// armored) of public keys only. It never panics.
func ParseKeys(data []byte) (*pgp.Keyring, error) {
	kr, err := pgp.ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", KeysMember, err)
	}
	return kr, nil
}

// addMembers copies the package from in to out with each member added
// after data.tar, replacing a member of the same name.
func addMembers(in io.Reader, out io.Writer, members []deb.Member) error {
	for i, m := range members {
		if i == len(members)-1 {
			return deb.AddSignature(in, out, m.Name, m.Data)
		}
		pr, pw := io.Pipe()
		go func(in io.Reader, m deb.Member) { pw.CloseWithError(deb.AddSignature(in, pw, m.Name, m.Data)) }(in, m)
		defer pr.Close()
		in = pr
	}
	return nil
}

// rewrite replaces the file at path with what edit writes from its
// contents, through a temporary file in the same directory that keeps the
// file's mode and is renamed over it only once complete and synced.
func rewrite(path string, edit func(in io.Reader, out io.Writer) error) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	err = rootfs.WriteFileFunc(path, fi.Mode().Perm(), func(out io.Writer) error { return edit(in, out) })
	if err != nil {
		return fmt.Errorf("sign %s: %w", path, err)
	}
	return nil
}
