#!/bin/sh
# ppc64le beyond hello, and cross-built packages rebuilt bit for bit, all
# under make check-full (their cross builds of openssl, openssh, chrony...
# take the better part of an hour here).
# 1. `distill build --arch ppc64le NAME` builds xz, zstd and openssl as an
#    ordinary user in the shared store; each program is a PowerPC64
#    little-endian ELF64 static program, and runs under
#    qemu-ppc64le-static: xz and zstd round-trip a file, openssl's SHA-256
#    of a file is the host's sha256sum.
# 2. The two-store check: hello, busybox-core, zlib, xz, zstd and openssl
#    for ppc64le, and the packages of the example system cross-built for
#    aarch64 (busybox-full, zlib, openssl, libcap, chrony, dhcpcd, wget,
#    openssh, e2fsprogs), built again in the run's second store by
#    another user (t/lib.sh's rebuild_fresh), give the same output hashes.
. "$(dirname "$0")/lib.sh"

need_tools qemu-ppc64le-static readelf file sha256sum
if ! full_only 11 "xz, zstd and openssl for ppc64le, and cross-built packages rebuilt in a fresh store"; then
	done_testing
	exit
fi

use_mirror
st=$shared_store

# 1. xz, zstd and openssl for ppc64le, by name.
t0=$(date +%s)
for p in xz zstd openssl; do
	as_user "$mirror_env $distill --store $st -j2 build --arch ppc64le $p > out-$p 2> err-$p"
	rc=$?
	ok $rc "distill build --arch ppc64le $p (exit $rc)"
	[ $rc = 0 ] || grep -v '^;;;' "$scratch/err-$p" | grep -v '^built\|^building' | tail -n 20 | diag
	eval "$p=\$(cut -d ' ' -f 2 \"\$scratch/out-$p\")"
done
echo "xz, zstd and openssl for ppc64le (with musl): $(($(date +%s) - t0)) s" | diag
xz=${xz:-/x}/usr/bin/xz zstd=${zstd:-/x}/usr/bin/zstd openssl=${openssl:-/x}/usr/bin/openssl

# ppc64le FILE: FILE is a PowerPC64 little-endian ELF64 program with no
# program interpreter (static).
ppc64le() {
	h=$(readelf -lh "$1" 2>/dev/null) || return 1
	echo "$h" | grep -q 'Machine: *PowerPC64' &&
		echo "$h" | grep -q 'Class: *ELF64' &&
		echo "$h" | grep -q 'little endian' &&
		! echo "$h" | grep -q INTERP
}
ok $(ppc64le "$xz" && ppc64le "$zstd" && ppc64le "$openssl"; echo $?) \
	"xz, zstd and openssl are static PowerPC64 little-endian programs: $(file -b "$openssl")"

q=qemu-ppc64le-static
head -c 300000 "$distill" > "$scratch/data"
"$q" "$xz" -k "$scratch/data" && mv "$scratch/data" "$scratch/data.orig" &&
	"$q" "$xz" -d "$scratch/data.xz" && cmp -s "$scratch/data" "$scratch/data.orig"
ok $? "xz for ppc64le compresses a file and gets it back, under $q"
"$q" "$zstd" -q "$scratch/data" -o "$scratch/data.zst" &&
	"$q" "$zstd" -dq "$scratch/data.zst" -o "$scratch/data.back" && cmp -s "$scratch/data" "$scratch/data.back"
ok $? "zstd for ppc64le compresses a file and gets it back, under $q"
want=$(sha256sum < "$scratch/data" | cut -d ' ' -f 1)
got=$("$q" "$openssl" dgst -sha256 -r "$scratch/data" 2>&1)
ok $([ "${got%% *}" = "$want" ]; echo $?) "openssl for ppc64le computes the host's SHA-256, under $q: $got"

# 2. The two-store check.
cp -r "$top/pkg" "$scratch/pkg"
ppc="hello busybox-core zlib xz zstd openssl"
arm="busybox-full zlib openssl libcap chrony dhcpcd wget openssh e2fsprogs"
cat > "$scratch/cross.scm" <<EOS
(import (distill base) (distill package) (pkg hello) (pkg busybox) (pkg zlib)
        (pkg xz) (pkg zstd) (pkg openssl) (pkg libcap) (pkg chrony)
        (pkg dhcpcd) (pkg wget) (pkg openssh) (pkg e2fsprogs))
(append (map (expander (default-config 'ppc64le)) (list $ppc))
        (map (expander (default-config 'aarch64)) (list $arm)))
EOS
chmod -R a+rX "$scratch"
t0=$(date +%s)
as_user "$mirror_env $distill --store $st -j2 build cross.scm > out1 2> err1"
ok $? "the ppc64le set and the example's aarch64 packages build in the shared store"
echo "in the shared store: $(($(date +%s) - t0)) s" | diag
rebuild_fresh "the cross-built packages" "$scratch" cross.scm "$scratch/out2"
same_outputs "$scratch/out1" "$scratch/out2" $(for p in $ppc; do echo "$p-ppc64le"; done) \
	$(for p in $arm; do echo "$p-aarch64"; done)
ok $? "each is bit-identical from a fresh store, built by another user${differ:+; not:$differ}"
paste -d ' ' "$scratch/out1" "$scratch/out2" | cut -d ' ' -f 1,3 | diag

done_testing
