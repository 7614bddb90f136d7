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

echo; echo "== the repository is served on localhost, with its app feed and Downloads page"
"$aim" repo serve "$repo" --listen 127.0.0.1:0 2> "$out/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q 'serving' "$out/serve.log" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's|.* at \(http://[^ ]*\)/$|\1|p' "$out/serve.log" | head -n1)
[ -n "$url" ] || { cat "$out/serve.log"; exit 1; }
echo "serving at $url (log: demo-out/serve.log)"
printf '\n\033[1m$ curl %s/api/v1/apps\033[0m\n' "$url"
if command -v curl >/dev/null; then curl -s "$url/api/v1/apps"; echo; fi

echo; echo "== a user clicks hello.install on the Downloads page (root: demo-out/root)"
R=(--root "$out/root")
fpr=$("$aim" key show "$repo/key.asc" | awk '/^fingerprint:/ {print $2; exit}')
step "$aim" "${R[@]}" open -s "$url/install/hello.install" || echo "(refused: the key is not trusted yet; the user checks its fingerprint on the page)"
step "$aim" "${R[@]}" -y open --scripts-chrootless --trust-key "$fpr" "$url/install/hello.install"
step "$aim" "${R[@]}" list --user
step "$aim" "${R[@]}" files hello
step "$aim" "${R[@]}" verify
step "$aim" "${R[@]}" search greets
step "$aim" "${R[@]}" -y remove --scripts-chrootless hello
step "$aim" "${R[@]}" source list

echo; echo "== Debian version order, as dpkg has it"
step "$aim" version compare 1.0~rc1 lt 1.0 && echo "(true: 1.0~rc1 sorts before 1.0)"
printf '1.0\n1.0~rc1\n1:0.1\n1.0-1\n1.0+b1\n' > "$out/versions"
echo; printf '\033[1m$ aim version sort < versions\033[0m\n'
"$aim" version sort < "$out/versions"

echo; echo "== the desktop path: a click on hello.install, answered in windows"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && { command -v zenity || command -v kdialog; } >/dev/null; then
  (cd "$top" && step bash testdata/demo/desktop.sh "$aim")
else
  echo "No display here. In a desktop session, this shows aim open's windows (key, confirmation, progress, result, notification):"
  echo "  bash testdata/demo/desktop.sh bin/aim"
  echo "As root without a display, the same windows under Xvfb, answered by the test, screenshots in demo-out/screenshots:"
  echo "  AIM_SCREENSHOTS=demo-out/screenshots go test -count=1 -run 'TestDesktop' ./cmd/aim"
fi
