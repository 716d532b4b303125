#!/bin/sh
# A raw output is read beneath /out only: a /build that makes the raw
# output, or a directory on its way, a symlink to a host file (a 0600 file
# in the user's home, /etc/passwd), or a plan whose raw output path climbs
# out with "..", fails with a clear error and nothing of that file lands
# in the store.  A plain raw output in a subdirectory still works.
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
done_testing
