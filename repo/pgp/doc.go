// Package pgp holds the OpenPGP keys aim trusts and checks repository
// signatures against them, over github.com/ProtonMail/go-crypto (its v1
// openpgp API).
//
// It owns:
//   - keyrings: loading trusted keys from files and directories (armored
//     ".asc" and binary ".gpg", several keys per file) or from an inline key
//     block, listing them, selecting, merging and writing them back;
//   - trusted keys kept as files (keydir.go): one key per file in a
//     directory, or merged into one keyring file, written atomically;
//   - verification of a clear-signed InRelease (VerifyClearSigned) and of a
//     Release with its detached Release.gpg (VerifyDetached);
//   - signing (Signer: ClearSign, DetachSign), key generation (GenerateKey,
//     v4 only) and third-party certification (Certify, CertifiedBy).
//
// Verification fails closed. It succeeds only when at least one signature is
// valid, by a key of the keyring that may sign, not expired, not revoked,
// made with a strong digest and not in the future; and, for a clear-signed
// message, only when the framing is exact: nothing but blank lines before
// the message or after its signature block. The caller then parses only
// Verified.Text, never the input it passed in.
//
// Errors callers branch on are typed or sentinel values (see errors.go):
// *UnknownSignerError carries the signer's fingerprint or key ID so that a
// user can be asked about the key; ErrNoSignature tells an unsigned file
// apart from a bad one.
//
// The package must not print, prompt, fetch keys from the network, consult
// GnuPG's own keyrings or trust database, or make or accept v5/v6 keys. It
// knows nothing of sources or of where under a root keys live: callers pass
// paths and a clock.
package pgp
