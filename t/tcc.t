#!/bin/sh
# The tcc seed (lib/distill/tcc-seed.scm, pkg/tcc-stage1.scm): the check
# that two tcc rounds are bit-identical passes on equal trees and fails on
# different ones (cheap: two small plans); then, under make check-full,
# the whole chain from Debian's tcc as an ordinary user: the pins hold,
# round 2 = round 3, a perturbed round makes the check fail, hello built
# by stage 1 alone greets, zlib builds, and stage 1 holds nothing of gcc.
. "$(dirname "$0")/lib.sh"

mkdir -p "$scratch/debs"
cp "$top"/seed/debs/*.deb "$scratch/debs/"
chmod -R a+rX "$scratch/debs"
st=$scratch/store

# Two "rounds" of our own: the same tree twice, and one byte changed.
cat > "$scratch/check.scm" <<'EOS'
(import (distill plan) (distill tcc-seed))
(define (round name byte)
  (make-plan name: name
    inputs: (list (caddr (tcc-seed-artifacts))
                  (interned "/build" #o755
                            (string-append "#!/bin/busybox sh
/bin/busybox mkdir -p /out/usr/bin
echo tcc" byte " > /out/usr/bin/tcc
")))))
(define a (round "round-a" "1"))
(list (tcc-fixpoint a (round "round-a2" "1"))
      (tcc-fixpoint a (round "round-b" "2")))
EOS
chmod a+r "$scratch/check.scm"
# Build each target alone: -k keeps building the first when the second fails.
as_user "DISTILL_SEED=$scratch/debs $distill --store $st build -k check.scm > check.out 2> check.err"
rc=$?
ok $([ $rc = 1 ] && [ "$(grep -c . "$scratch/check.out")" = 1 ] &&
	grep -q '^failed: tcc-fixpoint' "$scratch/check.err" &&
	grep -q 'tcc-fixpoint: the two rounds differ in content' "$scratch/check.err" &&
	grep -q '^built tcc-fixpoint' "$scratch/check.err"; echo $?) \
	"tcc-fixpoint passes on identical rounds and fails on rounds one byte apart (exit $rc)"
grep -v '^;;;' "$scratch/check.err" | tail -n 15 | diag

if full_only 6 "the tcc chain from the seed (about 6 minutes on 2 cores)"; then
	use_mirror
	t0=$(date +%s)
	as_user "$mirror_env $distill --store $st build -j2 tcc-stage1 > s1.out 2> s1.err"
	rc=$?
	ok $rc "distill build tcc-stage1: the seed, three tcc rounds, the fixpoint, make, busybox, every pin held (exit $rc)"
	echo "tcc-stage1 from nothing: $(($(date +%s) - t0)) s" | diag
	grep -v '^;;;' "$scratch/s1.err" | tail -n 20 | diag
	stage1=$(cut -d ' ' -f 2 "$scratch/s1.out")

	cat > "$scratch/hello.scm" <<'EOS'
(import (pkg tcc-stage1))
(list tcc-stage1-hello tcc-stage1-zlib)
EOS
	chmod a+r "$scratch/hello.scm"
	t0=$(date +%s)
	as_user "$mirror_env $distill --store $st build hello.scm > hello.out 2> hello.err"
	rc=$?
	echo "hello and zlib by stage 1: $(($(date +%s) - t0)) s" | diag
	grep -v '^;;;' "$scratch/hello.err" | tail -n 20 | diag
	hello=$(sed -n 1p "$scratch/hello.out" | cut -d ' ' -f 2)
	zlib=$(sed -n 2p "$scratch/hello.out" | cut -d ' ' -f 2)
	ok $([ $rc = 0 ] && [ "$("$hello/usr/bin/hello")" = 'Hello, world!' ] &&
		[ "$(cat "$hello/ran-inside")" = 'Hello, world!' ] &&
		file "$hello/usr/bin/hello" | grep -q 'statically linked'; echo $?) \
		"hello built by stage 1 alone greets, inside the sandbox and here, statically linked"
	ok $([ -s "$zlib/usr/lib/libz.a" ] && [ -f "$zlib/usr/include/zlib.h" ]; echo $?) \
		"zlib built by stage 1 alone: libz.a and zlib.h"

	# No gcc in stage 1: no file named after it, no ELF file (or archive
	# member) whose .comment section (where gcc signs what it compiles) or
	# bytes say GCC, none with the notes gcc and binutils add and tcc does
	# not (.note.gnu.build-id, .note.gnu.property: Debian strips .comment
	# but keeps them).  gcc_signed finds Debian's tcc, busybox and libc.
	gcc_signed() {
		(cd "$1" && find . -iname '*gcc*'
		find . -type f | while read -r f; do
			if [ "$(head -c 4 "$f")" = "$(printf '\177ELF')" ] || case $f in *.a|*.o) true ;; *) false ;; esac; then
				{ readelf -p .comment "$f" 2>/dev/null; strings -a "$f"; } | grep -q 'GCC' && echo "$f"
				readelf -S -W "$f" 2>/dev/null | grep -qE '\.note\.gnu\.(build-id|property)' && echo "$f"
			fi
		done) | sort -u
	}
	mkdir "$scratch/tcc-seed"
	for d in "$scratch"/debs/tcc_*.deb "$scratch"/debs/busybox-static_*.deb; do
		dpkg-deb -x "$d" "$scratch/tcc-seed"
	done
	ok $([ "$(gcc_signed "$scratch/tcc-seed" | grep -c -E '^\./(usr/bin/tcc|bin/busybox)$')" = 2 ]; echo $?) \
		"the gcc check finds gcc's marks on the seed's tcc and busybox (Debian's, built by gcc)"
	gccish=$(gcc_signed "$stage1")
	ok $([ -z "$gccish" ] && [ -x "$stage1/usr/bin/tcc" ] && [ -x "$stage1/bin/sh" ] &&
		[ -x "$stage1/usr/bin/make" ]; echo $?) "stage 1 (tcc, musl, make, busybox) holds no gcc: no file named so, none signed by it"
	[ -z "$gccish" ] || echo "$gccish" | diag

	# A perturbed third round (its tcc.c compiled with another name for
	# libtcc1.a; -g would not do: tcc's linker drops the debug sections)
	# is not round 2: the check fails and says so.
	cat > "$scratch/perturb.scm" <<'EOS'
(import (distill tcc-seed) (only (pkg tcc-stage1) tcc-round-2))
(tcc-fixpoint tcc-round-2
              (tcc-round 3 tcc-round-2 #:cflags "-DTCC_LIBTCC1='\"libtcc1-perturbed.a\"'"))
EOS
	chmod a+r "$scratch/perturb.scm"
	as_user "$mirror_env $distill --store $st build perturb.scm > perturb.out 2> perturb.err"
	rc=$?
	ok $([ $rc = 1 ] && grep -q 'tcc-fixpoint: the two rounds differ' "$scratch/perturb.err"; echo $?) \
		"a perturbed round makes tcc-fixpoint fail (exit $rc)"
	grep -v '^;;;' "$scratch/perturb.err" | tail -n 8 | diag
fi

done_testing
