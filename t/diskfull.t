#!/bin/sh
# A full disk while unpacking an archive: the store is a small tmpfs whose
# free space is less than the archive's unpacked size.  distill must stop
# with exit 4 and the message docs/cli.md documents, record nothing (no
# rec/unpacked, no tree of the partial unpacking, no output), and, once
# space is freed (a filler file deleted), build the same plan to the right hash with fsck clean.
# libarchive reports a failed write(2) as a mere warning, which used to be
# ignored: the truncated tree was recorded and used.
# As root the tmpfs is mounted here and distill runs as the ordinary user;
# as an ordinary user, inside `unshare -rm` (so the sandbox nests in that
# user namespace).
. "$(dirname "$0")/lib.sh"

# The archive: 24 MiB of zeros (a few KiB gzipped) beside a small file.
mkdir -p "$scratch/arc/data"
head -c $((24 << 20)) /dev/zero > "$scratch/arc/data/big"
echo small > "$scratch/arc/data/small"
tar -C "$scratch/arc" -czf "$scratch/big.tar.gz" data
chmod a+r "$scratch/big.tar.gz"
cat > "$scratch/full.scm" <<EOS
(import (distill plan))
(make-plan name: "uses-big"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (local-archive "$scratch/big.tar.gz" "/in")
                (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox wc -c < /in/data/big > /out/size
/bin/busybox cat /in/data/small >> /out/size
")))
EOS
chmod a+r "$scratch/full.scm"

# The right answer, from a store on an ordinary disk.
as_user "'$distill' --store '$scratch/ref' build full.scm" > "$scratch/ref.out" 2> "$scratch/ref.err"
ok $? "the plan builds in a store with room"
diag "$scratch/ref.err"
want=$(cut -d' ' -f1 "$scratch/ref.out")

# in_small_store SCRIPT: run the shell text SCRIPT with $st a store on a
# tmpfs of 48 MiB that a 30 MiB filler file ($scratch/small/filler) leaves
# too small for the archive's 24 MiB (busybox fits).
st=$scratch/small/store
mkdir -p "$scratch/small"
chmod 0777 "$scratch/small"
fill="head -c $((30 << 20)) /dev/zero > '$scratch/small/filler'"
if [ "$(id -u)" = 0 ]; then
	in_small_store() {
		mount -t tmpfs -o size=48m,mode=0777 distill-test "$scratch/small" || return 1
		trap 'umount "$scratch/small" 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
		as_user "$fill; st='$st'; $1"
	}
else
	in_small_store() {
		unshare -rm sh -c "cd '$scratch' && mount -t tmpfs -o size=48m distill-test '$scratch/small' &&
			$fill && st='$st' && $1"
	}
fi

in_small_store "'$distill' --store \$st build full.scm > '$scratch/full.out' 2> '$scratch/full.err'
	echo \$? > '$scratch/full.rc'
	ls \$st/rec/unpacked > '$scratch/unpacked.ls'
	ls \$st/rec/out > '$scratch/out.ls'
	for t in \$st/trees/*; do [ -e \$t/in ] || [ -e \$t/data ] && echo \$t; done > '$scratch/trees.ls'
	rm '$scratch/small/filler'
	'$distill' --store \$st build full.scm > '$scratch/again.out' 2> '$scratch/again.err'
	echo \$? > '$scratch/again.rc'
	'$distill' --store \$st fsck > '$scratch/fsck.out' 2> '$scratch/fsck.err'
	echo \$? > '$scratch/fsck.rc'"
rc=$(cat "$scratch/full.rc" 2>/dev/null)
[ "$rc" = 4 ]
ok $? "a full disk while unpacking: exit 4 (got ${rc:-none})"
grep -q "distill: error: the store's file system is full ($st): free space" "$scratch/full.err"
ok $? "with the documented message naming the store"
diag "$scratch/full.err"
grep -q "No space left on device" "$scratch/full.err"
ok $? "and its cause"
# The busybox .deb's tree was recorded before; the big archive's is not.
[ "$(wc -l < "$scratch/unpacked.ls")" = 1 ] && [ ! -s "$scratch/out.ls" ] &&
	[ ! -s "$scratch/trees.ls" ]
ok $? "nothing of it was recorded: one rec/unpacked (busybox), no output, no tree of the archive"
diag "$scratch/unpacked.ls" "$scratch/trees.ls" "$scratch/out.ls"
[ "$(cat "$scratch/again.rc")" = 0 ] && [ "$(cut -d' ' -f1 "$scratch/again.out")" = "$want" ]
ok $? "after space is freed, the same build succeeds with the right hash"
diag "$scratch/again.err"
[ "$(cat "$scratch/fsck.rc")" = 0 ] && [ ! -s "$scratch/fsck.out" ]
ok $? "fsck finds the store clean"
diag "$scratch/fsck.out"
done_testing
