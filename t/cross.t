#!/bin/sh
# Cross-compiling, end to end: (distill base)'s toolchains for aarch64 and
# ppc64le (Debian's pinned gcc-12 cross compilers over the seed, wrapped
# for musl; musl 1.2.3 built from source with each) build pkg/hello,
# busybox-core and zlib, as an ordinary user in the shared store: for
# aarch64 in make check, for both under make check-full.
# The binaries are the target's (ELF machine and byte order, read by
# readelf), static, and run under qemu-user: hello greets, busybox's ash
# runs a shell command; libz.a's objects are the target's.  `distill build
# --arch aarch64 hello` names the same plan as the script; linux-static,
# x86_64's alone, is refused for aarch64 with a clear error.  hello for
# aarch64 is bit-identical when built again in a fresh store by another
# user (root; the ordinary user when the test runs as one).  Under make
# check-full: busybox and zlib for both arches rebuilt the same way, and
# xz, zstd and openssl for aarch64 (openssl computes a digest under qemu).
. "$(dirname "$0")/lib.sh"

for q in qemu-aarch64-static qemu-ppc64le-static readelf; do
	command -v $q >/dev/null ||
		{ echo "Bail out! $q is not installed (scripts/setup-debian installs qemu-user-static and binutils)"; exit 1; }
done

