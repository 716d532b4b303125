#!/bin/sh
# libelf of (distill base) (pkg/libelf.scm: elfutils 0.188's libelf
# alone), built as an ordinary user in the shared store, and used: a small
# C program built with the same toolchain against its libelf.a and zlib's
# libz.a, its debug sections compressed with zlib by the linker, opens its
# own binary with elf_begin and gelf_getehdr and prints e_machine, the
# number of sections and the size of each compressed section once
# elf_compress has inflated it.  It runs in the sandbox (in its own
# build) and on the host (it is static); both print the same, and that
# agrees with binutils: readelf -h of the same file, and readelf -S of a
# copy whose sections the toolchain's objcopy decompressed.  The package
# holds libelf.a and its headers, and nothing else of elfutils.  Under
# make check-full: both built again in the run's second store (root;
# another path, umask 077), bit-identical; and the same for aarch64, the
# program run under qemu-user.
. "$(dirname "$0")/lib.sh"

for t in readelf qemu-aarch64-static; do
	command -v $t >/dev/null ||
		{ echo "Bail out! $t is not installed (scripts/setup-debian installs binutils and qemu-user-static)"; exit 1; }
done

use_mirror
cat > "$scratch/elfinfo.c" <<'EOC'
/* elfinfo [FILE]: FILE's (default: this program's) e_machine, number of
   sections, and the inflated size of each compressed section. */
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static int fail(const char *path)
{
	fprintf(stderr, "elfinfo: %s: %s\n", path, elf_errmsg(-1));
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/self/exe";
	GElf_Ehdr eh;
	size_t n, strndx;
	Elf_Scn *scn = NULL;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || !gelf_getehdr(e, &eh) || elf_getshdrnum(e, &n) != 0 ||
	    elf_getshdrstrndx(e, &strndx) != 0)
		return fail(path);
	printf("machine %d\nsections %zu\n", eh.e_machine, n);
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return fail(path);
		if (!(sh.sh_flags & SHF_COMPRESSED))
			continue;
		const char *name = elf_strptr(e, strndx, sh.sh_name);
		if (!name || elf_compress(scn, 0, 0) != 1 || !gelf_getshdr(scn, &sh))
			return fail(path);
		printf("inflated %s %ju\n", name, (uintmax_t)sh.sh_size);
	}
	elf_end(e);
	close(fd);
	return 0;
}
EOC
# script ARCH: $scratch/libelf-ARCH.scm, libelf and elfinfo for ARCH.
# elfinfo's build runs it where it can run (x86_64), and keeps a copy
# whose debug sections the toolchain's objcopy decompressed.
script() {
	case $1 in
	x86_64) run='if (redirfd -w 1 /out/share/elfinfo.sandbox /out/bin/elfinfo)' ;;
	*) run= ;;
	esac
	cat > "$scratch/libelf-$1.scm" <<EOS
