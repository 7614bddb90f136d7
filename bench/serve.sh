#!/usr/bin/env bash
# Load benchmark of "aim repo serve" on loopback only: builds and publishes
# a repository of N (5,000) user packages, serves it with repo/server's
# handler on 127.0.0.1, and sends R (20,000) feed and static requests from
# C (8) concurrent clients, bounded to one minute, with one upload
# half-way. Prints p50/p90/p99/max latency and the upload's time; fails
# when any request fails or an app list is neither the one before nor the
# one after the upload.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH LC_ALL=C
export AIM_SERVE_LOAD=1 AIM_SERVE_PACKAGES=${N:-5000} AIM_SERVE_CLIENTS=${C:-8} AIM_SERVE_REQUESTS=${R:-20000}
timeout 600 go test -count=1 -run '^TestServeLoad$' -v ./repo/server | grep -E 'RESULT|repository of|^(ok|FAIL|---)'
