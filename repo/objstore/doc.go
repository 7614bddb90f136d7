// Package objstore publishes a maintainer's repository tree to
// S3-compatible object storage, so that a fleet reads it from a bucket
// instead of one web server.
//
// Sync uploads what repo/publish wrote locally (following each dists/D
// link to its current generation) in the safe order: pool files, key,
// .install files and every by-hash copy first, then the indexes at their
// plain paths, then Release and Release.gpg, and InRelease last. A reader
// that fetches as apt does (InRelease, then indexes by hash) therefore sees
// the previous release or the new one, complete, even when an upload is
// killed; the next Sync finishes it. Only objects whose size or SHA256
// (kept in each object's metadata, since S3 ETags are not content hashes
// for multipart uploads) differ are uploaded. Objects the local tree no
// longer holds are deleted only after the new InRelease is up and once
// they have aged out: stale for at least MinAge (an hour by default) and,
// but for by-hash copies (which the publisher keeps for its last
// generations already), for Keep further releases.
//
// Store is the bucket Sync writes; S3 (net/http with the AWS SDK's
// request signer) is the one for real buckets. The package imports
// neither the client packages nor repo/publish; it must not print.
package objstore
