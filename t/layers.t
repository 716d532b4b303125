#!/bin/sh
# Cached layers are read-only and checked.  A plan with a small layer
# (/build, a file) and a farm (busybox's tree at /bb): its layers have
# nothing writable; fsck finds them clean; a layer file made writable and
# changed is reported by fsck (and one changed then made read-only again,
# by content), and the next build does not use it: a plan whose output
# record is gone records the same output as before.  Last, fsck --deep
# reports an archive whose rec/unpacked record names another tree.
# As root, and as an ordinary user.
. "$(dirname "$0")/lib.sh"

cat > "$scratch/l.scm" <<EOF
(import (distill plan))
(make-plan name: "layered"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (local-archive "$scratch/busybox.deb" "/bb")
                (interned "/etc/word" #o644 "original\n")
                (interned "/build" #o755 "#!/bin/busybox sh
B=/bin/busybox
\$B mkdir -p /out && \$B cat /etc/word > /out/word && \$B ls /bb/bin > /out/bb")))
EOF
chmod a+r "$scratch/l.scm"

# check WHO RUN STORE
check() {
	who=$1 run=$2 st=$3
	$run "$distill" --store "$st" build "$scratch/l.scm" > "$scratch/1.out" 2> "$scratch/1.err"
	ok $? "$who: the plan builds"
	diag "$scratch/1.err"
	plan=$(ls "$st/rec/out")
	[ "$(ls "$st/layers" | wc -l)" = 2 ] && [ -z "$(find "$st/layers" -mindepth 1 ! -type l -perm /222)" ]
	ok $? "$who: two layers, nothing in them writable"
	find "$st/layers" -mindepth 1 ! -type l -perm /222 | head -n 5 | diag
	$run "$distill" --store "$st" fsck > "$scratch/f.out" 2> "$scratch/f.err"
	ok $? "$who: fsck finds the layers clean"
	diag "$scratch/f.out" "$scratch/f.err"

	word=$(find "$st/layers" -name word -type f)
	chmod u+w "$word" && echo tampered > "$word"
	$run "$distill" --store "$st" fsck > "$scratch/f.out" 2> "$scratch/f.err"
	rc=$?
	[ "$rc" = 4 ] && grep -q "word: writable (layers are read-only)" "$scratch/f.out" &&
		grep -q "word: not what the layer's key describes" "$scratch/f.out"
	ok $? "$who: fsck reports the changed layer file as writable and not what the key says"
	diag "$scratch/f.out"
	chmod a-w "$word"
	$run "$distill" --store "$st" fsck > "$scratch/f.out" 2> "$scratch/f.err"
	rc=$?
	[ "$rc" = 4 ] && grep -q "word: not what the layer's key describes" "$scratch/f.out"
	ok $? "$who: fsck reports it by content once it is read-only again"
	chmod u+w "$word"
	rm "$st/rec/out/$plan"
	$run "$distill" --store "$st" build "$scratch/l.scm" > "$scratch/2.out" 2> "$scratch/2.err"
	rc=$?
	[ "$rc" = 0 ] && cmp -s "$scratch/1.out" "$scratch/2.out" &&
		grep -qx original "$(cut -d' ' -f2 "$scratch/2.out")/word"
	ok $? "$who: the next build does not use the writable layer: same output as before (exit $rc)"
	diag "$scratch/2.err"
	$run "$distill" --store "$st" fsck > "$scratch/f.out" 2> "$scratch/f.err"
	ok $? "$who: fsck is clean again: the layer was made again"
	diag "$scratch/f.out"

	# rec/unpacked of busybox's .deb made to name the plan's output tree.
	rec=$(ls "$st/rec/unpacked" | head -n 1)
	out=$(cut -d' ' -f1 "$scratch/1.out")
	chmod u+w "$st/rec/unpacked/$rec" && echo "$out" > "$st/rec/unpacked/$rec"
	$run "$distill" --store "$st" fsck > "$scratch/f.out" 2> "$scratch/f.err"
	rc=$?
	$run "$distill" --store "$st" fsck --deep > "$scratch/d.out" 2> "$scratch/d.err"
	rc2=$?
	[ "$rc" = 0 ] && [ "$rc2" = 4 ] &&
		grep -q "rec/unpacked/$rec: the archive unpacks to the tree" "$scratch/d.out"
	ok $? "$who: fsck --deep (only) reports the archive that does not unpack to its recorded tree"
	diag "$scratch/d.out"
}

check "$(id -un)" "" "$scratch/store"
if [ "$(id -u)" = 0 ]; then
	as_user true
	mkdir "$scratch/ustore" && chown "$test_user:" "$scratch/ustore"
	check "$test_user" "setpriv --reuid=$test_user --regid=$(id -g "$test_user") --clear-groups env HOME=$scratch" "$scratch/ustore"
fi
done_testing
