#!/usr/bin/env bash
# The desktop path of the demo: serves demo-out/repo (make demo makes it)
# and opens its hello.install the way the desktop entry does, without a
# terminal, so that aim asks in windows (zenity or kdialog): the unknown
# key with its fingerprint, the install, the progress, the result and a
# notification. It installs below demo-out/desktop-root, a root of the
# user's own. Needs a display (DISPLAY or WAYLAND_DISPLAY).
# Usage: testdata/demo/desktop.sh path/to/aim
set -euo pipefail
aim=$(realpath "${1:-bin/aim}")
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/demo-out
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || { echo "no display (DISPLAY or WAYLAND_DISPLAY): run this in a desktop session"; exit 1; }
command -v zenity >/dev/null || command -v kdialog >/dev/null || { echo "needs zenity or kdialog (Debian packages of those names)"; exit 1; }
[ -f "$out/repo/dists/stable/InRelease" ] || { echo "run make demo first: it builds demo-out/repo"; exit 1; }

"$aim" repo serve "$out/repo" --listen 127.0.0.1:0 2> "$out/desktop-serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q 'serving' "$out/desktop-serve.log" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's|.* at \(http://[^ ]*\)/$|\1|p' "$out/desktop-serve.log" | head -n1)
[ -n "$url" ] || { cat "$out/desktop-serve.log"; exit 1; }

rm -rf "$out/desktop-root" && mkdir -p "$out/desktop-root"
echo "aim open $url/install/hello.install, without a terminal: answer in the windows"
"$aim" --root "$out/desktop-root" open --scripts-chrootless "$url/install/hello.install" </dev/null >"$out/desktop.log" 2>&1 &&
  echo "installed: $("$aim" --root "$out/desktop-root" list --user)" ||
  echo "not installed (log: demo-out/desktop.log)"
