#!/bin/sh
# A plan's file input (another plan's raw output, a blob of the store) is
# placed in its layer as a hard link to the blob, not a copy, when the
# modes agree; an input whose mode differs (executable) is still copied.
# The build sees the same bytes either way.  As root and as an ordinary
# user, each in a store of its own.
. "$(dirname "$0")/lib.sh"

plan_script "$scratch/big.scm" big '
head -c 3000000 /dev/zero | tr "\0" x > /out/big.img
' 'raw-output: "/big.img"'
cat > "$scratch/use.scm" <<EOS
(import (distill plan))
(define big $(sed 1d "$scratch/big.scm"))
(make-plan name: "use"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (make-input basedir: "/in" link: big)
                (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox wc -c < /in/big.img > /out/size
/bin/busybox md5sum < /in/big.img >> /out/size
")))
EOS
chmod a+r "$scratch/big.scm" "$scratch/use.scm"

as_self() { sh -c "$*"; }
check() { # check WHO RUN: RUN runs a command as WHO, in the store $st
	who=$1 run=$2
	$run "$distill --store $st build --no-link $scratch/big.scm > $st.big 2> $st.err"
	ok $? "$who: the raw output plan builds"
	blob=$(cut -d ' ' -f 2 "$st.big")
	$run "$distill --store $st build -o $st.result $scratch/use.scm > $st.use 2>> $st.err"
	ok $? "$who: a plan with it as input builds"
	diag < "$st.err"
	ok $([ "$(cat "$st.result/size")" = "$(printf '3000000\n'; head -c 3000000 /dev/zero | tr '\0' x | md5sum)" ]
		echo $?) "$who: the build read the input's bytes"
	ino=$(stat -c %i "$blob")
	links=$(find "$st/layers" -type f -name big.img -inum "$ino" | wc -l)
	copies=$(find "$st/layers" -type f -name big.img ! -inum "$ino" | wc -l)
	ok $([ "$links" = 1 ] && [ "$copies" = 0 ]; echo $?) \
		"$who: the layer holds the blob itself (hard links $links, copies $copies)"
	build=$(find "$st/layers" -type f -path '*/root/build' | head -n 1)
	ok $([ -n "$build" ] && [ "$(stat -c %h "$build")" = 1 ] && [ "$(stat -c %a "$build")" = 555 ]
		echo $?) "$who: the executable /build (mode 0555, its blob 0444) is a copy"
	$run "$distill --store $st fsck > $st.fsck 2>&1"
	ok $? "$who: fsck finds the store sound"
	diag < "$st.fsck"
}

st=$scratch/root-store
check root as_self
st=$scratch/user-store
check "an ordinary user" as_user
done_testing
