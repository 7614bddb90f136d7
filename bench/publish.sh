#!/usr/bin/env bash
# Publishing a repository of N (2,000) small packages, same machine, same
# run: aim repo add + publish beside aptly repo add + publish repo,
# reprepro includedeb + export, and apt-ftparchive packages/release + gpg
# signing; then the same after adding one package. Every tool writes
# Packages, .gz and .xz where it can and signs InRelease and Release.gpg
# with the same Ed25519 test key. Prints wall time, CPU time (user +
# system) and max RSS per step.
# Needs aptly, reprepro, apt-utils, gnupg, xz-utils and /usr/bin/time.
#
# Every step starts alike (SETTLE, default 1; see bench/settle.sh):
# nothing freed on the filesystem in the last minute (each run deletes
# its work tree, about 10,000 files, as it ends) and no dirty data left
# by the step before (the generated packages, the last tool's output),
# which aim's syncfs would otherwise write in its own time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH LC_ALL=C
N=${N:-2000}
CGO_ENABLED=0 go build -o bin/aim ./cmd/aim # as the Makefile builds it
aim=$PWD/bin/aim
key=$PWD/testdata/keys/ed25519.secret.asc
work=$(mktemp -d)
. bench/settle.sh
settle_setup publish "$work"
for t in aptly reprepro apt-ftparchive gpg xz; do
  command -v $t >/dev/null || { echo "publish: $t not installed (see the Makefile's DEBS)"; exit 1; }
done

# timed NAME CMD... runs CMD, recording NAME's wall seconds, CPU seconds
# (user + system) and max RSS (KB).
declare -A secs cpu rss
timed() {
  local name=$1 u s; shift
  settle
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >"$work/out.$name" 2>&1 || { echo "$name failed:"; tail -20 "$work/out.$name"; exit 1; }
  read -r secs[$name] rss[$name] u s < "$work/time"
  cpu[$name]=$(sum "$u" "$s")
}
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
maxkb() { echo $(( ($1 > $2 ? $1 : $2) / 1024 )); }

# 1. N small packages built by aim from generated trees (half all, half amd64).
. bench/gen.sh
t0=$(date +%s%3N)
gen_debs "$N"
gen_ms=$(( $(date +%s%3N) - t0 ))
echo "# publish, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, SETTLE=$SETTLE, $N packages ($(du -sm "$work/debs" | cut -f1) MB) built by aim deb build in ${gen_ms} ms"

# The same key for gpg-based tools.
export GNUPGHOME=$work/gnupg; mkdir -m 700 "$GNUPGHOME"
gpg --batch -q --import "$key" 2>/dev/null
fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ { print $10; exit }')

