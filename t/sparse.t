#!/bin/sh
# A build that leaves a sparse file hard-linked twice in /out: capture
# breaks the links by copying, and the copies keep the holes (they used to
# be written densely: 20 GiB of disk for a build that used none).  The
# tree's hash is that of the same bytes made without links.  1 GiB, not
# 20: hashing reads every byte, holes included.
. "$(dirname "$0")/lib.sh"
st=$scratch/store
size=$((1 << 30))

plan_script "$scratch/linked.scm" sparse-linked "truncate -s $size /out/f
ln /out/f /out/g
ln /out/f /out/h"
plan_script "$scratch/plain.scm" sparse-plain "truncate -s $size /out/f /out/g /out/h"
as_user "'$distill' --store '$st' build linked.scm" > "$scratch/linked.out" 2> "$scratch/linked.err"
ok $? "a build leaving a 1 GiB sparse file with three names"
diag "$scratch/linked.err"
tree=$(cut -d' ' -f2 "$scratch/linked.out")
blocks=0
for f in f g h; do
	blocks=$((blocks + $(stat -c '%b * %B' "$tree/$f")))
done
[ "$blocks" -lt $((1 << 20)) ] && [ "$(stat -c %h:%s "$tree/g")" = "1:$size" ]
ok $? "its copies in the store keep the holes: $blocks bytes of blocks for 3 GiB of zeros"
as_user "'$distill' --store '$st' build plain.scm" > "$scratch/plain.out" 2> "$scratch/plain.err"
[ $? = 0 ] && [ "$(cut -d' ' -f1 "$scratch/plain.out")" = "$(cut -d' ' -f1 "$scratch/linked.out")" ]
ok $? "the hash is that of the same three files made without links"
diag "$scratch/plain.err"
done_testing
