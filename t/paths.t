#!/bin/sh
# Paths in plans are absolute and normalised where Scheme values become
# plans: "//", "/./" and a trailing "/" fold (so two spellings of a path
# are one plan), a ".." inside resolves, and a ".." above / is refused as a
# recipe error (exit 3) before anything is built or written.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"

# 1. A ".." above / in an artifact path, a base directory or a symlink's
# path: exit 3, nothing built, nothing written outside the build root.
for bad in '(interned "/../../../../tmp/escaped-file" #o644 "x")' \
	   '(make-input basedir: "/a/../../../../tmp" link: (interned "/escaped-file" #o644 "x"))' \
	   '(interned-symlink "/../../../../tmp/escaped-file" "/etc/passwd")'; do
	rm -f /tmp/escaped-file
	cat > "$scratch/bad.scm" <<EOS
(import (distill plan))
(make-plan name: "bad"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox echo built > /out/x")
                $bad))
EOS
	chmod a+r "$scratch/bad.scm"
	as_user "$distill --store $st build bad.scm > bad.out 2> bad.err"
	rc=$?
	ok $([ $rc = 3 ] && grep -q "^bad.scm:6:17: error: .*'..' climbs above /" "$scratch/bad.err" &&
		! grep -q building "$scratch/bad.err" && [ ! -s "$scratch/bad.out" ] &&
		[ ! -e /tmp/escaped-file ] && ! ls "$st/rec/out" 2>/dev/null | grep -q .; echo $?) \
		"refused with the recipe's line, exit 3 ($rc), nothing built: $bad"
	diag < "$scratch/bad.err"
done

# 2. Two spellings of one path are one plan; a ".." that stays under /
# resolves.
cat > "$scratch/spell.scm" <<EOS
(import (distill plan))
(define (p path base)
  (make-plan name: "spell"
    inputs: (list (local-archive "$scratch/busybox.deb")
                  (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox cp -r /usr /out/")
                  (make-input basedir: base link: (interned path #o644 "x")))))
(list (p "/usr//bin/x" "/") (p "/usr/bin/x" "/") (p "/usr/./lib/../bin/x/" "//"))
EOS
chmod a+r "$scratch/spell.scm"
as_user "$distill --store $st -n build spell.scm > spell.out 2> spell.err"
ok $([ $? = 0 ] && [ "$(wc -l < "$scratch/spell.out")" = 1 ]; echo $?) \
	"/usr//bin/x, /usr/bin/x and /usr/./lib/../bin/x/ (base //) are one plan"
diag < "$scratch/spell.out"
diag < "$scratch/spell.err"
cat > "$scratch/spell2.scm" <<EOS
(import (distill plan))
(define (p path)
  (make-plan name: "spell" inputs: (list (interned "/build" #o755 "x") (interned path #o644 "x"))))
(display (equal? (plan-encoding-hash (p "/usr//bin/x")) (plan-encoding-hash (p "/usr/bin/x"))))
EOS
chmod a+r "$scratch/spell2.scm"
ok $([ "$(as_user "$distill --store $st run spell2.scm")" = "#t" ]; echo $?) \
	"and (distill plan) computes them one plan hash"
done_testing
