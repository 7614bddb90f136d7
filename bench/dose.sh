#!/usr/bin/env bash
# Checks the resolver's installability against Debian QA's dose-debcheck on
# the real index, for every installable package with an architecture-
# qualified relation (about 10,000; `make test` plans a sample of 700):
# every package dose calls broken must be refused with an explanation, and
# every other one must get a plan the tests' own checker accepts. Then the
# same with i386 added as a foreign architecture (the i386 index fetched
# by bench/debian-index-arch.sh with apt in a sandbox). Prints the tests'
# summary lines and any disagreement.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
command -v dose-debcheck >/dev/null || { echo "dose-debcheck missing: apt-get install dose-distcheck" >&2; exit 1; }
index=$(../shared/bin/debian-index)
echo "# dose-debcheck agreement, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
t0=$(date +%s)
i386=$(bench/debian-index-arch.sh i386)
AIM_DEBIAN_INDEX=$index AIM_DEBIAN_INDEX_I386=$i386 AIM_DOSE_I386=1 AIM_DOSE_ALL=1 \
  go test ./resolver/ -run '^TestDoseAgreement' -count=1 -v -timeout 5h 2>&1 |
  grep -E 'dose-debcheck|install |broken|^(--- |ok|FAIL)' || true
echo "took $(( $(date +%s) - t0 )) s"
