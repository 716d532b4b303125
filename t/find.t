#!/bin/sh
# Finding things: log, show and why take a plan's name, a unique prefix of
# its hash or --failed; why says what changed since a name's last build
# (the input, both hashes, a diff of texts); graph prints the plan graph
# in dot; build leaves result links that gc keeps, and gc keeps the last
# build of each name unless --all; gc -n lists what it would remove.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
d() { as_user "$distill --store $st $*"; }

# A leaf plan whose /build echoes $TXT, and a plan on top of it.
cat > "$scratch/two.scm" <<EOS
(import (distill plan))
(define (leaf txt)
  (make-plan name: "leaf"
    inputs: (list (local-archive "$scratch/busybox.deb")
                  (interned "/build" #o755
                            (string-append "#!/bin/busybox sh\n/bin/busybox echo " txt
                                           " > /out/x\n/bin/busybox echo leaf says " txt "\n")))))
(define (top l)
  (make-plan name: "top"
    inputs: (list (local-archive "$scratch/busybox.deb")
                  (make-input basedir: "/leaf" link: l)
                  (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox cp /leaf/x /out/\n"))))
(top (leaf (cadr (program-arguments))))
EOS
plan_script "$scratch/bad.scm" broken 'echo broken build says no; exit 3'
plan_script "$scratch/img.scm" img 'head -c 3000 /dev/zero > /out/disk.img' 'raw-output: "/disk.img"'
chmod a+r "$scratch"/*.scm

# 1. Plans by name, by prefix, --failed.
d build two.scm -- one > "$scratch/b1" 2> "$scratch/b1.err"
ok $? "two plans built"
leaf1=$(sed -n 's/^building leaf //p' "$scratch/b1.err")
top1=$(sed -n 's/^building top //p' "$scratch/b1.err")
d log leaf > "$scratch/log1" 2>&1
ok $([ $? = 0 ] && grep -qx 'leaf says one' "$scratch/log1"; echo $?) "log NAME: the last build of that name"
d show "$(echo "$top1" | cut -c1-6)" > "$scratch/show1" 2>&1
ok $([ $? = 0 ] && grep -qx "plan    $top1" "$scratch/show1" && grep -qx 'name    top' "$scratch/show1"; echo $?) \
	"show PREFIX: the plan whose hash starts so, by its full hash"
diag "$scratch/show1"
d build bad.scm > /dev/null 2>&1
bad=$(d build bad.scm 2>&1 | sed -n 's/.*distill log \([^ ]*\).*/\1/p' | head -n 1)
d log --failed > "$scratch/log2" 2>&1
ok $([ $? = 0 ] && grep -q 'broken build says no' "$scratch/log2"; echo $?) "log --failed: the last failed build"
d show --failed > "$scratch/show2" 2>&1
ok $([ $? = 0 ] && grep -qx 'name    broken' "$scratch/show2" &&
	{ [ -z "$bad" ] || grep -qx "plan    $bad" "$scratch/show2"; }; echo $?) "show --failed"
# An ambiguous prefix: a second plan record whose hash starts as top's.
p6=$(echo "$top1" | cut -c1-6)
twin=$p6$(echo "$leaf1" | cut -c7-)
cp "$st/rec/plan/$leaf1" "$st/rec/plan/$twin"
d show "$p6" > "$scratch/amb" 2>&1
rc=$?
ok $([ $rc = 2 ] && grep -qF "$top1 (top)" "$scratch/amb" && grep -qF "$twin (leaf)" "$scratch/amb"; echo $?) \
	"an ambiguous prefix is exit 2 and lists the candidates with their names (exit $rc)"
diag "$scratch/amb"
rm -f "$st/rec/plan/$twin"
plan_script "$scratch/ver.scm" ver-1.2 'echo version one two'
d build ver.scm > /dev/null 2>&1
d log ver > "$scratch/log3" 2>&1
ok $([ $? = 0 ] && grep -qx 'version one two' "$scratch/log3"; echo $?) \
	"log NAME finds the plan NAME-VERSION, as a package name would"
d log nosuchplan > "$scratch/none" 2>&1
ok $([ $? = 2 ] && grep -q "no plan named 'nosuchplan'" "$scratch/none"; echo $?) "an unknown name is exit 2, said"
d log > /dev/null 2>&1
ok $([ $? = 2 ]; echo $?) "log without a plan or --failed is a usage error"

# 2. -n lists the plans that would be built by their hash.
d -n build two.scm -- two > "$scratch/dry" 2>&1
ok $([ $? = 0 ] && grep -qE '^[A-Za-z0-9_-]{43}= leaf$' "$scratch/dry" &&
	grep -qx '(after its inputs) top' "$scratch/dry"; echo $?) "-n prints the hashes of the plans it would build"

# 3. why TARGET: what changed, with the diff of the text.
d why two.scm -- two > "$scratch/why1" 2>&1
ok $([ $? = 0 ] && grep -q "leaf: since its build $leaf1:" "$scratch/why1" &&
	grep -qE '^  input /build: file 0755 [^ ]+ -> file 0755 [^ ]+$' "$scratch/why1" &&
	grep -qx -- '-/bin/busybox echo one > /out/x' "$scratch/why1" &&
	grep -qx -- '+/bin/busybox echo two > /out/x' "$scratch/why1" &&
	grep -q "^(after its inputs) top: since its build $top1:" "$scratch/why1" &&
	grep -q 'input /leaf/: tree .* -> the output of plan leaf, which rebuilds' "$scratch/why1"; echo $?) \
	"why TARGET: each plan that rebuilds, the input, old and new hash, the diff"
diag "$scratch/why1"
d why two.scm -- one > "$scratch/why0" 2>&1
ok $([ $? = 0 ] && grep -q '^nothing rebuilds' "$scratch/why0"; echo $?) "why TARGET when nothing rebuilds"
! [ -e "$st/logs/$(sed -n 's/^\([^ ]*\) leaf:.*/\1/p' "$scratch/why1").zst" ]
ok $? "why builds nothing"
d build two.scm -- two > /dev/null 2>&1
d why leaf > "$scratch/why2" 2>&1
ok $([ $? = 0 ] && grep -q "leaf: since its build $leaf1:" "$scratch/why2" &&
	grep -qx -- '+/bin/busybox echo two > /out/x' "$scratch/why2"; echo $?) \
	"why NAME: what changed at the last build of that name"

# 4. graph: dot, an edge from input to user; --why only what rebuilds.
d graph two.scm -- two > "$scratch/g1.dot" 2> "$scratch/g1.err"
ok $([ $? = 0 ] && [ "$(grep -c -- ' -> ' "$scratch/g1.dot")" = 1 ] &&
	grep -qE '^  "[^"]+" -> "[^"]+";$' "$scratch/g1.dot" &&
	grep -q '"leaf" + "\\n" + ' "$scratch/g1.dot" && grep -q '"top" + "\\n" + ' "$scratch/g1.dot"; echo $?) \
	"graph: two nodes named by plan name and hash, one edge"
diag "$scratch/g1.dot"
leafid=$(sed -n 's/^  "\([^"]*\)" \[label="leaf".*/\1/p' "$scratch/g1.dot")
grep -q "^  \"$leafid\" -> " "$scratch/g1.dot"
ok $? "the edge goes from the input plan (leaf) to its user"
if command -v dot > /dev/null; then
	dot -Tsvg "$scratch/g1.dot" > "$scratch/g1.svg" 2> "$scratch/dot.err"
	ok $([ $? = 0 ] && grep -q '<svg' "$scratch/g1.svg" && [ ! -s "$scratch/dot.err" ]; echo $?) \
		"dot -Tsvg reads it"
else
	ok 0 "# SKIP no graphviz (scripts/setup-debian installs it)"
fi
d graph --why two.scm -- two > "$scratch/g2.dot" 2>&1
ok $([ $? = 0 ] && ! grep -q label "$scratch/g2.dot"; echo $?) "graph --why: nothing when nothing rebuilds"
d graph --why two.scm -- three > "$scratch/g3.dot" 2>&1
ok $([ $? = 0 ] && [ "$(grep -c label "$scratch/g3.dot")" = 2 ] && grep -q 'style=bold' "$scratch/g3.dot"; echo $?) \
	"graph --why: the plans that would rebuild"

# 5. Result links and gc.
d build two.scm -o keep -- one > "$scratch/r1" 2> "$scratch/r1.err"
rc=$? out1=$(cut -d' ' -f2 "$scratch/r1")
ok $([ $rc = 0 ] && [ "$(readlink "$scratch/keep")" = "$out1" ] &&
	grep -qx "keep -> $out1" "$scratch/r1.err"; echo $?) "build -o NAME: a link to the output, said"
d build two.scm img.scm -- two > "$scratch/r2" 2> "$scratch/r2.err"
rc=$? out2=$(sed -n 1p "$scratch/r2" | cut -d' ' -f2) img=$(sed -n 2p "$scratch/r2" | cut -d' ' -f2)
ok $([ $rc = 0 ] && [ "$(readlink "$scratch/result")" = "$out2" ] &&
	[ "$(readlink "$scratch/result-2")" = "$img" ] &&
	grep -qx "result-2 -> $img (2.9 KiB)" "$scratch/r2.err"; echo $?) \
	"build: result, result-2 for the second target; a file's size is said"
diag "$scratch/r2.err"
d build two.scm --no-link -- three > "$scratch/r3" 2> "$scratch/r3.err"
out3=$(cut -d' ' -f2 "$scratch/r3")
ok $([ -d "$out3" ] && ! grep -q '^result' "$scratch/r3.err" && [ "$(readlink "$scratch/result")" = "$out2" ]; echo $?) \
	"build --no-link: no link made, none changed"
echo x > "$scratch/notalink"
d build two.scm -o notalink -- three > /dev/null 2> "$scratch/r4.err"
ok $([ $? != 0 ] && grep -q 'notalink is there and is not a symlink' "$scratch/r4.err" &&
	[ "$(cat "$scratch/notalink")" = x ]; echo $?) "a file that is not a link is not replaced"
d gc -n > "$scratch/gc0" 2>&1
ok $([ $? = 0 ] && grep -q "^$st/rec/plan/$leaf1\$" "$scratch/gc0" && [ -e "$st/rec/plan/$leaf1" ]; echo $?) \
	"gc -n lists what it would remove, and removes nothing"
d gc > /dev/null 2>&1
ok $([ -d "$out1" ] && [ -d "$out2" ] && [ -f "$img" ] && [ -d "$out3" ]; echo $?) \
	"gc keeps what result links point to, and the last build of each name"
d fsck > "$scratch/fsck" 2>&1
ok $? "fsck finds the store sound (name records, indirect roots)"
diag "$scratch/fsck"
rm "$scratch/keep"
d gc > /dev/null 2>&1
ok $([ ! -e "$out1" ] && [ -d "$out2" ] && [ -z "$(find "$st/roots" -type l -lname "$scratch/keep")" ]; echo $?) \
	"a result link removed: gc removes its output and drops its root"
d gc --all > /dev/null 2>&1
ok $([ -d "$out2" ] && [ -f "$img" ] && [ ! -e "$out3" ] && [ -z "$(ls "$st/rec/name")" ]; echo $?) \
	"gc --all: the last builds go, what result links hold stays"

done_testing
