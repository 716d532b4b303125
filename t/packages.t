#!/bin/sh
# Real packages, end to end: pkg/hello, zlib, bzip2, m4 and make built
# with (distill base)'s toolchain (the seed, musl from source,
# x86_64-linux-musl-gcc) in one distill invocation (-j2), from sources
# that scripts/fill-mirror takes from Debian's source packages.  The
# programs run on the host and are static; the same set built in a second
# store, as an ordinary user, with another umask, TZ and -j1, gives the
# same output hashes; and (under make check-full) `distill verify` reports
# every plan reproducible.  The first build goes into the run's second
# store, where the later tests' fresh rebuilds find the toolchain.
#
# The mirror is seed/mirror of the checkout (ignored by git), filled once
# and reused by later runs (fill-mirror skips what is there); when the
# checkout is not writable it is a scratch directory.  Builds read a copy
# of the files in the scratch directory, which the ordinary user can reach.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
use_mirror
cp -r "$top/pkg" "$scratch/pkg"
names="hello zlib bzip2 m4 make"
cat > "$scratch/pkgs.scm" <<EOS
(import (distill base) (distill package)
        $(for n in $names; do printf '(pkg %s) ' "$n"; done))
(map (expander (default-config 'x86_64)) (list $names))
EOS
chmod -R a+rX "$scratch"
env=$mirror_env

(cd "$scratch" && env $env "$distill" --store "$second_store" fetch pkgs.scm > fetch.out 2> fetch.err)
ok $? "distill fetch gets every source the set needs"
# Then build with --offline, in a network namespace that has no route
# anywhere: the seed and the fetched sources are all it has.
t0=$(date +%s)
(cd "$scratch" && env $env unshare -rn "$distill" --store "$second_store" --offline -j2 build pkgs.scm \
	> out1 2> err1)
ok $? "hello, zlib, bzip2, m4 and make build offline with no network, in one invocation (-j2)"
echo "first build (seed, musl and the five): $(($(date +%s) - t0)) s" | diag
grep -v '^;;;' "$scratch/err1" | diag
set -- $names
while read -r hash path; do
	eval "out_$1=\$path"
	echo "$1 $hash" | diag
	shift
done < "$scratch/out1"
[ $# = 0 ] || { echo "Bail out! expected one output per package, got $(wc -l < "$scratch/out1")"; exit 1; }

hello=${out_hello:-/nonexistent}/usr/bin/hello
ok $([ "$("$hello")" = "Hello, world!" ]; echo $?) "hello runs on the host and greets"
f=$(file -b "$hello")
ok $(echo "$f" | grep -q 'static-pie linked\|statically linked'; echo $?) "hello is static: $f"
make=${out_make:-/nonexistent}/usr/bin/make
ok $("$make" --version | head -n 1 | grep -qx 'GNU Make 4.3'; echo $?) \
	"make --version runs on the host: $("$make" --version | head -n 1)"
ok $(printf 'all: a b\n\t@echo $(sort $^)\na b:\n\t@:\n' |
	"$make" -s -j2 -f - | grep -qx 'a b'; echo $?) "make runs a makefile with -j2"
ok $([ "$(echo hi | "$out_bzip2/usr/bin/bzip2" | "$out_bzip2/usr/bin/bzcat")" = hi ]; echo $?) \
	"bzip2 and bzcat round-trip"
ok $([ "$(echo 'define(x, y)x' | "$out_m4/usr/bin/m4")" = y ]; echo $?) "m4 expands a macro"
ok $([ -f "$out_zlib/usr/lib/libz.a" ] && [ -f "$out_zlib/usr/include/zlib.h" ]; echo $?) \
	"zlib gives libz.a and zlib.h"

# The second build: -j1, as another user, with another umask and TZ.
t0=$(date +%s)
as_user "umask 077; TZ=Pacific/Chatham $env $distill --store $scratch/store2 -j1 build pkgs.scm > out2 2> err2"
ok $? "the same set builds in a second store as an ordinary user (umask 077, TZ, -j1)"
echo "second build: $(($(date +%s) - t0)) s" | diag
grep -v '^;;;' "$scratch/err2" | diag
ok $([ -s "$scratch/out1" ] &&
	[ "$(cut -d ' ' -f 1 "$scratch/out1")" = "$(cut -d ' ' -f 1 "$scratch/out2")" ]; echo $?) \
	"every output hash is identical"

# verify's own rebuild, a third build in a fresh store, is check-full's.
if full_only 2 "distill verify of the set"; then
	(cd "$scratch" && env $env "$distill" --store "$second_store" -j2 verify pkgs.scm > verify 2> verify.err)
	verify_status=$?
	[ $verify_status = 0 ] || grep -v '^;;;' "$scratch/verify.err" | tail -n 20 | diag
	ok $verify_status "distill verify rebuilds the set in a fresh store"
	diag < "$scratch/verify"
	all_reproducible() {
		n=$(grep -c '^reproducible ' "$scratch/verify")
		grep -q "^$n of $n plans reproducible" "$scratch/verify" || return 1
		for p in seed musl-1.2.3 hello-2.10 zlib-1.2.13 bzip2-1.0.8 m4-1.4.19 make-4.3; do
			grep -q "^reproducible $p " "$scratch/verify" || return 1
		done
	}
	all_reproducible
	ok $? "every plan is reported reproducible"
fi

echo "whole test: $(($(date +%s) - start)) s" | diag
done_testing