use_mirror
st=$shared_store
# CI builds for aarch64; make check-full adds ppc64le (its musl and three
# packages take about two and a half minutes here).
arches=aarch64
[ "${DISTILL_CHECK_FULL:-}" = 1 ] && arches="aarch64 ppc64le"
cp -r "$top/pkg" "$scratch/pkg"
cat > "$scratch/cross.scm" <<EOS
(import (srfi srfi-1) (distill base) (distill package) (pkg hello) (pkg busybox) (pkg zlib))
(append-map (lambda (arch)
              (map (expander (default-config arch)) (list hello busybox-core zlib)))
            '($arches))
EOS
cat > "$scratch/hello-aarch64.scm" <<'EOS'
(import (distill base) (distill package) (pkg hello))
((expander (default-config 'aarch64)) hello)
EOS
chmod -R a+rX "$scratch"

t0=$(date +%s)
as_user "$mirror_env $distill --store $st -j2 build cross.scm > out1 2> err1"
ok $? "hello, busybox-core and zlib build for $arches"
echo "musl and the three packages for $arches: $(($(date +%s) - t0)) s" | diag
grep -v '^;;;' "$scratch/err1" | grep -v '^built\|^building' | tail -n 20 | diag
for arch in $arches; do
	for p in hello busybox zlib; do
		read -r hash path || break
		eval "${p}_$arch=\$path ${p}_${arch}_hash=\$hash"
	done
done < "$scratch/out1"

# machine ARCH FILE: FILE's ELF header names ARCH's machine, 64-bit,
# little endian.
machine() {
	h=$(readelf -h "$2" 2>/dev/null) || return 1
	case $1 in
	aarch64) m=AArch64 ;;
	ppc64le) m=PowerPC64 ;;
	esac
	echo "$h" | grep -q "Machine: *$m" &&
		echo "$h" | grep -q 'Class: *ELF64' &&
		echo "$h" | grep -q 'little endian'
}

for arch in $arches; do
	eval "hello=\${hello_$arch:-/nonexistent}/usr/bin/hello busybox=\${busybox_$arch:-/nonexistent}/bin/busybox zlib=\${zlib_$arch:-/nonexistent}"
	ok $(machine $arch "$hello" && machine $arch "$busybox"; echo $?) \
		"$arch: hello and busybox are $arch ELF64 little-endian programs"
	f=$(file -b "$hello")
	ok $(echo "$f" | grep -q 'static-pie linked'; echo $?) "$arch: hello is static-pie: $f"
	out=$(qemu-$arch-static "$hello" 2>&1)
	ok $([ "$out" = "Hello, world!" ]; echo $?) "$arch: hello greets under qemu-$arch-static: $out"
	out=$(qemu-$arch-static "$busybox" sh -c 'echo $((6 * 7)) $(echo cross | tr a-z A-Z)' 2>&1)
	ok $([ "$out" = "42 CROSS" ]; echo $?) "$arch: busybox's ash runs a shell command under qemu: $out"
	ok $(machine $arch "$zlib/usr/lib/libz.a" && [ -f "$zlib/usr/include/zlib.h" ]; echo $?) \
		"$arch: zlib gives libz.a of $arch objects, and zlib.h"
	# Nothing of the build machine in the binary: no glibc, no build paths.
	ok $(! grep -q -a 'GLIBC_\|/tmp/\|/src/hello' "$hello"; echo $?) \
		"$arch: hello holds no glibc symbol versions and no build paths"
done
full_only 6 "ppc64le: hello, busybox and zlib built and run" || :

as_user "$mirror_env $distill --store $st -j2 build --arch aarch64 hello > out-arch 2> err-arch"
ok $([ "$(cut -d ' ' -f 1 "$scratch/out-arch")" = "${hello_aarch64_hash:-none}" ]; echo $?) \
	"distill build --arch aarch64 hello gives the script's plan's output"
as_user "$distill --store $st build --arch sparc hello > out-bad 2> err-bad"
rc=$?
ok $([ $rc = 3 ] && grep -q 'unknown architecture sparc' "$scratch/err-bad"; echo $?) \
	"--arch sparc is refused naming the architectures there are (exit $rc)"

cat > "$scratch/linux-aarch64.scm" <<'EOS'
(import (distill base) (distill package) (pkg linux))
((expander (default-config 'aarch64)) linux-static)
EOS
chmod a+r "$scratch/linux-aarch64.scm"
as_user "$distill --store $st build -n linux-aarch64.scm > out-linux 2> err-linux"
rc=$?
ok $([ $rc = 3 ] && grep -q 'linux-static-.* builds only for x86_64.*not aarch64' "$scratch/err-linux"; echo $?) \
	"a package that cannot cross-compile says so, naming itself and the reason (exit $rc)"

rebuild_fresh "hello for aarch64" "$scratch" hello-aarch64.scm "$scratch/out2"
ok $([ "$(cut -d ' ' -f 1 "$scratch/out2")" = "${hello_aarch64_hash:-none}" ]; echo $?) \
	"hello for aarch64 is bit-identical from a fresh store, built by another user"

if full_only 2 "busybox and zlib rebuilt for both arches"; then
	rm -rf "$scratch/other/store2"
	rebuild_fresh "the cross set" "$scratch" cross.scm "$scratch/out3"
	ok $([ -s "$scratch/out3" ] &&
		[ "$(cut -d ' ' -f 1 "$scratch/out1")" = "$(cut -d ' ' -f 1 "$scratch/out3")" ]; echo $?) \
		"hello, busybox-core and zlib for both arches are bit-identical from a fresh store"
fi

if full_only 3 "xz, zstd and openssl for aarch64"; then
	cat > "$scratch/more.scm" <<'EOS'
(import (distill base) (distill package) (pkg xz) (pkg zstd) (pkg openssl))
(map (expander (default-config 'aarch64)) (list xz zstd openssl))
EOS
	chmod a+r "$scratch/more.scm"
	t0=$(date +%s)
	as_user "$mirror_env $distill --store $st -j2 build more.scm > out-more 2> err-more"
	ok $? "xz, zstd and openssl build for aarch64"
	echo "xz, zstd and openssl for aarch64: $(($(date +%s) - t0)) s" | diag
	grep -v '^;;;' "$scratch/err-more" | grep -v '^built\|^building' | tail -n 20 | diag
	{ read -r _ xz; read -r _ zstd; read -r _ openssl; } < "$scratch/out-more"
	out=$(echo hello | qemu-aarch64-static "${xz:-/x}/usr/bin/xz" | qemu-aarch64-static "${xz:-/x}/usr/bin/xz" -d 2>&1;
	      echo hello | qemu-aarch64-static "${zstd:-/x}/usr/bin/zstd" -q | qemu-aarch64-static "${zstd:-/x}/usr/bin/zstd" -dq 2>&1)
	ok $([ "$out" = "hello
hello" ]; echo $?) "xz and zstd for aarch64 round-trip under qemu: $out"
	out=$(printf abc | qemu-aarch64-static "${openssl:-/x}/usr/bin/openssl" dgst -sha256 2>&1)
	ok $(echo "$out" | grep -q 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'; echo $?) \
		"openssl for aarch64 computes SHA-256 under qemu: $out"
fi

done_testing
