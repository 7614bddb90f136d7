#!/usr/bin/env bash
# Times `aim install -s libreoffice` as a whole process against libsolv
# loading the same indexes and solving the same request (python3-solv), in
# one run, alternating, with the native amd64 index alone and with i386
# added as a foreign architecture (aim.conf foreign-architectures = i386;
# libsolv loads the i386 index beside the amd64 one). Prints the median
# process time (user + sys) of each and aim's share of libsolv's; the
# issue's target is at most 0.2.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
RUNS=${RUNS:-5}
CGO_ENABLED=0 go build -o bin/aim ./cmd/aim # as the Makefile builds it
aim=$PWD/bin/aim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
amd64=$(../shared/bin/debian-index)
i386=$(bench/debian-index-arch.sh i386)
mirror=$work/mirror
line=$(../shared/bin/debian-mirror "$mirror")
# The i386 index matches the mirror's InRelease (debian-index-arch.sh checks the hash).
mkdir -p "$mirror/dists/bookworm/main/binary-i386"
cp "$i386" "$mirror/dists/bookworm/main/binary-i386/Packages"

# root ARCHS...: an aim root on the mirror, updated, with the foreign architectures given.
root() {
  local R=$work/root-$1; mkdir -p "$R/etc/aim/keyrings"
  local kr; kr=$(echo "$line" | sed -n 's/.*signed-by=\([^] ]*\).*/\1/p')
  cp "$kr" "$R/etc/aim/keyrings/"
  echo "$line" | sed -e "s|signed-by=[^] ]*|signed-by=/etc/aim/keyrings/$(basename "$kr")|" -e 's|arch=amd64 ||' > "$R/etc/aim/sources.list"
  printf 'architecture = amd64\nforeign-architectures = %s\n' "${2:-}" > "$R/etc/aim/aim.conf"
  "$aim" --root "$R" update >/dev/null
  echo "$R"
}
cat > "$work/libsolv_plan.py" <<'PY'
import sys, solv
pool = solv.Pool()
pool.setdisttype(solv.Pool.DISTTYPE_DEB)
pool.setarch("amd64")
repo = pool.add_repo("available")
for path in sys.argv[2:]:
    f = solv.xfopen(path)
    repo.add_debpackages(f)
    f.close()
pool.installed = pool.add_repo("installed")
pool.addfileprovides()
pool.createwhatprovides()
jobs = pool.select(sys.argv[1], solv.Selection.SELECTION_NAME).jobs(solv.Job.SOLVER_INSTALL)
solver = pool.Solver()
problems = solver.solve(jobs)
print("problems" if problems else "new %d" % len(solver.transaction().newsolvables()))
PY
# cpu CMD...: user + sys seconds of one run.
cpu() { /usr/bin/time -f '%U %S' -o "$work/t" "$@" >/dev/null 2>&1 || true; awk '{ print $1 + $2 }' "$work/t"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "# multiarch plan speed, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $RUNS runs each"
for variant in amd64 amd64+i386; do
  if [ "$variant" = amd64 ]; then R=$(root amd64); files=("$amd64"); else R=$(root i386 i386); files=("$amd64" "$i386"); fi
  n_aim=$("$aim" --root "$R" --json install -s libreoffice | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["install"]))')
  n_solv=$(/usr/bin/python3 "$work/libsolv_plan.py" libreoffice "${files[@]}")
  : > "$work/a"; : > "$work/s"
  for _ in $(seq "$RUNS"); do
    cpu "$aim" --root "$R" install -s libreoffice >> "$work/a"
    cpu /usr/bin/python3 "$work/libsolv_plan.py" libreoffice "${files[@]}" >> "$work/s"
  done
  a=$(median < "$work/a"); s=$(median < "$work/s")
  echo "$variant: aim install -s libreoffice ${a} s process time ($n_aim new), libsolv load + solve ${s} s ($n_solv); aim/libsolv $(awk -v a="$a" -v s="$s" 'BEGIN { printf "%.3f", a / s }')"
done
