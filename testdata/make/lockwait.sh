#!/usr/bin/env bash
# Checks that the Makefile's apt_install waits for another apt or dpkg
# holding dpkg's frontend lock instead of failing at once: a second
# process holds the lock for HOLD seconds while `make apt-install`
# installs a package that is already there (apt still takes the lock).
# Needs root and apt; skips otherwise. Run by `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
hold=${HOLD:-8}
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || ! command -v python3 >/dev/null; then
	echo "lockwait: skipped (needs root, apt-get and python3)"
	exit 0
fi
ready=$(mktemp)
trap 'rm -f "$ready"; kill "$holder" 2>/dev/null || true' EXIT
python3 - "$hold" "$ready" <<'PY' &
import fcntl, sys, time
f = open("/var/lib/dpkg/lock-frontend", "w")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write("held\n")
time.sleep(float(sys.argv[1]))
PY
holder=$!
for _ in $(seq 100); do [ -s "$ready" ] && break; sleep 0.1; done
[ -s "$ready" ] || { echo "lockwait: FAIL: could not take the lock to hold it"; exit 1; }
start=$(date +%s)
if ! out=$(make -s apt-install PKGS=dpkg 2>&1); then
	echo "lockwait: FAIL: apt_install failed while another process held the lock:"
	echo "$out"
	exit 1
fi
took=$(( $(date +%s) - start ))
if ! kill -0 "$holder" 2>/dev/null; then
	echo "lockwait: ok: apt_install waited for the lock held ${hold}s and succeeded after ${took}s"
else
	echo "lockwait: FAIL: apt_install finished after ${took}s while the lock was still held"
	exit 1
fi
