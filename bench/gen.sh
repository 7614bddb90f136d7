# gen.sh: sourced by bench scripts that need many small packages.
#
# gen_debs N builds N small packages with aim deb build ($aim) from
# generated trees under $work/trees into $work/debs, on every core: half
# Architecture: all, half amd64, each with a README of its own; and one
# more, bench-extra, as $work/extra.deb.
gen_debs() {
  mkdir -p "$work/debs" "$work/trees"
  gen() {
    local i=$1 arch=all; [ $((i % 2)) = 0 ] && arch=amd64
    local t=$work/trees/p$i; mkdir -p "$t/DEBIAN" "$t/usr/share/doc/bench-pkg$i"
    printf 'Package: bench-pkg%s\nVersion: 1.%s-1\nArchitecture: %s\nSection: utils\nPriority: optional\nMaintainer: Bench <bench@example.org>\nDepends: libc6 (>= 2.36)\nDescription: benchmark package %s\n generated for aim'"'"'s benchmarks.\n' "$i" "$i" "$arch" "$i" > "$t/DEBIAN/control"
    seq "$i" $((i + 200)) > "$t/usr/share/doc/bench-pkg$i/README"
    "$aim" deb build -q -Z zstd "$t" "$work/debs/" >/dev/null
  }
  export -f gen; export work aim
  seq "$1" | xargs -P "$(nproc)" -I{} bash -c 'gen {}'
  one=$work/trees/extra; mkdir -p "$one/DEBIAN"
  printf 'Package: bench-extra\nVersion: 1\nArchitecture: all\nSection: utils\nPriority: optional\nMaintainer: Bench <bench@example.org>\nDescription: one more\n' > "$one/DEBIAN/control"
  "$aim" deb build -q "$one" "$work/extra.deb" >/dev/null
}
