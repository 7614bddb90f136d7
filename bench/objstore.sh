#!/usr/bin/env bash
# Object storage and mirrors, aim beside aptly, same machine, same run,
# against the same local S3 server (versitygw v1.8.0, posix backend; built
# once with go install into the user cache directory, as the tests do):
#  1. N (2,000) generated packages published to a bucket, then one package
#     added and published again: wall time and PUT requests (from the
#     server's access log) of aim repo publish --to beside aptly's
#     publish update to an S3 endpoint.
#  2. A mirror update of the same N packages from a signed upstream served
#     over HTTP: aim repo mirror update beside aptly mirror update.
# Needs aptly, gnupg, curl, python3 and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH LC_ALL=C
N=${N:-2000}
CGO_ENABLED=0 go build -o bin/aim ./cmd/aim # as the Makefile builds it
aim=$PWD/bin/aim
key=$PWD/testdata/keys/ed25519.secret.asc
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
for t in aptly gpg curl python3; do
  command -v $t >/dev/null || { echo "objstore: $t not installed (see the Makefile's BENCH_DEBS)"; exit 1; }
done

# The S3 server.
vgw=${AIM_VERSITYGW:-${XDG_CACHE_HOME:-$HOME/.cache}/aim-test/versitygw-v1.8.0/versitygw}
if [ ! -x "$vgw" ]; then
  echo "building versitygw v1.8.0 into $(dirname "$vgw") (once)"
  GOBIN=$(dirname "$vgw") go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export AWS_ACCESS_KEY_ID=benchaccess AWS_SECRET_ACCESS_KEY=benchsecret0123456789 AWS_ENDPOINT_URL=http://127.0.0.1:$port
mkdir -p "$work/s3"
"$vgw" --quiet --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --port 127.0.0.1:$port \
  --access-log "$work/access.log" posix "$work/s3" >"$work/vgw.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "$AWS_ENDPOINT_URL" && break; sleep 0.1; done
# An empty body's SHA256, which SigV4 wants in x-amz-content-sha256.
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
s3() { curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $empty" "$@"; }
s3 -X PUT "$AWS_ENDPOINT_URL/bench" >/dev/null
# PUT requests: objects written whole, copied or sent in parts.
puts() { grep -cE ' s3_(PutObject|CopyObject|UploadPart|UploadPartCopy) ' "$work/access.log" 2>/dev/null || true; }

# timed NAME CMD... runs CMD, recording NAME's wall seconds and the PUTs it
# sent.
declare -A secs nput
timed() {
  local name=$1; shift
  local before; before=$(puts)
  /usr/bin/time -f '%e' -o "$work/time" "$@" >"$work/out.$name" 2>&1 || { echo "$name failed:"; tail -20 "$work/out.$name"; exit 1; }
  read -r secs[$name] < "$work/time"
  sleep 0.2
  nput[$name]=$(( $(puts) - before ))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

# N packages, built as bench/publish.sh builds them.
. bench/gen.sh
gen_debs "$N"
echo "# objstore, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $N packages, versitygw on localhost"

export GNUPGHOME=$work/gnupg; mkdir -m 700 "$GNUPGHOME"
gpg --batch -q --import "$key" 2>/dev/null
fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ { print $10; exit }')

# 1a. aim: publish to the bucket, then one package more.
A=$work/aim
"$aim" repo init "$A" --dist stable --arch amd64 -q
"$aim" repo add -q "$A" "$work"/debs/*.deb 2>/dev/null
timed aim_pub "$aim" repo publish "$A" --key "$key" --to s3://bench/aim --path-style
"$aim" repo add -q "$A" "$work/extra.deb"
timed aim_pub1 "$aim" repo publish "$A" --key "$key" --to s3://bench/aim --path-style

# 1b. aptly: the same to an S3 endpoint on the same server.
P=$work/aptly
cat > "$work/aptly.conf" <<CONF
{"rootDir": "$P", "architectures": ["amd64"], "gpgProvider": "gpg", "skipContentsPublishing": true,
 "S3PublishEndpoints": {"bench": {"region": "us-east-1", "bucket": "bench", "endpoint": "$AWS_ENDPOINT_URL",
   "awsAccessKeyID": "$AWS_ACCESS_KEY_ID", "awsSecretAccessKey": "$AWS_SECRET_ACCESS_KEY", "prefix": "aptly",
   "forceVirtualHostedStyle": false, "debug": false}}}
CONF
ap=(aptly -config="$work/aptly.conf")
"${ap[@]}" repo create -distribution=stable -component=main bench >/dev/null
"${ap[@]}" repo add bench "$work/debs" >/dev/null
timed aptly_pub "${ap[@]}" publish repo -batch -gpg-key="$fpr" -architectures=amd64 bench s3:bench:
"${ap[@]}" repo add bench "$work/extra.deb" >/dev/null
timed aptly_pub1 "${ap[@]}" publish update -batch -gpg-key="$fpr" stable s3:bench:

printf '%-34s %10s %8s %10s %8s %8s\n' "step" "aim s" "PUTs" "aptly s" "PUTs" "ratio"
printf '%-34s %10s %8s %10s %8s %8s\n' "publish $N packages to S3" "${secs[aim_pub]}" "${nput[aim_pub]}" "${secs[aptly_pub]}" "${nput[aptly_pub]}" "$(ratio "${secs[aim_pub]}" "${secs[aptly_pub]}")"
printf '%-34s %10s %8s %10s %8s %8s\n' "republish with one package added" "${secs[aim_pub1]}" "${nput[aim_pub1]}" "${secs[aptly_pub1]}" "${nput[aptly_pub1]}" "$(ratio "${secs[aim_pub1]}" "${secs[aptly_pub1]}")"

# 2. Mirror update of the N-package upstream (aim's repository, signed,
# served over HTTP by python3).
up=$work/upstream
"$aim" repo init "$up" --dist stable --arch amd64 -q
"$aim" repo add -q "$up" "$work"/debs/*.deb 2>/dev/null
"$aim" repo publish -q "$up" --key "$key"
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$up" && exec python3 -m http.server -b 127.0.0.1 "$hport" >/dev/null 2>&1) &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$hport/key.asc" && break; sleep 0.1; done
M=$work/mirror
"$aim" repo init "$M" --dist stable --arch amd64 -q
"$aim" repo mirror create -q "$M" up "http://127.0.0.1:$hport" stable main --keyring "$up/key.asc"
timed aim_mirror "$aim" repo mirror update "$M" up
gpg --batch -q --export "$fpr" > "$work/trustedkeys.gpg"
# A root of its own: aptly's pool already holds the packages of part 1
# and would not download them again.
printf '{"rootDir": "%s", "architectures": ["amd64"], "gpgProvider": "gpg"}\n' "$work/aptly-mirror" > "$work/aptly-mirror.conf"
am=(aptly -config="$work/aptly-mirror.conf")
"${am[@]}" mirror create -keyring="$work/trustedkeys.gpg" -architectures=amd64 up "http://127.0.0.1:$hport" stable main >/dev/null
timed aptly_mirror "${am[@]}" mirror update -keyring="$work/trustedkeys.gpg" up
printf '%-34s %10s %8s %10s %8s %8s\n' "mirror update, $N packages" "${secs[aim_mirror]}" "-" "${secs[aptly_mirror]}" "-" "$(ratio "${secs[aim_mirror]}" "${secs[aptly_mirror]}")"
