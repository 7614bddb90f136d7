#!/bin/sh
# make-fixtures.sh signs release.txt with the test keys of testdata/keys,
# using GnuPG, into the fixtures the repo/pgp tests verify. Its output is
# committed; run it again after remaking the keys.
set -eu
cd "$(dirname "$0")"
keys=../../../testdata/keys
GNUPGHOME=$(mktemp -d)
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT

g() { gpg --batch --quiet --no-tty --yes --passphrase '' --pinentry-mode loopback "$@"; }

# id NAME prints the fingerprint of the primary key in NAME.asc.
id() { gpg --with-colons --show-keys "$keys/$1.asc" | awk -F: '$1 == "fpr" { print $10; exit }'; }

for k in ed25519 rsa sha1 expired untrusted revoked; do
	g --import "$keys/$k.secret.asc"
done

g --local-user "$(id ed25519)" --clearsign -o ed25519.clearsigned release.txt
g --local-user "$(id ed25519)" --detach-sign -o ed25519.detached.sig release.txt
g --local-user "$(id ed25519)" --textmode --detach-sign -o ed25519.textmode.sig release.txt
g --local-user "$(id rsa)" --clearsign -o rsa.clearsigned release.txt
g --local-user "$(id rsa)" --armor --detach-sign -o rsa.detached.asc release.txt
g --local-user "$(id sha1)" --digest-algo SHA1 --clearsign -o sha1.clearsigned release.txt
g --local-user "$(id sha1)" --digest-algo SHA1 --detach-sign -o sha1.detached.sig release.txt
g --local-user "$(id rsa)" --digest-algo RIPEMD160 --clearsign -o ripemd160.clearsigned release.txt
g --local-user "$(id sha1)" --clearsign -o sha1key-sha256.clearsigned release.txt
g --faked-system-time 20200101T120000! --local-user "$(id expired)" --clearsign -o expired.clearsigned release.txt
g --local-user "$(id untrusted)" --clearsign -o untrusted.clearsigned release.txt
g --local-user "$(id revoked)" --clearsign -o revoked.clearsigned release.txt
# Three signatures in one block, as Debian's InRelease has.
g --local-user "$(id untrusted)" --local-user "$(id ed25519)" --local-user "$(id rsa)" \
	--clearsign -o multi.clearsigned release.txt
