#!/bin/sh
# The toolchain: scripts/fill-mirror puts musl's source in a mirror
# directory (from Debian's source package, by its upstream name and its
# BLAKE2b pin); musl builds from it in the sandbox with the seed; and
# x86_64-linux-musl-gcc makes a static-pie program that runs on the host,
# prints hello, has no interpreter and holds no build paths.
. "$(dirname "$0")/lib.sh"

mkdir -p "$scratch/debs" "$scratch/mirror"
cp "$top"/seed/debs/*.deb "$scratch/debs/"
cp "$top/scripts/fill-mirror" "$scratch/bin/"
chmod -R a+rwX "$scratch/debs" "$scratch/mirror" "$scratch/bin/fill-mirror"

t0=$(date +%s)
as_user "DISTILL=$distill $scratch/bin/fill-mirror $scratch/mirror > mirror.out 2> mirror.err"
ok $? "fill-mirror fills a mirror directory as an ordinary user"
echo "fill-mirror: $(($(date +%s) - t0)) s" | diag
diag < "$scratch/mirror.err"
set -- $(grep ' musl-1.2.3.tar.gz$' "$scratch/mirror.out")
pin=${1:-none}
ok $(echo '7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4  musl-1.2.3.tar.gz' |
	(cd "$scratch/mirror" && sha256sum -c --quiet -) &&
	cmp -s "$scratch/mirror/musl-1.2.3.tar.gz" "$scratch/mirror/$pin" &&
	[ "$($distill sum "$scratch/mirror/$pin" | cut -d ' ' -f 1)" = "$pin" ]; echo $?) \
	"musl-1.2.3.tar.gz is upstream's (its published sha256), also under its BLAKE2b pin"

cat > "$scratch/tc.scm" <<'EOS'
(import (distill plan) (distill seed) (distill toolchain))
(define seed (seed-plan))
(define libc (musl seed))
(list libc
      (make-plan name: "hello-musl"
        inputs: (append (gcc+musl-static seed libc)
                        (list (interned "/src/hello/hello.c" #o644 "#include <stdio.h>
#include <math.h>
int main(int argc, char **argv) {
	(void)argv;
	puts(\"hello\");
	if (argc > 1) printf(\"%s %g\\n\", __FILE__, sqrt((double)argc));
	return 0;
}
")
                              (interned "/build" #o755 "#!/bin/sh
set -eu
mkdir -p /tmp/work /out/bin
cd /tmp/work
x86_64-linux-musl-gcc -O2 -g -c /src/hello/hello.c -o hello.o
x86_64-linux-musl-cc -g -o /out/bin/hello hello.o -lm
x86_64-linux-musl-strip -o /out/bin/hello-stripped /out/bin/hello
/out/bin/hello > /out/ran-inside
")))
        timeout: 300))
EOS
chmod a+r "$scratch/tc.scm"
t0=$(date +%s)
as_user "DISTILL_SEED=$scratch/debs DISTILL_MIRRORS=$scratch/mirror $distill --store $scratch/store build tc.scm > out 2> err"
ok $? "musl builds from source with the seed, and x86_64-linux-musl-gcc builds hello"
echo "seed, musl and hello: $(($(date +%s) - t0)) s" | diag
diag < "$scratch/err"
sysroot=$(sed -n 1p "$scratch/out" | cut -d ' ' -f 2)
out=$(sed -n 2p "$scratch/out" | cut -d ' ' -f 2)
hello="$out/bin/hello"

ok $([ -f "$sysroot/usr/lib/libc.a" ] && [ -f "$sysroot/usr/lib/rcrt1.o" ] &&
	[ -f "$sysroot/usr/include/stdio.h" ] && [ ! -e "$sysroot/usr/lib/libc.so" ]; echo $?) \
	"musl's output is a static sysroot: usr/include, usr/lib/libc.a and crt files"
ok $([ "$(as_user "$hello")" = hello ] && [ "$(as_user "$out/bin/hello-stripped")" = hello ]; echo $?) \
	"the program runs on the host and prints hello"
ok $([ "$(as_user "$hello x")" = "$(printf 'hello\nhello/hello.c 1.41421')" ]; echo $?) \
	"__FILE__ is relative (the build's directories are mapped out)"
readelf -lh "$hello" > "$scratch/elf"
ok $(grep -q 'DYN (Position-Independent Executable' "$scratch/elf" && ! grep -q INTERP "$scratch/elf"; echo $?) \
	"it is position-independent and has no interpreter (static-pie)"
f=$(file -b "$hello")
ok $(echo "$f" | grep -q 'static-pie linked'; echo $?) "file says: $f"
ok $(! grep -a -q -e /tmp -e /src -e /build "$hello" && ! grep -a -q -e /tmp -e /src "$out/bin/hello-stripped"; echo $?) \
	"no /tmp, /src or /build path in the binary, even with debug information"
ok $(! grep -a -q -i -e glibc -e 'GNU C Library' -e ld-linux "$hello" && grep -qx hello "$out/ran-inside"; echo $?) \
	"nothing of glibc is linked in"

done_testing
