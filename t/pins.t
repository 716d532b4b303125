#!/bin/sh
# Pinned outputs: `distill pin` writes a lock file of every plan's output,
# by name; builds with --pins check each output against it, whether the
# plan was built or found in the store, and fail on a plan it does not
# name before building anything; a recipe's own output pin (make-plan
# output-hash:) is checked on a cache hit too, not only when it builds.
. "$(dirname "$0")/lib.sh"

st=$scratch/store
bb="$scratch/busybox.deb"
# pins.scm: plan "leaf", and "top" whose input is leaf's output; TOP is
# the text top writes.
write_script() {
	cat > "$scratch/pins.scm" <<EOF
(import (distill plan))
(define (sh name text . inputs)
  (make-plan name: name
    inputs: (append (list (local-archive "$bb")
                          (interned "/build" #o755 (string-append "#!/bin/busybox sh
/bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin:/bin
" text)))
                    inputs)))
(define leaf (sh "leaf" "echo leaf > /out/leaf"))
(sh "top" "cat /leaf/leaf > /out/top; echo $1 >> /out/top" (make-input basedir: "/leaf" link: leaf))
EOF
}
cd "$scratch" || exit 1	# the redirections below write here
d() { "$distill" --store "$st" "$@"; }

# 1. pin builds and writes both plans' outputs, sorted by name.
write_script one
d pin pins.scm > pin.out 2> pin.err
rc=$?
ok $rc "distill pin builds the target and writes the pins (exit $rc)"
[ $rc = 0 ] || diag "$scratch/pin.err"
f=$scratch/distill.pins
ok $([ "$(sed -n 1p "$f")" = "distill-pins 1" ] && [ "$(wc -l < "$f")" = 3 ] &&
	[ "$(sed -n '2p;3p' "$f" | cut -d ' ' -f 1,2 | tr '\n' ,)" = "leaf tree,top tree," ]; echo $?) \
	"distill.pins has a header and one line per plan, sorted by name"
diag "$f"
top_out=$(sed -n 's/^top tree \([^ ]*\) .*/\1/p' "$f")
ok $(grep -q "^$top_out " "$scratch/pin.out" &&
	grep -q 'pinned the outputs of 2 plans' "$scratch/pin.err"; echo $?) \
	"it prints the target's output line, and how many plans it pinned"

# 2. A build checked against the file passes, cached.
d --pins distill.pins build pins.scm > b1.out 2> b1.err
ok $? "build --pins distill.pins passes when every output matches"

# 3. A pin that differs (as if the plan gave other bytes): a cache hit
# fails, naming the plan, both hashes and that the plan is the pinned one.
other=$(d sum "$bb" | cut -d ' ' -f 1)
sed "s|^top tree $top_out|top tree $other|" "$f" > "$scratch/bad.pins"
d --pins bad.pins build pins.scm > b2.out 2> b2.err
rc=$?
ok $([ $rc = 1 ]; echo $?) "an output that differs from its pin fails the build, cached (exit $rc)"
ok $(grep -q "plan top: bad.pins pins its output tree $other, this plan gave tree $top_out; it is the plan that was pinned, so its build is not reproducible" "$scratch/b2.err" &&
	! grep -q '^building ' "$scratch/b2.err" && [ ! -s "$scratch/b2.out" ]; echo $?) \
	"the error names the plan, both outputs and the cause, and nothing was built or printed"
grep -v '^;;;' "$scratch/b2.err" | diag

# 4. The recipe changes: top is built, its output differs, the error says
# the plan changed; pin again, and the diff is top's line alone.
write_script two
d --pins distill.pins build pins.scm > b3.out 2> b3.err
rc=$?
ok $([ $rc = 1 ] && grep -q '^building top ' "$scratch/b3.err" &&
	grep -q 'plan top: distill.pins pins its output .*; the plan changed since it was pinned' "$scratch/b3.err"; echo $?) \
	"a changed recipe's new output fails, saying the plan changed (exit $rc)"
cp "$f" "$scratch/old.pins"
d pin pins.scm > /dev/null 2> pin2.err
ok $([ "$(diff "$scratch/old.pins" "$f" | grep -c '^[<>] ')" = 2 ] &&
	[ "$(diff "$scratch/old.pins" "$f" | grep '^[<>] ' | cut -d ' ' -f 2 | sort -u)" = top ]; echo $?) \
	"distill pin again: the diff is the changed plan's line, and only it"
d --pins distill.pins build pins.scm > /dev/null 2>&1
ok $? "and builds pass against the new pins"

# 5. A plan the file does not name fails before anything is built.
grep -v '^top ' "$f" > "$scratch/part.pins"
write_script three
d --pins part.pins build pins.scm > b4.out 2> b4.err
rc=$?
ok $([ $rc = 1 ] && grep -q 'plan top is not in the pins file part.pins (distill pin writes it)' "$scratch/b4.err" &&
	! grep -q '^building ' "$scratch/b4.err"; echo $?) \
	"a plan missing from the pins file fails before it is built (exit $rc)"

# 6. A missing or malformed pins file: exit 2, one line naming it.
d --pins nowhere.pins build pins.scm > /dev/null 2> b5.err
rc=$?
ok $([ $rc = 2 ] && [ "$(wc -l < "$scratch/b5.err")" = 1 ] &&
	grep -q 'pins file nowhere.pins: no such file' "$scratch/b5.err"; echo $?) \
	"a missing pins file: exit 2, one line naming it (exit $rc)"
printf 'distill-pins 1\nleaf tree nothash\n' > "$scratch/junk.pins"
d --pins junk.pins build pins.scm > /dev/null 2> b6.err
rc=$?
ok $([ $rc = 2 ] && grep -q 'pins file junk.pins: line 2: ' "$scratch/b6.err"; echo $?) \
	"a malformed one: exit 2, naming the file and the line (exit $rc)"
diag "$scratch/b6.err"

# 7. A recipe's own pin (make-plan output-hash:), wrong, on a plan that is
# in the store already: the cache hit fails too.
write_script one
leaf_out=$(sed -n 's/^leaf tree \([^ ]*\) .*/\1/p' "$scratch/old.pins")
sed -i "s|(define leaf (sh \"leaf\" \"echo leaf > /out/leaf\"))|(define leaf (make-plan name: \"leaf\" inputs: (plan-inputs (sh \"leaf\" \"echo leaf > /out/leaf\")) output-hash: \"$other\"))|" "$scratch/pins.scm"
d build pins.scm > b7.out 2> b7.err
rc=$?
ok $([ $rc = 1 ] && ! grep -q '^building leaf' "$scratch/b7.err" &&
	grep -q "plan leaf: the recipe pins its output $other, the store holds $leaf_out" "$scratch/b7.err"; echo $?) \
	"a wrong output-hash: fails on a cached plan too (exit $rc)"
grep -v '^;;;' "$scratch/b7.err" | diag
sed -i "s|output-hash: \"$other\"|output-hash: \"$leaf_out\"|" "$scratch/pins.scm"
d build pins.scm > /dev/null 2>&1
ok $? "and the right one passes"

# 8. As an ordinary user, in a store of theirs: the same check.
as_user "$distill --store $scratch/ustore --pins bad.pins build pins.scm > u.out 2> u.err"
rc=$?
ok $([ $rc = 1 ] && grep -q 'plan top: bad.pins pins its output' "$scratch/u.err"; echo $?) \
	"as an ordinary user, a build against a wrong pin fails too (exit $rc)"

done_testing
