#!/usr/bin/env bash
# crash.sh: kill -9 a multi-package aim transaction at random points,
# recover, and check that verify finds nothing and the database matches
# the files. TRIALS (default 100) sets how many kills.
set -euo pipefail
cd "$(dirname "$0")/.."
AIM_CRASH_TRIALS=${TRIALS:-100} go test -count=1 -run '^TestCrashRecovery$' -v ./install/ | tail -3
