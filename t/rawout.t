#!/bin/sh
# A raw output is read beneath /out only: a /build that makes the raw
# output, or a directory on its way, a symlink to a host file (a 0600 file
# in the user's home, /etc/passwd), or a plan whose raw output path climbs
# out with "..", fails with a clear error and nothing of that file lands
# in the store.  A plain raw output in a subdirectory still works.  A raw
# output is linked into the store, not copied (the blob is the inode the
# build wrote), made the caller's and read-only, as root and as an
# ordinary user; one with a second name in /out is copied instead.
. "$(dirname "$0")/lib.sh"

secret="distill-raw-secret-$$-$(date +%s)"
as_user "umask 077 && printf '%s\n' '$secret' > \"\$HOME/.distill-raw-secret\" && echo \"\$HOME\"" > "$scratch/home" ||
	{ echo "Bail out! cannot write the test user's secret"; exit 1; }
home=$(cat "$scratch/home")
trap 'as_user "rm -f \"\$HOME/.distill-raw-secret\""; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
st=$scratch/store

# try NAME RAW BUILD-TEXT: build a plan with raw output RAW; its exit
# status in $rc, its stderr in $scratch/NAME.err.
try() {
	plan_script "$scratch/$1.scm" "$1" "$3" "raw-output: \"$2\""
	as_user "'$distill' --store '$st' build $1.scm" > "$scratch/$1.out" 2> "$scratch/$1.err"
	rc=$?
}

try plain /sub/disk.img 'mkdir -p /out/sub && echo image > /out/sub/disk.img'
[ $rc = 0 ] && [ "$(cat "$(cut -d' ' -f2 "$scratch/plain.out")")" = image ]
ok $? "a raw output in a subdirectory of /out is captured"
diag "$scratch/plain.err"

try link /raw "ln -s $home/.distill-raw-secret /out/raw"
[ $rc = 1 ] && grep -q "/out/raw, the plan's raw output, is a symlink" "$scratch/link.err"
ok $? "a raw output that is a symlink to the user's 0600 file is refused (exit $rc)"
diag "$scratch/link.err"

try subdir /sub/.distill-raw-secret "ln -s $home /out/sub"
[ $rc = 1 ] && grep -q "is a symlink or is reached through one" "$scratch/subdir.err"
ok $? "a raw output under a directory that is a symlink to the user's home is refused (exit $rc)"
diag "$scratch/subdir.err"

try passwd /etc/passwd "ln -s /etc /out/etc"
[ $rc = 1 ] && grep -q "is a symlink or is reached through one" "$scratch/passwd.err"
ok $? "a raw output reached through a symlink to /etc is refused (exit $rc)"
diag "$scratch/passwd.err"

try dotdot "/../../../../../..$home/.distill-raw-secret" 'echo x > /out/x'
# The recipe is refused where it names the path (the C check at capture
# is for plans that come from elsewhere: t/unit/plan.c).
[ $rc = 3 ] && grep -q "dotdot.scm:[0-9]*:[0-9]*: error: '/../.*' climbs above /" "$scratch/dotdot.err"
ok $? "a raw output path with '..' is refused, naming it (exit $rc)"
diag "$scratch/dotdot.err"

! grep -rqF "$secret" "$st" && ! grep -rq '^root:' "$st/blobs"
ok $? "nothing of the secret or of /etc/passwd is in the store"

# linked RUN NAME BUILD-TEXT [SUFFIX]: build NAME (raw output /img, whose last
# line is the inode it had in the sandbox) with RUN (as_user, or sh -c)
# into the store $st$SUFFIX;
# then the blob's inode, owner, mode and that inode in $scratch/NAME.stat.
linked() {
	plan_script "$scratch/$2.scm" "$2" "dd if=/dev/zero of=/out/img bs=64k count=16 2>/dev/null
$3
stat -c %i /out/img >> /out/img" 'raw-output: "/img"'
	$1 "cd '$scratch' && '$distill' --store '$st${4:-}' build $2.scm" > "$scratch/$2.out" 2> "$scratch/$2.err" &&
		blob=$(cut -d' ' -f2 "$scratch/$2.out") &&
		echo "$(stat -L -c '%i %U %a' "$blob") $(tail -n 1 "$blob")" > "$scratch/$2.stat"
}
# the store's owner: whoever runs each build below
me=$(id -un)
[ "$me" = root ] && user=$test_user || user=$me

linked as_user linked-user "echo $$ > /out/tag"
read -r ino owner mode built _ < "$scratch/linked-user.stat"
[ "$ino" = "$built" ] && [ "$owner" = "$user" ] && [ "$mode" = 444 ]
ok $? "as $user, a raw output is linked into the store, not copied, made $user's and 0444"
diag "$scratch/linked-user.err" "$scratch/linked-user.stat"

if [ "$me" = root ]; then
	linked "sh -c" linked-root "echo $$ > /out/tag" -root
	read -r ino owner mode built _ < "$scratch/linked-root.stat"
	[ "$ino" = "$built" ] && [ "$owner" = root ] && [ "$mode" = 444 ]
	ok $? "as root, a raw output is linked into its store, owned by root (not the build's id), 0444"
	diag "$scratch/linked-root.err" "$scratch/linked-root.stat"
fi

linked as_user twonames "ln /out/img /out/img2"
read -r ino owner mode built _ < "$scratch/twonames.stat"
[ -n "$ino" ] && [ "$ino" != "$built" ] && [ "$owner" = "$user" ] && [ "$mode" = 444 ] &&
	[ "$(head -c 1048576 "$(cut -d' ' -f2 "$scratch/twonames.out")" | tr -d '\0' | wc -c)" = 0 ]
ok $? "a raw output with a second name in /out is copied into the store whole"
diag "$scratch/twonames.err" "$scratch/twonames.stat"
done_testing
