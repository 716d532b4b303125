#!/bin/sh
# distill verify: every plan rebuilt in a fresh store, compared plan by plan.
. "$(dirname "$0")/lib.sh"

cat > "$scratch/two.scm" <<EOS
(import (distill plan))
(define bb (local-archive "$scratch/busybox.deb"))
(define leaf (make-plan name: "leaf" inputs: (list bb (interned "/build" #o755 "#!/bin/busybox sh\necho stable > /out/x\n"))))
(make-plan name: "top"
  inputs: (list bb (make-input basedir: "/leaf" link: leaf)
                (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox cp /leaf/x /out/y\n")))
EOS
TMPDIR="$scratch" "$distill" --store "$scratch/st" verify "$scratch/two.scm" > "$scratch/out" 2> "$scratch/err"
ok $? "a reproducible target verifies"
ok $([ "$(grep -c '^reproducible ' "$scratch/out")" = 2 ] && grep -q '^2 of 2 plans reproducible' "$scratch/out"; echo $?) \
	"each plan of it is reported reproducible"
ok $([ -z "$(ls "$scratch" | grep distill-verify)" ]; echo $?) "and the fresh store is removed"

plan_script "$scratch/rand.scm" noisy 'head -c 16 /dev/urandom > /out/noise'
TMPDIR="$scratch" "$distill" --store "$scratch/st" verify "$scratch/rand.scm" > "$scratch/out" 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q '^DIFFERS noisy: .* diff -r ' "$scratch/out"; echo $?) \
	"a plan that is not reproducible is named, with the two outputs to compare"
cat "$scratch/out" | diag
kept=$(sed -n 's/^the fresh store is kept at //p' "$scratch/out")
ok $([ -d "$kept/trees" ]; echo $?) "and the fresh store is kept for inspection"
done_testing