# 2. aim
A=$work/aim
"$aim" repo init "$A" --dist stable --arch amd64 -q
timed aim_add "$aim" repo add -q "$A" "$work"/debs/*.deb
timed aim_pub "$aim" repo publish -q "$A" --key "$key"
timed aim_add1 "$aim" repo add -q "$A" "$work/extra.deb"
timed aim_pub1 "$aim" repo publish -q "$A" --key "$key"
timed aim_pub0 "$aim" repo publish -q "$A" --key "$key"
# The same with --link: package files hard-linked into the pool, as
# aptly's pool import does (see aim help repo add for the catch).
L=$work/aim-link
"$aim" repo init "$L" --dist stable --arch amd64 -q
timed aiml_add "$aim" repo add -q --link "$L" "$work"/debs/*.deb
timed aiml_pub "$aim" repo publish -q "$L" --key "$key"
timed aiml_add1 "$aim" repo add -q --link "$L" "$work/extra.deb"
timed aiml_pub1 "$aim" repo publish -q "$L" --key "$key"

# 3. aptly
P=$work/aptly
printf '{"rootDir": "%s", "architectures": ["amd64"], "gpgProvider": "gpg", "skipContentsPublishing": true}\n' "$P" > "$work/aptly.conf"
ap=(aptly -config="$work/aptly.conf")
"${ap[@]}" repo create -distribution=stable -component=main bench >/dev/null
timed aptly_add "${ap[@]}" repo add bench "$work/debs"
timed aptly_pub "${ap[@]}" publish repo -batch -gpg-key="$fpr" -architectures=amd64 bench
timed aptly_add1 "${ap[@]}" repo add bench "$work/extra.deb"
timed aptly_pub1 "${ap[@]}" publish update -batch -gpg-key="$fpr" stable

# 4. reprepro
R=$work/reprepro; mkdir -p "$R/conf"
printf 'Codename: stable\nSuite: stable\nArchitectures: amd64\nComponents: main\nDebIndices: Packages Release . .gz .xz\nSignWith: %s\n' "$fpr" > "$R/conf/distributions"
timed rr_add reprepro -b "$R" --export=never includedeb stable "$work"/debs/*.deb
timed rr_pub reprepro -b "$R" export stable
timed rr_add1 reprepro -b "$R" --export=never includedeb stable "$work/extra.deb"
timed rr_pub1 reprepro -b "$R" export stable

# 5. apt-ftparchive (with its cache database, its incremental mode) + gpg
F=$work/ftp; mkdir -p "$F/pool" "$F/dists/stable/main/binary-amd64"
cat > "$work/ftp.sh" <<'EOF'
set -e
cd "$1"
apt-ftparchive --db ../ftp.db packages pool > dists/stable/main/binary-amd64/Packages
gzip -9kf dists/stable/main/binary-amd64/Packages
xz -kf dists/stable/main/binary-amd64/Packages
apt-ftparchive -o APT::FTPArchive::Release::Suite=stable -o APT::FTPArchive::Release::Codename=stable \
  -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main \
  release dists/stable > ../Release && mv ../Release dists/stable/Release
gpg --batch --yes -q --clearsign -o dists/stable/InRelease dists/stable/Release
gpg --batch --yes -q -abs -o dists/stable/Release.gpg dists/stable/Release
EOF
timed ftp_add cp "$work"/debs/*.deb "$F/pool/"
timed ftp_pub bash "$work/ftp.sh" "$F"
timed ftp_add1 cp "$work/extra.deb" "$F/pool/"
timed ftp_pub1 bash "$work/ftp.sh" "$F"

# Report: full = add + publish; incremental = add one + publish.
aim_full=$(sum "${secs[aim_add]}" "${secs[aim_pub]}"); aim_inc=$(sum "${secs[aim_add1]}" "${secs[aim_pub1]}")
aim_fcpu=$(sum "${cpu[aim_add]}" "${cpu[aim_pub]}")
line() { # NAME add pub add1 pub1 rss...
  local full inc fcpu; full=$(sum "${secs[$2]}" "${secs[$3]}"); inc=$(sum "${secs[$4]}" "${secs[$5]}"); fcpu=$(sum "${cpu[$2]}" "${cpu[$3]}")
  printf '%-15s full %6ss (add %5ss + publish %5ss, CPU %5ss, max RSS %4d MB)  +1 package %5ss (max RSS %4d MB)  %s/aim: full %s (CPU %s), +1 %s\n' \
    "$1" "$full" "${secs[$2]}" "${secs[$3]}" "$fcpu" "$(maxkb "${rss[$2]}" "${rss[$3]}")" "$inc" "$(maxkb "${rss[$4]}" "${rss[$5]}")" \
    "$1" "$(ratio "$full" "$aim_full")" "$(ratio "$fcpu" "$aim_fcpu")" "$(ratio "$inc" "$aim_inc")"
}
line aim aim_add aim_pub aim_add1 aim_pub1
line "aim --link" aiml_add aiml_pub aiml_add1 aiml_pub1
line aptly aptly_add aptly_pub aptly_add1 aptly_pub1
line reprepro rr_add rr_pub rr_add1 rr_pub1
line apt-ftparchive ftp_add ftp_pub ftp_add1 ftp_pub1
echo "aim: re-publish after adding one package ${secs[aim_pub1]}s = $(ratio "${secs[aim_pub1]}" "${secs[aim_pub]}") of a full publish," \
     "add + publish of one $(ratio "$aim_inc" "$aim_full") of the full add + publish; re-publish with no change ${secs[aim_pub0]}s"
# The target: aim's full add + publish against the fastest peer's.
best=$(printf '%s\n' "$(sum "${secs[aptly_add]}" "${secs[aptly_pub]}")" "$(sum "${secs[rr_add]}" "${secs[rr_pub]}")" \
  "$(sum "${secs[ftp_add]}" "${secs[ftp_pub]}")" | sort -n | head -1)
aiml_full=$(sum "${secs[aiml_add]}" "${secs[aiml_pub]}")
echo "aim/fastest peer ($best s): full $(ratio "$aim_full" "$best"), with --link $(ratio "$aiml_full" "$best")"
