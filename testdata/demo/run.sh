#!/usr/bin/env bash
# The demo: what aim does today, on the bundled demo package.
# It builds the package, looks inside it, publishes it in a signed
# repository, then, as a user would, trusts the key, adds the source,
# updates and finds the app.
# Usage: testdata/demo/run.sh path/to/aim
set -euo pipefail
aim=$(realpath "${1:-bin/aim}")
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/demo-out
rm -rf "$out" && mkdir -p "$out/pool" "$out/root"
unset AIM_PASSPHRASE

step() { local shown="$*"; shown=${shown//$aim/aim}; printf '\n\033[1m$ %s\033[0m\n' "${shown//$out/demo-out}"; "$@"; }

echo "== a maintainer builds the demo package"
step env SOURCE_DATE_EPOCH=1700000000 "$aim" deb build -q "$top/testdata/demo/hello" "$out/pool/"
deb=$(ls "$out"/pool/*.deb)
step "$aim" deb info "$deb" Package Version Section Maemo-Display-Name
step "$aim" deb contents "$deb"

echo; echo "== and publishes it in a signed repository"
repo=$out/repo
step "$aim" key generate --name "aim demo repository" --email demo@aim.invalid --out "$out/demo-key"
step "$aim" repo init "$repo" --dist stable --component main --arch amd64 --origin "aim demo"
step "$aim" repo add "$repo" "$deb"
step "$aim" repo publish "$repo" --key "$out/demo-key.secret.asc"
step "$aim" repo check "$repo"

echo; echo "== a user trusts the key, adds the source and finds the app (root: demo-out/root)"
R=(--root "$out/root")
step "$aim" "${R[@]}" key add "$repo/key.asc"
step "$aim" "${R[@]}" source add --name demo "deb file://$repo stable main"
step "$aim" "${R[@]}" update
step "$aim" "${R[@]}" list --user
step "$aim" "${R[@]}" search greets
step "$aim" "${R[@]}" policy hello
step "$aim" "${R[@]}" show hello
step "$aim" "${R[@]}" install -s hello
step "$aim" "${R[@]}" -y install --scripts-chrootless hello
step "$aim" "${R[@]}" files hello
step "$aim" "${R[@]}" verify
step "$aim" "${R[@]}" -y remove --scripts-chrootless hello

echo; echo "== Debian version order, as dpkg has it"
step "$aim" version compare 1.0~rc1 lt 1.0 && echo "(true: 1.0~rc1 sorts before 1.0)"
printf '1.0\n1.0~rc1\n1:0.1\n1.0-1\n1.0+b1\n' > "$out/versions"
echo; printf '\033[1m$ aim version sort < versions\033[0m\n'
"$aim" version sort < "$out/versions"
