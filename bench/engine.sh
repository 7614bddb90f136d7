#!/usr/bin/env bash
# engine.sh: install N (default 200) small packages into a fresh root with
# aim and with dpkg --root, in the same run on the same machine, and
# print both times. Needs root for dpkg --root (and dpkg installed).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/aim" ./cmd/aim # as the Makefile builds it
mkdir -p "$work/debs"
for i in $(seq 1 "$N"); do
	d="$work/src/pkg$i"
	mkdir -p "$d/DEBIAN" "$d/usr/share/pkg$i"
	printf 'Package: pkg%d\nVersion: 1.0\nArchitecture: all\nMaintainer: bench <bench@example.org>\nDescription: bench package %d\n' "$i" "$i" > "$d/DEBIAN/control"
	for j in 1 2 3 4 5; do echo "file $j of $i" > "$d/usr/share/pkg$i/f$j"; done
	printf '#!/bin/sh\nexit 0\n' > "$d/DEBIAN/postinst"; chmod 755 "$d/DEBIAN/postinst"
	"$work/aim" deb build -q "$d" "$work/debs/" >/dev/null
done

aimroot="$work/aimroot"; mkdir -p "$aimroot"
start=$(date +%s.%N)
"$work/aim" --root "$aimroot" -y install --scripts-chrootless "$work"/debs/*.deb >/dev/null 2>"$work/aim.err" || {
	echo "aim failed:"; cat "$work/aim.err"; exit 1; }
aim_t=$(echo "$(date +%s.%N) - $start" | bc)

dpkgroot="$work/dpkgroot"; admin="$dpkgroot/var/lib/dpkg"
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
touch "$admin/status" "$admin/available"
start=$(date +%s.%N)
dpkg --root="$dpkgroot" --admindir="$admin" --force-script-chrootless --force-not-root -i "$work"/debs/*.deb >/dev/null 2>"$work/dpkg.err" || {
	echo "dpkg failed:"; tail -5 "$work/dpkg.err"; exit 1; }
dpkg_t=$(echo "$(date +%s.%N) - $start" | bc)
printf 'installing %d packages: aim %.2fs, dpkg %.2fs\n' "$N" "$aim_t" "$dpkg_t"
"$work/aim" --root "$aimroot" verify >/dev/null && echo "aim verify: clean"
