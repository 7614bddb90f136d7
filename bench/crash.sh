#!/usr/bin/env bash
# crash.sh: kill -9 a multi-package aim transaction at random points,
# recover, and check that verify finds nothing and the database matches
# the files. TRIALS (default 100) sets how many kills. DOUBLE=1 kills the
# recovery too (0-250 ms in, in a process of its own) before recovering
# for good: a double crash.
set -euo pipefail
cd "$(dirname "$0")/.."
AIM_CRASH_TRIALS=${TRIALS:-100} AIM_CRASH_DOUBLE=${DOUBLE:-} go test -count=1 -run '^TestCrashRecovery$' -v ./install/ | grep -E "crash_test|PASS|FAIL|ok "
