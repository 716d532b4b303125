#!/bin/sh
# A store belongs to the user who owns its directory.  Root building,
# interning or collecting in an ordinary user's store is refused with one
# line naming the store, its owner and what to do (exit 4), and writes
# nothing there; show and log, which only read, still work; the owner's
# gc still removes everything.  Needs root to own a store of another user.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root, to use a store owned by another user"
	exit 0
fi
st=$scratch/ustore
plan_script "$scratch/p.scm" owned 'mkdir -p /out && echo hi > /out/hi'
as_user "'$distill' --store '$st' build '$scratch/p.scm'" > "$scratch/u.out" 2> "$scratch/u.err"
ok $? "the user builds in a store of their own"
[ "$(stat -c %U "$st")" = "$test_user" ]
ok $? "the store directory belongs to the user"
listing() { find "$st" -printf '%p %U %m %s\n' | sort; }
listing > "$scratch/before"

for cmd in "build $scratch/p.scm" "intern $scratch/p.scm" "gc" "fsck"; do
	"$distill" --store "$st" $cmd > "$scratch/r.out" 2> "$scratch/r.err"
	rc=$?
	[ "$rc" = 4 ] && [ "$(wc -l < "$scratch/r.err")" = 1 ] &&
		grep -q "$st.*belongs to $test_user.*sudo -u $test_user.*--store" "$scratch/r.err"
	ok $? "root's ${cmd%% *} in the user's store is refused with exit 4 and one line (exit $rc)"
	diag "$scratch/r.err"
done
listing > "$scratch/after"
cmp -s "$scratch/before" "$scratch/after"
ok $? "nothing was written in the user's store"
diff "$scratch/before" "$scratch/after" | head -n 10 | diag

plan=$(ls "$st/rec/plan" | head -n 1)
"$distill" --store "$st" show "$plan" > "$scratch/show.out" 2> "$scratch/show.err" &&
	grep -q '^name *owned' "$scratch/show.out"
ok $? "root may still read the user's store: show"
"$distill" --store "$st" log "$plan" > /dev/null 2> "$scratch/log.err"
ok $? "root may still read the user's store: log"
listing > "$scratch/after"
cmp -s "$scratch/before" "$scratch/after"
ok $? "reading wrote nothing"

rm -f "$scratch/result"
as_user "'$distill' --store '$st' gc --all" > "$scratch/gc.out" 2> "$scratch/gc.err"
ok $? "the owner's gc works"
[ -z "$(find "$st/trees" "$st/blobs" "$st/rec/plan" -mindepth 1)" ]
ok $? "the owner's gc --all removed everything (no roots, its result link gone)"
done_testing
