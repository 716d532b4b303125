#!/bin/sh
# Two distill processes started at once on one store, building the same DAG
# of 6 plans (4 leaves, one joining two leaves, a top joining the rest):
# every plan is built exactly once across both, both succeed and print the
# same output hashes, and fsck finds the store clean.  Several rounds, each
# with a fresh store and other plans, to give races a chance to show.
. "$(dirname "$0")/lib.sh"
dir=$scratch
deb=$busybox_deb
rounds=5

# plan NAME ROUND INPUTS...: a plan whose /build sleeps a little, then
# writes its name and the listing of what its inputs left under /in.
plan() {
	name=$1 round=$2
	shift 2
	printf '(define %s (make-plan name: "%s-%s" inputs: (list busybox %s (interned "/build" #o755 "#!/bin/busybox sh
set -e
B=/bin/busybox
$B mkdir -p /out
$B usleep 300000
$B echo %s of round %s > /out/name
$B dd if=/dev/zero of=/out/zero bs=64k count=%s 2>/dev/null
if [ -d /in ]; then $B find /in | $B sort > /out/inputs; fi
"))))\n' "$name" "$name" "$round" "$*" "$name" "$round" "$((round + 8))"
}

for r in $(seq 1 $rounds); do
	s="$dir/dag$r.scm"
	{
		echo '(import (distill plan))'
		echo "(define busybox (local-archive \"$deb\"))"
		for l in a b c d; do plan "$l" "$r"; done
		plan join "$r" '(make-input basedir: "/in/a" link: a)' '(make-input basedir: "/in/b" link: b)'
		plan top "$r" '(make-input basedir: "/in/join" link: join)' \
			'(make-input basedir: "/in/c" link: c)' '(make-input basedir: "/in/d" link: d)'
		echo '(list a b c d join top)'
	} > "$s"
	st="$dir/store$r"
	"$distill" --store "$st" build "$s" > "$dir/1.out" 2> "$dir/1.err" &
	p1=$!
	"$distill" --store "$st" build "$s" > "$dir/2.out" 2> "$dir/2.err" &
	p2=$!
	wait "$p1"
	rc1=$?
	wait "$p2"
	rc2=$?
	[ "$rc1" = 0 ] && [ "$rc2" = 0 ]
	ok $? "round $r: both processes exit 0"
	[ "$rc1" = 0 ] || diag "$dir/1.err"
	[ "$rc2" = 0 ] || diag "$dir/2.err"
	cat "$dir/1.err" "$dir/2.err" | sed -n 's/^building \([^ ]*\) .*/\1/p' | sort > "$dir/built"
	printf '%s\n' a b c d join top | sed "s/\$/-$r/" | sort > "$dir/want"
	cmp -s "$dir/built" "$dir/want"
	ok $? "round $r: each of the 6 plans is built exactly once across both"
	cmp -s "$dir/built" "$dir/want" || { echo built:; cat "$dir/built"; } | diag
	echo "round $r: first built $(grep -c '^building' "$dir/1.err"), second $(grep -c '^building' "$dir/2.err")" | diag
	[ "$(wc -l < "$dir/1.out")" = 6 ] && cmp -s "$dir/1.out" "$dir/2.out"
	ok $? "round $r: both print the same 6 output hashes"
	"$distill" --store "$st" fsck > "$dir/fsck.out" 2> "$dir/fsck.err"
	[ $? = 0 ] && [ ! -s "$dir/fsck.out" ]
	ok $? "round $r: fsck finds the store clean"
	diag "$dir/fsck.out"
done
done_testing
