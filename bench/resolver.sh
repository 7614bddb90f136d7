#!/usr/bin/env bash
# Times the resolver as a whole command beside apt and libsolv, on this
# machine, in one run: `aim install -s` on a root updated from a local
# copy of the real Debian release, `apt-get -s install` with an empty
# status file, and libsolv-solve on the same index. Prints medians, the
# maximum RSS and plan sizes for libreoffice and ~30 sampled packages.
. "$(dirname "$0")/lib.sh"
index=$(../shared/bin/debian-index)
mirror_setup || { echo "resolver: the local Debian mirror could not be built" >&2; exit 1; }
"$aim" --root "$R" update >/dev/null
apt_update_script && bash "$work/apt-update.sh" >/dev/null 2>&1

# The sample: libreoffice and 30 names spread evenly over the index.
names=$(grep '^Package: ' "$index" | cut -d' ' -f2 | sort -u)
total=$(echo "$names" | wc -l)
sample="libreoffice $(echo "$names" | awk -v n="$total" 'NR % int(n / 30) == 1' | head -30 | tr '\n' ' ')"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2); else print "n/a" }'; }
# timed CMD...: wall ms of the fastest of 3 runs, then the max RSS in KiB.
timed() {
  local best= rss=0
  for _ in 1 2 3; do
    local t0; t0=$(now_ms)
    /usr/bin/time -f %M -o "$work/rss" "$@" >"$work/out" 2>/dev/null || true
    local t=$(( $(now_ms) - t0 )); local r; r=$(tail -1 "$work/rss")
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    if [ "$r" -gt "$rss" ] 2>/dev/null; then rss=$r; fi
  done
  echo "$best $rss"
}
aim_count() { "$aim" --root "$R" --json install -s "$1" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["install"]))' 2>/dev/null || echo fail; }
apt_count() { apt-get "${O[@]}" -s install "$1" 2>/dev/null | grep -c '^Inst ' || true; }

echo "# resolver, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
solv=$(/usr/bin/python3 ../shared/bin/libsolv-solve "$index" $sample 2>/dev/null || true)
: > "$work/aim.ms"; : > "$work/apt.ms"; : > "$work/solv.ms"; : > "$work/sizes"
aim_rss=0; apt_rss=0
for n in $sample; do
  read -r a_ms a_rss < <(timed "$aim" --root "$R" install -s "$n")
  read -r p_ms p_rss < <(timed apt-get "${O[@]}" -s install "$n")
  s_ms=$(echo "$solv" | awk -v n="$n" '$1 == n { print $(NF-1) }')
  s_new=$(echo "$solv" | awk -v n="$n" '$1 == n && $2 == "new" { print $3 }')
  echo "$a_ms" >> "$work/aim.ms"; echo "$p_ms" >> "$work/apt.ms"; [ -n "$s_ms" ] && echo "$s_ms" >> "$work/solv.ms"
  aim_rss=$(( a_rss > aim_rss ? a_rss : aim_rss )); apt_rss=$(( p_rss > apt_rss ? p_rss : apt_rss ))
  echo "$n $(aim_count "$n") $(apt_count "$n") ${s_new:-fail}" >> "$work/sizes"
  if [ "$n" = libreoffice ]; then
    echo "libreoffice: aim install -s ${a_ms} ms (max RSS ${a_rss} KiB), apt-get -s install ${p_ms} ms (max RSS ${p_rss} KiB), libsolv solve ${s_ms:-n/a} ms"
  fi
done
echo "sample of $(echo $sample | wc -w): median whole command aim $(median < "$work/aim.ms") ms, apt $(median < "$work/apt.ms") ms; median libsolv solve $(median < "$work/solv.ms") ms; max RSS aim ${aim_rss} KiB, apt ${apt_rss} KiB"
awk '{ if ($2 != "fail") { a += $2; p += $3; if ($4 != "fail") s += $4; n++ } } END {
  printf "plan sizes (new packages, Recommends on): aim %d, apt %d (aim/apt %.3f), libsolv %d (aim/libsolv %.3f) over %d requests\n", a, p, (p ? a / p : 0), s, (s ? a / s : 0), n }' "$work/sizes"
ns=$(AIM_DEBIAN_INDEX=$index go test ./resolver/ -run '^$' -bench '^BenchmarkInstallLibreoffice$' -benchtime 20x -benchmem | awk '/^BenchmarkInstallLibreoffice/ { print $3, $9 }')
echo "solve only (BenchmarkInstallLibreoffice): $(echo "$ns" | awk '{ printf "%.1f ms, %d allocs", $1 / 1e6, $2 }')"
