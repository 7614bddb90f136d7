#!/usr/bin/env bash
# deb.sh: `aim deb build` and `aim deb extract` beside `dpkg-deb --build`
# and `dpkg-deb -x`, for a tiny package and a ~30 MB tree of mixed files
# (random bytes, text), with every compressor, alternately. Each extract
# reads the package the peer built. Target (issue 18): aim <= dpkg-deb for
# every compressor and size, build and extract. COMPRESSORS and SIZES
# narrow the run; RUNS defaults to 3 here.
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.sh"
header deb
command -v dpkg-deb >/dev/null || { echo "deb: skipped (dpkg-deb missing)"; exit 0; }
control() { mkdir -p "$1/DEBIAN"; printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: Bench <bench@example.org>\nDescription: benchmark payload\n' "$2" > "$1/DEBIAN/control"; }
tiny=$work/tiny; control "$tiny" tiny
mkdir -p "$tiny/usr/share/doc/tiny"; echo "hello" > "$tiny/usr/share/doc/tiny/README"
big=$work/big; control "$big" big
mkdir -p "$big/usr/share/bench"
head -c 8000000 /dev/urandom > "$big/usr/share/bench/random.bin"
for i in $(seq 300); do seq $((i * 1000)) $((i * 1000 + 9000)) > "$big/usr/share/bench/text$i.txt"; done
echo "trees: tiny $(du -sk "$tiny" | cut -f1) KB, big $(du -sm "$big" | cut -f1) MB"
xrm() { rm -rf "$work/x"; }
worst=0
for size in ${SIZES:-tiny big}; do
  tree=$work/$size
  LOOP=1; [ "$size" = tiny ] && LOOP=10
  for z in ${COMPRESSORS:-gzip xz zstd none}; do
    A_CMD=("$aim" deb build -q -Z "$z" "$tree" "$work/a.deb"); PREP_A=
    B_CMD=(dpkg-deb --root-owner-group -Z"$z" --build "$tree" "$work/d.deb"); PREP_B=
    vs "deb build -Z$z, $size (aim deb build | dpkg-deb --build)"
    echo "  sizes: aim $(stat -c %s "$work/a.deb"), dpkg-deb $(stat -c %s "$work/d.deb")"
    worst=$(awk -v a="$worst" -v b="$VS_WALL" 'BEGIN { print (b > a ? b : a) }')
    A_CMD=("$aim" deb extract "$work/d.deb" "$work/x"); PREP_A=xrm
    B_CMD=(dpkg-deb -x "$work/d.deb" "$work/x"); PREP_B=xrm
    vs "deb extract -Z$z, $size (aim deb extract | dpkg-deb -x)"
    worst=$(awk -v a="$worst" -v b="$VS_WALL" 'BEGIN { print (b > a ? b : a) }')
  done
done
verdict "worst wall aim/dpkg-deb" "$worst" 1
