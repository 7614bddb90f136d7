#!/usr/bin/env bash
# Times aim beside dpkg and apt on the same data, on this machine, in one run.
# Prints one line per measurement; `make bench` runs it after the Go benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
go build -o bin/aim ./cmd/aim
aim=$PWD/bin/aim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# now_ms prints a monotonic-enough wall clock in milliseconds.
now_ms() { date +%s%3N; }
# best_of N CMD... runs CMD N times and prints the fastest wall time in ms.
best_of() {
  local n=$1; shift; local best=
  for _ in $(seq "$n"); do
    local t0; t0=$(now_ms); "$@" >/dev/null 2>&1; local t=$(( $(now_ms) - t0 ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "# peers, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"

# 1. Index parsing: apt building its package cache from the real lists in memory,
#    beside aim parsing the same uncompressed Packages index (go test -bench).
if index=$(../shared/bin/debian-index 2>/dev/null); then
  apt_ms=$(best_of 3 apt-cache -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= stats)
  aim_ns=$(AIM_DEBIAN_INDEX=$index GOMAXPROCS=1 go test ./deb/ -run '^$' -bench '^BenchmarkParseIndexFile$' -benchtime 5x -cpu 1 |
    awk '/^BenchmarkParseIndexFile/ { print $3 }')
  aim_ms=$(( ${aim_ns%.*} / 1000000 ))
  echo "index: aim parses $(basename "$index") ($(du -m "$index" | cut -f1) MB) in ${aim_ms} ms on one core;" \
       "apt-cache builds its cache from all lists in ${apt_ms} ms (apt/aim = $(ratio "$apt_ms" "$aim_ms"))"
else
  echo "index: skipped (no real Debian index)"
fi

# 1b. Repository update against a local copy of the real signed Debian release:
#     apt-get update + building apt's cache, beside aim update; then show and search.
mirror=$work/mirror
if line=$(../shared/bin/debian-mirror "$mirror" 2>/dev/null); then
  A=$work/apt; mkdir -p "$A/lists/partial" "$A/cache/archives/partial"; touch "$A/status"
  echo "$line" > "$A/sources.list"
  O=(-o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$A/lists"
     -o Dir::Cache="$A/cache" -o Dir::Cache::pkgcache="$A/cache/pkgcache.bin" -o Dir::Cache::srcpkgcache="$A/cache/srcpkgcache.bin"
     -o Dir::State::status="$A/status" -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none
     -o Debug::NoLocking=1 -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
     -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false -o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false)
  # The partial mirror has only the uncompressed index; apt's file method needs telling.
  U=(-o Acquire::CompressionTypes::xz=false -o Acquire::CompressionTypes::gz=false)
  apt_update() { rm -rf "$A/lists"/* "$A/cache"/*.bin; mkdir -p "$A/lists/partial"; apt-get "${O[@]}" "${U[@]}" update && apt-cache "${O[@]}" gencaches; }
  R=$work/root; mkdir -p "$R/etc/aim/keyrings"
  kr=$(echo "$line" | sed -n 's/.*signed-by=\([^] ]*\).*/\1/p')
  cp "$kr" "$R/etc/aim/keyrings/"
  echo "$line" | sed "s|signed-by=[^] ]*|signed-by=/etc/aim/keyrings/$(basename "$kr")|" > "$R/etc/aim/sources.list"
  aim_update() { rm -rf "$R/var"; "$aim" --root "$R" update; }
  apt_ms=$(best_of 3 apt_update); aim_ms=$(best_of 3 aim_update)
  echo "update: apt-get update + gencaches ${apt_ms} ms, aim update ${aim_ms} ms (apt/aim = $(ratio "$apt_ms" "$aim_ms"))"
  apt_update >/dev/null 2>&1; aim_update >/dev/null 2>&1
  apt_ms=$(best_of 5 apt-cache "${O[@]}" show hello); aim_ms=$(best_of 5 "$aim" --root "$R" show hello)
  echo "show hello: apt-cache ${apt_ms} ms, aim ${aim_ms} ms (apt/aim = $(ratio "$apt_ms" "$aim_ms"))"
  apt_ms=$(best_of 5 apt-cache "${O[@]}" search network daemon); aim_ms=$(best_of 5 "$aim" --root "$R" search network daemon)
  echo "search 'network daemon': apt-cache ${apt_ms} ms, aim ${aim_ms} ms (apt/aim = $(ratio "$apt_ms" "$aim_ms"))"
else
  echo "update: skipped (debian-mirror failed)"
fi

# 2. Version comparison: dpkg --compare-versions (one process per comparison)
#    beside aim version compare (one process per comparison) and in-process.
n=300
t0=$(now_ms); for i in $(seq $n); do dpkg --compare-versions "1:2.3.$i-1~bpo1" lt "1:2.3.$i-1"; done; dpkg_ms=$(( $(now_ms) - t0 ))
t0=$(now_ms); for i in $(seq $n); do "$aim" version compare "1:2.3.$i-1~bpo1" lt "1:2.3.$i-1"; done; aimcli_ms=$(( $(now_ms) - t0 ))
echo "version: $n comparisons as processes: dpkg ${dpkg_ms} ms, aim ${aimcli_ms} ms (dpkg/aim = $(ratio "$dpkg_ms" "$aimcli_ms"));" \
     "dpkg: $(( n * 1000 / (dpkg_ms > 0 ? dpkg_ms : 1) ))/s"

# 3. .deb build and extract: a 40 MB tree of mixed files, each compressor.
tree=$work/tree
mkdir -p "$tree/DEBIAN" "$tree/usr/share/bench" "$tree/usr/bin"
cat > "$tree/DEBIAN/control" <<CTL
Package: bench
Version: 1.0
Architecture: all
Maintainer: Bench <bench@example.org>
Description: benchmark payload
CTL
head -c 8000000 /dev/urandom > "$tree/usr/share/bench/random.bin"
for i in $(seq 400); do seq $((i * 1000)) $((i * 1000 + 8000)) > "$tree/usr/share/bench/text$i.txt"; done
cp /usr/bin/dpkg "$tree/usr/bin/" 2>/dev/null || true
size_mb=$(du -sm "$tree" | cut -f1)
for z in gzip xz zstd none; do
  d_ms=$(best_of 2 dpkg-deb --root-owner-group -Z"$z" --build "$tree" "$work/d-$z.deb")
  a_ms=$(best_of 2 "$aim" deb build -Z "$z" "$tree" "$work/a-$z.deb")
  dx_ms=$(best_of 2 bash -c "rm -rf '$work/x' && dpkg-deb -x '$work/d-$z.deb' '$work/x'")
  ax_ms=$(best_of 2 bash -c "rm -rf '$work/x' && '$aim' deb extract '$work/d-$z.deb' '$work/x'")
  echo "deb -Z$z (${size_mb} MB tree): build dpkg-deb ${d_ms} ms, aim ${a_ms} ms (dpkg/aim = $(ratio "$d_ms" "$a_ms"));" \
       "extract dpkg-deb ${dx_ms} ms, aim ${ax_ms} ms (dpkg/aim = $(ratio "$dx_ms" "$ax_ms"));" \
       "sizes dpkg $(stat -c %s "$work/d-$z.deb") aim $(stat -c %s "$work/a-$z.deb")"
done
