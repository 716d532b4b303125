#!/bin/sh
# Crash safety: kill distill (alone, or with its workers and sandboxes) at
# random moments of 20 builds; after each kill `distill fsck` finds the
# store clean, and the next run completes with the output hashes of an
# unkilled reference build in another store.  Last, fsck must notice a
# corrupted blob, so it cannot pass by checking nothing.
. "$(dirname "$0")/lib.sh"
dir=$scratch
deb=$busybox_deb
rounds=20
rand() { # rand N: 0 <= random < N
	echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 ))
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# script FILE ROUND: a leaf plan writing several files (one of some MiB) and
# a plan on top of it, each sleeping a random fraction of a second (which
# does not change their outputs).
script() {
	mib=$(( 4 + $2 % 6 ))
	cat > "$1" <<EOF
(import (distill plan))
(define busybox (local-archive "$deb"))
(define leaf
  (make-plan name: "leaf-$2"
    inputs: (list busybox (interned "/build" #o755 "#!/bin/busybox sh
set -e
B=/bin/busybox
\$B mkdir -p /out/d
\$B dd if=/dev/zero of=/out/zero bs=1M count=$mib 2>/dev/null
i=0
while [ \$i -lt 300 ]; do \$B echo line \$i of round $2 >> /out/d/lines; i=\$((i + 1)); done
\$B usleep \$((RANDOM % 600000))
\$B seq 1 $((20000 + $2)) > /out/d/seq
\$B dd if=/dev/zero of=/out/d/more bs=64k count=$((16 + $2)) 2>/dev/null
"))))
(define top
  (make-plan name: "top-$2"
    inputs: (list busybox (make-input basedir: "/leaf" link: leaf)
                  (interned "/build" #o755 "#!/bin/busybox sh
set -e
B=/bin/busybox
\$B mkdir -p /out
\$B usleep \$((RANDOM % 400000))
\$B wc -l /leaf/d/lines /leaf/d/seq > /out/counts
\$B cat /leaf/zero /leaf/d/seq > /out/big
\$B sha256sum /out/big > /out/sum
"))))
(list leaf top)
EOF
}

ref="$dir/ref"
st="$dir/store"
for i in $(seq 1 $rounds); do
	s="$dir/round$i.scm"
	script "$s" "$i"
	t0=$(now_ms)
	"$distill" --store "$ref" build "$s" > "$dir/ref.out" 2> "$dir/ref.err" ||
		{ echo "Bail out! reference build of round $i failed"; diag "$dir/ref.err"; exit 1; }
	took=$(( $(now_ms) - t0 ))
	delay=$(rand $((took + 1)))
	# Every third round kills the whole process group: workers and sandboxes too.
	group=$(( i % 3 == 0 ))
	setsid "$distill" --store "$st" build "$s" > /dev/null 2> "$dir/killed.err" &
	pid=$!
	sleep "$(echo "$delay" | awk '{ printf "%.3f", $1 / 1000 }')"
	if [ "$group" = 1 ]; then kill -KILL -- "-$pid" 2>/dev/null; else kill -KILL "$pid" 2>/dev/null; fi
	wait "$pid" 2>/dev/null
	echo "round $i: killed $( [ "$group" = 1 ] && echo group || echo distill) after $delay of $took ms" | diag
	"$distill" --store "$st" fsck > "$dir/fsck.out" 2> "$dir/fsck.err"
	rc=$?
	[ "$rc" = 0 ] && [ ! -s "$dir/fsck.out" ]
	ok $? "round $i: fsck finds the store clean after the kill"
	[ "$rc" = 0 ] || diag "$dir/fsck.out" "$dir/fsck.err"
	"$distill" --store "$st" build "$s" > "$dir/again.out" 2> "$dir/again.err"
	rc=$?
	cut -d' ' -f1 "$dir/ref.out" > "$dir/ref.h"
	cut -d' ' -f1 "$dir/again.out" > "$dir/again.h"
	[ "$rc" = 0 ] && [ "$(wc -l < "$dir/ref.h")" = 2 ] && cmp -s "$dir/ref.h" "$dir/again.h"
	ok $? "round $i: the next run completes with the reference output hashes"
	[ "$rc" = 0 ] || diag "$dir/again.err"
done

# What fs_write_atomic leaves when killed between create and rename: one
# more leftover than the kills above left (in tmp/, say), and no problem.
leftovers() { sed -n 's/.*; \([0-9]*\) leftovers.*/\1/p' "$dir/fsck.err"; }
"$distill" --store "$st" fsck > /dev/null 2> "$dir/fsck.err"
before=$(leftovers)
rec=$(ls "$st/rec/out" | head -n 1)
echo partial > "$st/rec/out/$rec.tmp.99999"
"$distill" --store "$st" fsck > "$dir/fsck.out" 2> "$dir/fsck.err"
rc=$?
diag "$dir/fsck.err"
[ "$rc" = 0 ] && [ ! -s "$dir/fsck.out" ] && [ "$(leftovers)" = $((${before:-0} + 1)) ]
ok $? "a record's temp file left by a kill is a leftover, not a problem"
blob=$(ls "$st/blobs" | head -n 1)
chmod u+w "$st/blobs/$blob" && echo corrupt >> "$st/blobs/$blob"
"$distill" --store "$st" fsck > "$dir/fsck.out" 2> "$dir/fsck.err"
rc2=$?
[ "$rc" = 0 ] && [ "$rc2" = 4 ] && grep -q "blobs/$blob: content hashes to" "$dir/fsck.out"
ok $? "fsck reports a corrupted blob (exit 4)"
[ "$(grep -c "blobs/$blob" "$dir/fsck.out")" = 2 ]
ok $? "fsck reports it as two problems, one line each (writable, content)"
diag "$dir/fsck.out"
done_testing
