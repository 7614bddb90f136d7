#!/usr/bin/env bash
# crash.sh: interrupt aim transactions at random points, recover, and
# check that the root is consistent. TRIALS (default 100) sets how many
# interruptions each part makes.
#
# 1. Packages built in the test: kill -9 a multi-package transaction,
#    recover, check that verify finds nothing and the database matches
#    the files. DOUBLE=1 kills the recovery too (0-250 ms in, in a process
#    of its own) before recovering for good: a double crash.
# 2. Real Debian packages (REAL=0 skips this part; needs root, apt and
#    debootstrap, or the cache install/debiantest keeps): install and
#    purge 18 real bookworm packages in a copy of a minbase root, killed
#    with kill -9 (aim and its scripts) or SIGINT (aim alone, as Ctrl-C),
#    during a maintainer script (postinst, prerm, postrm) or at a random
#    time. After each, the next command (aim configure --pending) must
#    succeed, aim verify be clean, nothing stay pending, the installed
#    packages have all their files and the removed ones none, no staging
#    file or new dangling link be left, and the programs run (chroot ROOT
#    PROG --version); the same after finishing the transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
AIM_CRASH_TRIALS=${TRIALS:-100} AIM_CRASH_DOUBLE=${DOUBLE:-} go test -count=1 -run '^TestCrashRecovery$' -v ./install/ | grep -E "crash_test|PASS|FAIL|ok "
if [ "${REAL:-1}" = 1 ]; then
	AIM_REAL_CRASH_TRIALS=${TRIALS:-100} go test -count=1 -timeout 6h -run '^TestRealCrash$' -v ./cmd/aim/ |
		grep -vE "^=== RUN|debiantest: minbase root extracted"
fi
