# settle.sh: sourced by the bench scripts that create and delete many
# files (real.sh, publish.sh), so that every timed step starts alike.
#
# On an ext4 file system without a journal (as on the machines the team
# measures on), creating a file skips every inode freed in the last
# minute, reading its inode-table block to learn so (recently_deleted
# under ext4_new_inode), and the last six minutes once that block is
# dirty again, which the creating tool itself makes it. A run started
# after a deletion of many files paid for them in every file it made:
# CPU-bound work (aim's staging, aim repo add's pool) more than
# fsync-bound work (dpkg). Runs in a series each deleted their work
# tree, so every run but the first paid (publish.sh: aim's add took
# 0.30 s in the first run of a series and 0.52-0.65 s in the next).
#
# So a script that settles deletes nothing while it runs: its work tree
# goes to a trash directory beside it when it ends (a rename, which
# frees no inode). settle (before each timed step) syncs, so that one
# step's unwritten files stay out of the next step's time, and empties
# the trash only once it holds more than SETTLE_TRASH_MB (default
# 16384), then waiting out the six minutes. settle_empty empties it
# (make bench does at its end). SETTLE=0 (default 1) brings back the old
# harness: work trees deleted, no waits, no syncs.

SETTLE=${SETTLE:-1}
SETTLE_TRASH_MB=${SETTLE_TRASH_MB:-16384}
settle_trash=${TMPDIR:-/tmp}/aim-bench-trash
settle_stamp=${TMPDIR:-/tmp}/aim-bench.freed
# settle_age is how long a deletion is waited out: ext4's window for an
# inode whose table block is dirty, and a second.
settle_age=361

# settle_setup NAME WORK moves WORK (made with mktemp -d, so beside the
# trash) to the trash when the script exits, or deletes it with SETTLE=0.
settle_setup() {
	settle_name=$1
	settle_work=$2
	trap settle_cleanup EXIT
}

settle_cleanup() {
	if [ "$SETTLE" = 1 ]; then
		mkdir -p "$settle_trash"
		mv "$settle_work" "$settle_trash/$settle_name.$(date +%s%N)" 2>/dev/null || rm -rf "$settle_work"
	else
		rm -rf "$settle_work"
	fi
}

# settle_empty deletes the trash and notes the time.
settle_empty() {
	[ -d "$settle_trash" ] || return 0
	rm -rf "$settle_trash"
	sync
	date +%s >"$settle_stamp"
}

# settle syncs, empties the trash when it grew too large, and waits until
# the last deletion of the trash is settle_age seconds old.
settle() {
	[ "$SETTLE" = 1 ] || return 0
	if [ -d "$settle_trash" ] && [ "$(du -sm "$settle_trash" | cut -f1)" -gt "$SETTLE_TRASH_MB" ]; then
		settle_empty
	fi
	sync
	local wait=$(($(cat "$settle_stamp" 2>/dev/null || echo 0) + settle_age - $(date +%s)))
	if [ "$wait" -gt 0 ]; then
		echo "$settle_name: waiting ${wait}s for the inodes deleted last to age" >&2
		sleep "$wait"
	fi
}
