#!/bin/sh
# make-keys.sh makes the OpenPGP test keys of this folder with GnuPG (2.2).
# It was run once and its output committed; running it again makes new keys,
# and then the signed fixtures that repo/pgp/testdata/make-fixtures.sh makes
# from them must be remade too. The keys are for tests only: their secret
# halves are committed without a passphrase.
set -eu
cd "$(dirname "$0")"
GNUPGHOME=$(mktemp -d)
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT

g() { gpg --batch --quiet --no-tty --passphrase '' --pinentry-mode loopback "$@"; }

# fpr UID prints the fingerprint of the key with that user ID.
fpr() { g --with-colons --list-keys "$1" | awk -F: '$1 == "fpr" { print $10; exit }'; }

# export NAME UID writes NAME.asc (public) and NAME.secret.asc (secret).
export_key() {
	g --armor --export "$2" >"$1.asc"
	g --armor --export-secret-keys "$2" >"$1.secret.asc"
}

# Ed25519 primary key that signs, with a Curve25519 encryption subkey.
uid='aim test Ed25519 <ed25519@aim-test.invalid>'
g --quick-gen-key "$uid" ed25519 sign,cert never
g --quick-add-key "$(fpr "$uid")" cv25519 encr never
export_key ed25519 "$uid"

# RSA 4096 primary key that only certifies; an RSA 3072 subkey signs.
uid='aim test RSA <rsa@aim-test.invalid>'
g --quick-gen-key "$uid" rsa4096 cert never
g --quick-add-key "$(fpr "$uid")" rsa3072 sign never
export_key rsa "$uid"
g --export "$uid" >rsa.gpg

# RSA 3072 key whose self-signature and document signatures use SHA-1.
uid='aim test SHA-1 <sha1@aim-test.invalid>'
g --cert-digest-algo SHA1 --quick-gen-key "$uid" rsa3072 sign,cert never
export_key sha1 "$uid"

# Ed25519 key made on 2020-01-01 that expired a day later.
uid='aim test expired <expired@aim-test.invalid>'
g --faked-system-time 20200101T000000! --quick-gen-key "$uid" ed25519 sign,cert 1d
export_key expired "$uid"

# Ed25519 key that no test keyring trusts.
uid='aim test untrusted <untrusted@aim-test.invalid>'
g --quick-gen-key "$uid" ed25519 sign,cert never
export_key untrusted "$uid"

# Ed25519 key, revoked: revoked.secret.asc still signs (gpg refuses to sign
# with a revoked key), revoked.asc carries the revocation.
uid='aim test revoked <revoked@aim-test.invalid>'
g --quick-gen-key "$uid" ed25519 sign,cert never
export_key revoked "$uid"
g --import "$GNUPGHOME/openpgp-revocs.d/$(fpr "$uid").rev.asc" 2>/dev/null ||
	sed 's/^:-----/-----/' "$GNUPGHOME/openpgp-revocs.d/$(fpr "$uid").rev" | g --import
g --armor --export "$uid" >revoked.asc
