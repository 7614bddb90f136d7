# settle.sh: sourced by the bench scripts that create and delete many
# files (real.sh, publish.sh), so that every timed step starts alike.
#
# On ext4, creating a file skips every inode freed in the last minute
# and reads its inode-table block to learn so (recently_deleted under
# ext4_new_inode). Each run deletes its work tree as it ends: a run
# started within the minute after paid for that in every file it made,
# CPU-bound work (aim's staging) more than fsync-bound work (dpkg). So
# the run that deletes its tree syncs and notes the time in $TMPDIR, and
# the next waits until 61 s have passed before timing; and a sync keeps
# one step's unwritten files out of the next step's time. SETTLE=0
# (default 1) brings back the old harness: no waits, no syncs.

SETTLE=${SETTLE:-1}

# settle_setup NAME WORK removes WORK when the script exits, noting the
# time of that deletion for the next run of any script that settles:
# the inodes one script frees would slow the file creation of another
# alike (real.sh frees a minbase root's 100,000 at every run).
settle_setup() {
	settle_stamp=${TMPDIR:-/tmp}/aim-bench.freed
	settle_name=$1
	settle_work=$2
	trap settle_cleanup EXIT
}

settle_cleanup() {
	rm -rf "$settle_work"
	if [ "$SETTLE" = 1 ]; then sync; date +%s >"$settle_stamp"; fi
}

# settle syncs, and waits until a minute has passed since the last run
# of a script that settles deleted its work tree.
settle() {
	[ "$SETTLE" = 1 ] || return 0
	sync
	local wait=$(($(cat "$settle_stamp" 2>/dev/null || echo 0) + 61 - $(date +%s)))
	if [ "$wait" -gt 0 ]; then
		echo "$settle_name: waiting ${wait}s for the last run's deleted inodes to age" >&2
		sleep "$wait"
	fi
}
