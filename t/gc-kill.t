#!/bin/sh
# A gc killed at random moments while it deletes large unrooted trees (a
# plan's output of many files, busybox's unpacked tree): after each kill
# `distill fsck` finds the store clean, the next build of the plan exits 0,
# and its output tree is whole: fsck checks its hash and it has every file.
# As root, and as an ordinary user (whose frozen trees gc must open to move).
. "$(dirname "$0")/lib.sh"
rounds=6
nfiles=6000
rand() { # rand N: 0 <= random < N
	echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 ))
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

plan_script "$scratch/many.scm" many "mkdir -p /out/d && cd /out/d && seq 1 $nfiles | xargs touch
seq 1 500 | while read i; do echo \$i > /out/f\$i; done"

# round WHO RUN STORE N: build, gc killed after a random delay, checks.
round() {
	who=$1 run=$2 st=$3 n=$4
	$run "$distill" --store "$st" build "$scratch/many.scm" > "$scratch/b.out" 2> "$scratch/b.err" ||
		{ echo "Bail out! $who: the build of round $n failed"; diag "$scratch/b.err"; exit 1; }
	delay=$(rand $((took + 1)))
	$run "$distill" --store "$st" gc > /dev/null 2>&1 &
	pid=$!
	sleep "$(echo "$delay" | awk '{ printf "%.3f", $1 / 1000 }')"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$who round $n: gc killed after $delay of $took ms" | diag
	$run "$distill" --store "$st" fsck > "$scratch/fsck.out" 2> "$scratch/fsck.err"
	rc=$?
	[ "$rc" = 0 ] && [ ! -s "$scratch/fsck.out" ]
	ok $? "$who round $n: fsck finds the store clean after the kill"
	[ "$rc" = 0 ] || diag "$scratch/fsck.out"
	$run "$distill" --store "$st" build "$scratch/many.scm" > "$scratch/again.out" 2> "$scratch/again.err"
	rc=$?
	ok $rc "$who round $n: the next build exits 0"
	[ "$rc" = 0 ] || diag "$scratch/again.err"
	$run "$distill" --store "$st" fsck > "$scratch/fsck.out" 2> "$scratch/fsck.err"
	rc=$?
	out=$(cut -d' ' -f2 "$scratch/again.out")
	[ "$rc" = 0 ] && [ ! -s "$scratch/fsck.out" ] && cmp -s "$scratch/b.out" "$scratch/again.out" &&
		[ "$(ls "$out/d" | wc -l)" = "$nfiles" ]
	ok $? "$who round $n: the output is whole: the same hash, which fsck checks, and every file"
	[ "$rc" = 0 ] || diag "$scratch/fsck.out"
}

# rounds WHO RUN STORE: an unkilled gc first, to know how long one takes.
rounds() {
	$2 "$distill" --store "$3" build "$scratch/many.scm" > /dev/null 2> "$scratch/b.err" ||
		{ echo "Bail out! $1: the first build failed"; diag "$scratch/b.err"; exit 1; }
	t0=$(now_ms)
	$2 "$distill" --store "$3" gc > /dev/null 2>&1
	took=$(( $(now_ms) - t0 ))
	for i in $(seq 1 $rounds); do round "$1" "$2" "$3" "$i"; done
}

run=
rounds "$(id -un)" "" "$scratch/store"
if [ "$(id -u)" = 0 ]; then
	as_user true
	mkdir "$scratch/ustore" && chown "$test_user:" "$scratch/ustore"
	run="setpriv --reuid=$test_user --regid=$(id -g "$test_user") --clear-groups env HOME=$scratch"
	rounds "$test_user" "$run" "$scratch/ustore"
fi
done_testing
