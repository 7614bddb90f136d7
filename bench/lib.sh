# lib.sh: sourced by the bench scripts that time aim beside a peer.
#
# It builds aim into a scratch directory, and offers:
#   mirror_setup   a local copy of the real signed Debian release (the
#                  script $AIM_DEBIAN_MIRROR, else the workspace's
#                  debian-mirror), an aim root ($R) and an apt sandbox that
#                  sees only the same Packages index, no translations ($A,
#                  apt options in ${O[@]}).
#   vs LABEL       times the command in ${A_CMD[@]} (aim) and ${B_CMD[@]}
#                  (the peer) alternately, one warm-up and RUNS (default 5)
#                  counted runs each, PREP_A / PREP_B (function names) run
#                  untimed before each run; LOOP (default 1) runs the
#                  command that many times in one timed run. Prints the
#                  medians of wall, CPU and peak RSS of each and the
#                  median of the pair-by-pair aim/peer ratios.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=/usr/local/go/bin:$PATH LC_ALL=C
# Build aim as make build does: without cgo.
export CGO_ENABLED=0
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/aim" ./cmd/aim
aim=$work/aim

# header NAME prints the first line of a bench report.
header() { echo "# $1, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, aim $(git rev-parse --short HEAD)"; }

# mirror_setup builds the local mirror and points an aim root and an apt
# sandbox at it; it returns non-zero when the mirror cannot be built.
mirror_setup() {
  local script=${AIM_DEBIAN_MIRROR:-../shared/bin/debian-mirror} line
  line=$("$script" "$work/mirror" 2>/dev/null) || return 1
  # The local mirror holds only the uncompressed index; apt's file method needs telling.
  sandbox_setup "$line" -o Acquire::CompressionTypes::xz=false -o Acquire::CompressionTypes::gz=false
}

# sandbox_setup LINE [APT-OPTION...] points an aim root ($R, with a copy
# of LINE's signed-by keyring) and an apt sandbox that sees only LINE's
# index, no translations and no DEP-11 data ($A, apt options in ${O[@]},
# APT-OPTIONs appended) at the source LINE.
sandbox_setup() {
  local line=$1 kr; shift
  R=$work/root; mkdir -p "$R/etc/aim/keyrings"
  kr=$(echo "$line" | sed -n 's/.*signed-by=\([^] ]*\).*/\1/p')
  cp "$kr" "$R/etc/aim/keyrings/"
  echo "$line" | sed "s|signed-by=[^] ]*|signed-by=/etc/aim/keyrings/$(basename "$kr")|" > "$R/etc/aim/sources.list"
  echo "architecture = amd64" > "$R/etc/aim/aim.conf"
  A=$work/apt; mkdir -p "$A/lists/partial" "$A/cache/archives/partial"; touch "$A/status"
  echo "$line" > "$A/sources.list"
  O=(-o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$A/lists"
     -o Dir::Cache="$A/cache" -o Dir::Cache::pkgcache="$A/cache/pkgcache.bin" -o Dir::Cache::srcpkgcache="$A/cache/srcpkgcache.bin"
     -o Dir::State::status="$A/status" -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none
     -o Debug::NoLocking=1 -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
     -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false -o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false
     "$@")
}

# apt_update_script writes a script that updates the apt sandbox from
# scratch and builds apt's caches: apt's half of `aim update`.
apt_update_script() {
  { echo 'set -e'
    printf 'apt-get'; printf ' %q' "${O[@]}"; echo ' update'
    printf 'apt-cache'; printf ' %q' "${O[@]}"; echo ' gencaches'
  } > "$work/apt-update.sh"
}
apt_fresh() { rm -rf "${A:?}/lists" "$A/cache"/*.bin; mkdir -p "$A/lists/partial"; }
aim_fresh() { rm -rf "${R:?}/var"; }

# run1 FILE CMD... runs CMD (LOOP times) and appends "wall_ms cpu_ms peak_kb" to FILE.
run1() {
  local f=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  if [ "${LOOP:-1}" -gt 1 ]; then
    /usr/bin/time -f '%U %S %M' -o "$work/time" bash -c 'for _ in $(seq "$0"); do "$@" >/dev/null; done' "$LOOP" "$@" >/dev/null 2>"$work/err" ||
      { echo "failed: $*"; tail -5 "$work/err"; exit 1; }
  else
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
      { echo "failed: $*"; tail -5 "$work/err"; exit 1; }
  fi
  t1=$(date +%s%N)
  tail -1 "$work/time" | awk -v w=$(( (t1 - t0) / 1000 )) '{ printf "%.3f %.1f %d\n", w / 1000, ($1 + $2) * 1000, $3 }' >> "$f"
}

# median reads numbers, one a line, and prints their median.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# vs LABEL: see the top of this file. Sets VS_WALL, VS_CPU and VS_PEAK to
# the aim/peer ratios of the medians (wall, CPU: pair by pair).
vs() {
  local label=$1 fa=$work/vs-a fb=$work/vs-b n=${LOOP:-1}
  : > "$fa"; : > "$fb"
  for i in $(seq 0 "$RUNS"); do
    ${PREP_A:-:}; run1 "$fa" "${A_CMD[@]}"
    ${PREP_B:-:}; run1 "$fb" "${B_CMD[@]}"
    if [ "$i" = 0 ]; then : > "$fa"; : > "$fb"; fi
  done
  local aw ac ap bw bc bp
  aw=$(cut -d' ' -f1 "$fa" | median); ac=$(cut -d' ' -f2 "$fa" | median); ap=$(cut -d' ' -f3 "$fa" | median)
  bw=$(cut -d' ' -f1 "$fb" | median); bc=$(cut -d' ' -f2 "$fb" | median); bp=$(cut -d' ' -f3 "$fb" | median)
  VS_WALL=$(paste -d' ' "$fa" "$fb" | awk '{ print ($4 > 0 ? $1 / $4 : 0) }' | median)
  VS_CPU=$(paste -d' ' "$fa" "$fb" | awk '{ print ($5 > 0 ? $2 / $5 : 0) }' | median)
  VS_PEAK=$(awk -v a="$ap" -v b="$bp" 'BEGIN { printf "%.2f", a / b }')
  awk -v l="$label" -v n="$n" -v r="$RUNS" -v aw="$aw" -v ac="$ac" -v ap="$ap" -v bw="$bw" -v bc="$bc" -v bp="$bp" \
      -v rw="$VS_WALL" -v rc="$VS_CPU" -v rp="$VS_PEAK" 'BEGIN {
    per = n > 1 ? sprintf(" (a run of %d, per run)", n) : ""
    printf "%s%s, medians of %d:\n", l, per, r
    printf "  aim  wall %8.1f ms  cpu %8.1f ms  peak %6.1f MB\n", aw / n, ac / n, ap / 1024
    printf "  peer wall %8.1f ms  cpu %8.1f ms  peak %6.1f MB\n", bw / n, bc / n, bp / 1024
    printf "  aim/peer: wall %.2f  cpu %.2f  peak %.2f\n", rw, rc, rp }'
}

# verdict NAME VALUE TARGET prints whether VALUE <= TARGET.
verdict() { awk -v n="$1" -v v="$2" -v t="$3" 'BEGIN { printf "  target: %s <= %s: %s\n", n, t, (v <= t ? "met" : "NOT met") }'; }