(import (distill base) (distill plan) (distill package) (pkg zlib))
(define elfinfo
  (cc-package
   "elfinfo" "1" #f (bind "elfinfo.c" "/src/elfinfo/elfinfo.c")
   dir: "/src/elfinfo"
   libs: (list libelf zlib)
   build: \`(if (mkdir -p /out/bin /out/share)
            if (,\$CC ,\$CFLAGS -g -Wl,--compress-debug-sections=zlib
                elfinfo.c -o /out/bin/elfinfo -lelf -lz)
            $run
            ,\$OBJCOPY --decompress-debug-sections /out/bin/elfinfo /out/share/elfinfo.plain)))
(map (expander (default-config '$1)) (list libelf elfinfo))
EOS
}

# check ARCH E_MACHINE READELF-MACHINE [RUNNER]: build libelf-ARCH.scm as
# the ordinary user in the shared store (its output lines into
# $scratch/out-ARCH), check libelf's files, and run elfinfo (through
# RUNNER) on itself: what it prints is what readelf finds.
check() {
	arch=$1
	t0=$(date +%s)
	as_user "$mirror_env $distill --store $shared_store -j2 build --no-link libelf-$arch.scm > out-$arch 2> err-$arch"
	ok $? "$arch: libelf and a program using it build (ordinary user, shared store)"
	echo "$arch: libelf and elfinfo: $(($(date +%s) - t0)) s" | diag
	grep -v -e '^;;;' -e '^built ' -e '^building ' "$scratch/err-$arch" | diag
	libelf=$(sed -n 1p "$scratch/out-$arch" | cut -d ' ' -f 2)
	prog=$(sed -n 2p "$scratch/out-$arch" | cut -d ' ' -f 2)
	: "${libelf:=/nonexistent}" "${prog:=/nonexistent}"

	(cd "$libelf" && find . ! -type d | sort) > "$scratch/files"
	ok $(cmp -s "$scratch/want" "$scratch/files"; echo $?) \
		"$arch: libelf holds libelf.a, its headers and libelf.pc, nothing else of elfutils"
	diff "$scratch/want" "$scratch/files" | diag

	bin=$prog/bin/elfinfo
	ok $(readelf -lW "$bin" > "$scratch/phdrs" && ! grep -q INTERP "$scratch/phdrs" &&
		! grep -a -q -e GLIBC_ -e ld-linux "$bin"; echo $?) "$arch: elfinfo is a static musl program"
	${4:-} "$bin" > "$scratch/host.out" 2> "$scratch/host.err"
	ok $? "$arch: elfinfo runs on the host${4:+ under $4}"
	diag "$scratch/host.out" "$scratch/host.err"

	# e_machine: the two bytes at offset 18 (little-endian), which
	# readelf -h names; the number of sections as readelf -h counts them.
	readelf -h "$bin" > "$scratch/ehdr"
	machine=$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')
	shnum=$(sed -n 's/^ *Number of section headers: *\([0-9]*\)$/\1/p' "$scratch/ehdr")
	ok $([ "$machine" = "$2" ] && grep -q "Machine: *$3\$" "$scratch/ehdr" &&
		grep -qx "machine $machine" "$scratch/host.out" &&
		[ -n "$shnum" ] && grep -qx "sections $shnum" "$scratch/host.out"; echo $?) \
		"$arch: e_machine ($machine, $3) and the number of sections ($shnum) are readelf -h's"

	# Each compressed section, inflated by libelf (zlib), has the size
	# readelf gives it in the copy objcopy decompressed.
	readelf -SW "$bin" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '$7 ~ /C/ { print $1 }' > "$scratch/compressed"
	readelf -SW "$prog/share/elfinfo.plain" | sed -n 's/^ *\[ *[0-9]*\] //p' |
		while read -r name type addr off size rest; do
			grep -qx -- "$name" "$scratch/compressed" && echo "inflated $name $((0x$size))"
		done > "$scratch/want-inflated"
	grep '^inflated ' "$scratch/host.out" > "$scratch/got-inflated"
	ok $([ "$(wc -l < "$scratch/compressed")" -ge 3 ] &&
		cmp -s "$scratch/want-inflated" "$scratch/got-inflated"; echo $?) \
		"$arch: elf_compress inflates its $(wc -l < "$scratch/compressed") compressed debug sections to objcopy's sizes"
	diff "$scratch/want-inflated" "$scratch/got-inflated" | diag
}

cat > "$scratch/want" <<'EOF'
./usr/include/elfutils/elf-knowledge.h
./usr/include/elfutils/version.h
./usr/include/gelf.h
./usr/include/libelf.h
./usr/include/nlist.h
./usr/lib/libelf.a
./usr/lib/pkgconfig/libelf.pc
EOF
script x86_64
script aarch64
chmod -R a+rX "$scratch"

check x86_64 62 'Advanced Micro Devices X86-64'
ok $(cmp -s "$prog/share/elfinfo.sandbox" "$scratch/host.out"; echo $?) \
	"x86_64: elfinfo printed the same in the sandbox, in its build"

if full_only 2 "libelf built again in a second store"; then
	rebuild_fresh "libelf and elfinfo" "$scratch" libelf-x86_64.scm "$scratch/out2"
	ok $([ -s "$scratch/out-x86_64" ] &&
		[ "$(cut -d ' ' -f 1 "$scratch/out-x86_64")" = "$(cut -d ' ' -f 1 "$scratch/out2")" ]; echo $?) \
		"libelf and elfinfo are bit-identical in both stores"
	paste -d ' ' "$scratch/out-x86_64" "$scratch/out2" | cut -d ' ' -f 1,3 | diag
fi
# Cross: the same recipe for aarch64 (libelf again, and zlib when
# t/cross.t has not built it), its program run under qemu-user.
if full_only 6 "libelf for aarch64"; then
	check aarch64 183 AArch64 qemu-aarch64-static
fi
done_testing
