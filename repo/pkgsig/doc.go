// Package pkgsig signs binary packages (.deb) and checks their
// signatures against the keys a device trusts, for two roles after the
// developer/store PKI of Qt Application Manager:
//
//   - the store role's signature is the ar member "_gpgorigin", the origin
//     signature debsig-verify checks;
//   - the developer role's is "_gpgmaint".
//
// Each is a detached OpenPGP signature (binary, SHA-512) over the
// contents of debian-binary, control.tar.* and data.tar.* concatenated,
// the bytes deb.WriteSignedData gives and debsig-verify checks. A
// detached signature names only its issuer, so Sign also stores the
// signer's public key, with the CA certifications it carries, in the
// member KeysMember: a device that trusts only a role's CA key can then
// accept a key that CA certified.
//
// Trust (LoadTrust) holds, per role, the keys of
// etc/aim/trusted.d/developer/ and etc/aim/trusted.d/store/. A signature
// of a role is valid when pgp.VerifyDetached would accept it with a key
// trusted for that role, or with a key of KeysMember that a key trusted
// for that role has certified (pgp.Keyring.Certifiers). Policy says what
// an install needs (aim.conf's package-trust).
//
// The package never prints; it reads and writes only the files it is
// given. It owns no archive format: member handling is package deb's.
package pkgsig
