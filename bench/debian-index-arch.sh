#!/usr/bin/env bash
# Prints the path of a real, uncompressed Debian "bookworm main" Packages
# index for ARCH (default i386), beside the amd64 one that debian-index
# keeps. It fetches it with apt-get in a sandbox configured with
# APT::Architectures (its own lists and status; the host's dpkg and apt
# state are untouched), from the mirror and with the keyring the host's
# apt uses for bookworm, and checks the index against the host's bookworm
# InRelease so the two indexes are of one release.
# Usage: I386=$(bench/debian-index-arch.sh i386)
set -euo pipefail
arch=${1:-i386}
cache=${AIM_TESTDATA_CACHE:-/tmp/aim-testdata}
mkdir -p "$cache"
out="$cache/bookworm-main-$arch-Packages"
host_inrel=$(apt-get indextargets --format '$(FILENAME)' 'Identifier: Packages' 'Codename: bookworm' 'Component: main' 2>/dev/null |
  head -n1 | sed 's/_main_binary-[^_]*_Packages.*$/_InRelease/')
[ -f "$host_inrel" ] || { echo "debian-index-arch: no bookworm InRelease in apt's lists (run apt-get update)" >&2; exit 1; }
want=$(awk -v p="main/binary-$arch/Packages" '/^SHA256:/ { s = 1; next } /^[A-Za-z]/ { s = 0 } s && $3 == p { print $1; exit }' "$host_inrel")
[ -n "$want" ] || { echo "debian-index-arch: the bookworm Release lists no main/binary-$arch/Packages" >&2; exit 1; }
if [ -s "$out" ] && [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$want" ]; then echo "$out"; exit 0; fi
base=$(apt-get indextargets --format '$(BASE_URI)' 'Identifier: Packages' 'Codename: bookworm' 'Component: main' | head -n1)
base=${base%/dists/bookworm/}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"; touch "$work/status"
echo "deb [signed-by=$keyring] $base bookworm main" > "$work/sources.list"
O=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$work/lists"
   -o Dir::Cache="$work/cache" -o Dir::State::status="$work/status" -o APT::Architecture=amd64 -o APT::Architectures="$arch"
   -o Acquire::Languages=none -o Debug::NoLocking=1 -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
   -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false -o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false
   -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false -o Acquire::GzipIndexes=false -o Acquire::CompressionTypes::Order::=xz)
apt-get "${O[@]}" update >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
src=$(ls "$work"/lists/*_dists_bookworm_main_binary-"$arch"_Packages* 2>/dev/null | head -n1)
[ -n "$src" ] || { echo "debian-index-arch: apt fetched no $arch index" >&2; cat "$work/log" >&2; exit 1; }
case "$src" in
  *.lz4) lz4 -dc "$src" > "$out.tmp" ;;
  *.xz)  xz -dc "$src" > "$out.tmp" ;;
  *.gz)  gzip -dc "$src" > "$out.tmp" ;;
  *.zst) zstd -dc "$src" > "$out.tmp" ;;
  *)     cp "$src" "$out.tmp" ;;
esac
got=$(sha256sum "$out.tmp" | cut -d' ' -f1)
[ "$got" = "$want" ] || { rm -f "$out.tmp"; echo "debian-index-arch: the fetched $arch index does not match the host's bookworm InRelease (lists out of step; run apt-get update)" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "$out"
