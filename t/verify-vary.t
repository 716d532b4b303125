#!/bin/sh
# distill verify varies its second build: plans that depend on the umask,
# TZ, the locale, the CPUs or -j, or the order of a directory are caught,
# with the files that differ; a well-behaved plan passes.  As root and as
# an ordinary user (FUSE, for disorderfs, and the build ids differ).
. "$(dirname "$0")/lib.sh"

# plan NAME SHELL-LINES: a make-plan of a busybox script, for a list.
plan() {
	printf '(make-plan name: "%s" inputs: (append (list bb (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin\nexport PATH=/tmp/bin:/bin\n%s\n")) dir))\n' "$1" "$2"
}
{
	echo "(import (distill plan))"
	echo "(define bb (local-archive \"$scratch/busybox.deb\"))"
	# 40 files in /d: an input directory whose order can be shuffled
	printf '(define dir (map (lambda (i) (interned (string-append "/d/f" (number->string i)) #o644 "x")) (iota 40)))\n'
	echo "(list"
	plan stable 'echo stable > /out/x'
	plan umask 'umask > /out/x'
	plan tz 'date -d @0 +%H > /out/x'
	plan locale 'echo $LC_ALL > /out/x'
	plan jobs 'nproc > /out/x; echo $MAKEFLAGS | grep -o -- \"-j[0-9]*\" >> /out/x'
	plan order 'find /d > /out/x'
	echo ")"
} > "$scratch/vary.scm"
chmod a+r "$scratch/vary.scm"

check() { # check WHO OUT: the tests of one verify run's output
	ok $(grep -q '^reproducible stable ' "$2"; echo $?) "$1: a well-behaved plan is reproducible"
	for p in umask tz locale jobs; do
		ok $(grep -q "^DIFFERS $p: " "$2" && sed -n "/^DIFFERS $p: /{n;p}" "$2" |
			grep -q '^  differs: /x ([0-9]* bytes -> [0-9]* bytes)'; echo $?) \
			"$1: the plan that depends on $p is caught, naming the file and sizes"
	done
	good=2
	if grep -q '^second build varied: .*directory order (disorderfs)' "$2"; then
		good=1
		ok $(grep -q '^DIFFERS order: ' "$2"; echo $?) \
			"$1: a plan that lists a directory unsorted is caught (disorderfs)"
	else
		ok $(grep -q '^second build .*not varied: .*directory order (.\+)' "$2" &&
			grep -q '^reproducible order ' "$2"; echo $?) \
			"$1: without disorderfs the order is said not varied, and why"
	fi
	ok $(grep -q '^second build varied: umask 0022->0002, TZ UTC->GMT-14, LC_ALL C.UTF-8->fr_CH.UTF-8, -j.*store path' "$2" &&
		grep -q "^$good of 6 plans reproducible" "$2"; echo $?) \
		"$1: what was varied is said, and the count of reproducible plans"
}

TMPDIR="$scratch" "$distill" --store "$scratch/st" verify "$scratch/vary.scm" > "$scratch/out" 2> "$scratch/err"
ok $([ $? = 1 ]; echo $?) "root: verify fails when plans are not reproducible"
diag "$scratch/out"; grep -v '^;;;' "$scratch/err" | tail -5 | diag
check root "$scratch/out"
ok $(grep -q '^second build varied: .*outside build uid +1' "$scratch/out" ||
	[ "$(id -u)" != 0 ]; echo $?) "root: the outside build id is another"
kept=$(sed -n 's/^the fresh store is kept at //p' "$scratch/out")
ok $([ -d "$kept" ] && ! grep -qs " $kept.order " /proc/mounts; echo $?) \
	"the fresh store is kept, its disorderfs view unmounted"

# Killed during its second build, verify leaves no disorderfs view mounted.
if grep -q '^second build varied: .*directory order (disorderfs)' "$scratch/out"; then
	plan_script "$scratch/slow.scm" slow '[ "$TZ" = UTC ] || sleep 30; echo done > /out/x'
	mkdir -p "$scratch/k"
	TMPDIR="$scratch/k" "$distill" --store "$scratch/st" verify "$scratch/slow.scm" > /dev/null 2>&1 &
	pid=$!
	i=0
	until grep -q " $scratch/k/distill-verify\.[^ ]*\.order " /proc/mounts || [ $i -ge 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL $pid; wait $pid 2>/dev/null
	i=0
	while grep -q " $scratch/k/" /proc/mounts && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	ok $(! grep -q " $scratch/k/" /proc/mounts && [ -z "$(ls -d "$scratch"/k/*.order 2>/dev/null)" ]; echo $?) \
		"killed during the second build, verify leaves no disorderfs view mounted"
	grep " $scratch/k/" /proc/mounts | cut -d ' ' -f 2 | xargs -r -n 1 umount -l
fi

mkdir -p "$scratch/u" && chmod 1777 "$scratch/u"
as_user "TMPDIR='$scratch/u' '$distill' --store '$scratch/ust' verify '$scratch/vary.scm'" \
	> "$scratch/uout" 2> "$scratch/uerr" < /dev/null
ok $([ $? = 1 ]; echo $?) "user: verify fails when plans are not reproducible"
diag "$scratch/uout"; grep -v '^;;;' "$scratch/uerr" | tail -5 | diag
check user "$scratch/uout"
done_testing
