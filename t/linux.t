#!/bin/sh
# Linux built from source (pkg/linux.scm) with the checked-in config
# linux/config-static, as an ordinary user, offline, from a mirror that
# scripts/fill-mirror fills from Debian's source packages; then booted
# under QEMU with a busybox initramfs and a GPT disk of three partitions
# (squashfs, ext4, vfat) made by (distill image).  The guest mounts
# devtmpfs, reads each partition through virtio-blk, writes and reads
# back the ext4 one, names its network device and its kernel release,
# and powers off.  Every driver is built in: the initramfs has no modules.
#
# The mirror is seed/mirror of the checkout (use_mirror of t/lib.sh).
#
# Then the minimal system of (distill platform) boots on this kernel by
# BIOS and by UEFI, and the kernel built again in a fresh store by
# another user is bit-identical.  All of it under make check-full only.
. "$(dirname "$0")/lib.sh"

if [ "${DISTILL_CHECK_FULL:-}" != 1 ]; then
	# About eight minutes of CI's hour: the platforms boot Debian's kernel.
	echo "1..0 # SKIP a kernel built from source: make check-full runs it"
	exit 0
fi
need_tools qemu-system-x86_64

start=$(date +%s)
use_mirror
cp -r "$top/pkg" "$top/linux" "$scratch/"
# The store of the heavy end-to-end tests (t/lib.sh), when there is one.
st=${shared_store:-$scratch/store}
env=$mirror_env

cat > "$scratch/kernel.scm" <<'EOS'
(import (distill base) (distill package) (pkg linux))
((expander (default-config 'x86_64)) linux-static)
EOS

# The guest's disk: a GPT with a squashfs, an ext4 and a FAT partition,
# each holding a small tree with its own marker.
cat > "$scratch/boot.scm" <<'EOS'
(import (distill base) (distill package) (distill plan) (distill image)
        (distill boot) (distill kernel) (pkg linux))
(define (tree fs)
  (list (interned "/marker.txt" #o644 (string-append "DISTILL-" fs "-MARKER\n"))
        (interned "/sub/deeper.txt" #o644 (string-append fs " deeper\n"))))
(define disk
  (disk-image
   (list (partition (squashfs-image (tree "SQUASHFS") name: "sq") type: 'linux)
         (partition (ext4-image (tree "EXT4") name: "ext" size: (* 8 1024 1024))
                    type: 'linux)
         (partition (vfat-image (tree "VFAT") name: "fat" size: (* 2 1024 1024))
                    type: 'esp))
   name: "linux-test"))
(boot-spec
 kernel: ((expander (default-config 'x86_64)) linux-static)
 disk: disk
 initrd: (busybox-initramfs
          name: "linux-test-initramfs"
          init: "#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo
[ -e /proc/modules ] && echo \"modules: $(wc -l < /proc/modules)\" || echo \"modules: unsupported\"
mkdir -p /mnt/1 /mnt/2 /mnt/3
mount -t squashfs -o ro /dev/vda1 /mnt/1 && echo \"vda1 squashfs: $(cat /mnt/1/marker.txt)\"
mount -t ext4 /dev/vda2 /mnt/2 && echo \"vda2 ext4: $(cat /mnt/2/marker.txt)\"
echo written > /mnt/2/new.txt && umount /mnt/2 && mount -t ext4 /dev/vda2 /mnt/2 &&
	echo \"vda2 ext4 again: $(cat /mnt/2/new.txt)\"
mount -t vfat /dev/vda3 /mnt/3 && echo \"vda3 vfat: $(cat /mnt/3/marker.txt)\"
echo \"net: $(ls /sys/class/net | tr '\\n' ' ')\"
echo DISTILL-LINUX-OK $(uname -r)
poweroff -f
")
 cmdline: "console=ttyS0 panic=-1 quiet")
EOS
# The same kernel run by OVMF as an EFI application: the removable-media
# path \EFI\BOOT\BOOTX64.EFI of a GPT disk's EFI system partition.  No
# boot loader passes a command line, so the console is the config's
# built-in console=ttyS0; with no initramfs the kernel stops at the root
# file system, after the lines that say it was booted by EFI.
cat > "$scratch/uefi.scm" <<'EOS'
(import (distill base) (distill package) (distill plan) (distill image)
        (distill boot) (pkg linux))
(define esp-tree
  (make-plan name: "esp-tree"
             inputs: (list (local-archive "debs/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb")
                           (make-input basedir: "/in"
                                       link: ((expander (default-config 'x86_64)) linux-static))
                           (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox mkdir -p /out/EFI/BOOT
/bin/busybox cp /in/bzImage /out/EFI/BOOT/BOOTX64.EFI
"))))
(boot-spec firmware: 'uefi
           disk: (disk-image (list (partition (vfat-image (list esp-tree) name: "esp")
                                              type: 'esp))
                             name: "linux-uefi"))
EOS
chmod -R a+rX "$scratch"

# 1. Fetch, then build offline as an ordinary user.
as_user "$env $distill --store $st fetch kernel.scm > fetch.out 2> fetch.err"
ok $? "distill fetch gets Linux's source and the build tools"
[ -s "$scratch/fetch.err" ] && grep -v '^;;;' "$scratch/fetch.err" | tail -n 20 | diag
t0=$(date +%s)
as_user "$env $distill --store $st --offline -j2 build kernel.scm > build.out 2> build.err"
rc=$?
ok $rc "linux-static builds offline, as an ordinary user (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/build.err" | tail -n 30 | diag
echo "build (what the store did not have yet): $(($(date +%s) - t0)) s" | diag
grep '^building ' "$scratch/build.err" | while read -r _ name plan; do
	echo "$name: $(sed -n 's/^seconds //p' "$st/rec/meta/$plan" 2>/dev/null) s"
done | diag
read -r hash bzimage < "$scratch/build.out"
echo "linux-static output hash: ${hash:-none}" | diag
ok $([ -n "${bzimage:-}" ] && [ -f "$bzimage" ] &&
	file -b "$bzimage" | grep -q 'Linux kernel x86 boot executable bzImage, version 6\.1\.176 '; echo $?) \
	"the output is a bzImage of 6.1.176: $(file -b "${bzimage:-/nonexistent}" | cut -c 1-100)"
echo "bzImage: $(stat -c %s "${bzimage:-/nonexistent}" 2>/dev/null) bytes" | diag
# The EFI stub: a PE header ("PE\0\0" where the DOS header's e_lfanew
# points), so OVMF can run the bzImage as an EFI application.
pe=$(od -An -tu4 -j 60 -N 4 "${bzimage:-/dev/null}" 2>/dev/null | tr -d ' ')
ok $([ -n "$pe" ] && [ "$(od -An -c -j "$pe" -N 2 "$bzimage" | tr -d ' ')" = PE ]; echo $?) \
	"the bzImage carries the EFI stub (a PE header)"

# 2. Boot it (the initramfs and the disk are built first).
run() { as_user "$env $distill --store $st $*"; }
run "boot boot.scm --expect 'DISTILL-LINUX-OK 6\\.1\\.176' --timeout 600 > console0 2> err0"
rc=$?
ok $rc "the kernel boots the initramfs to the marker (exit $rc)"
[ $rc = 0 ] || tail -n 30 "$scratch/err0" "$scratch/console0" | diag
t0=$(date +%s.%N)
run "boot boot.scm --expect 'DISTILL-LINUX-OK 6\\.1\\.176' --timeout 120 > console1 2> err1"
rc=$?
t1=$(date +%s.%N)
ok $rc "booted again, nothing to build (exit $rc)"
echo "boot to the marker (cached build, $(sed -n 's/.*booting with \([A-Z]*\).*/\1/p' "$scratch/err1")): $(echo "$t1 - $t0" | bc) s" | diag
c=$scratch/console1
grep -q '^DISTILL-LINUX-OK 6\.1\.176' "$c"
ok $? "uname -r is 6.1.176: the kernel built here, not Debian's"
grep -q '^modules: unsupported' "$c"
ok $? "the kernel has no module support (no /proc/modules): every driver is built in"
grep -q '^vda1 squashfs: DISTILL-SQUASHFS-MARKER' "$c"
ok $? "virtio-blk, GPT and squashfs: the first partition's file is read"
grep -q '^vda2 ext4: DISTILL-EXT4-MARKER' "$c" && grep -q '^vda2 ext4 again: written' "$c"
ok $? "ext4: the second partition is read, written and read back after a remount"
grep -q '^vda3 vfat: DISTILL-VFAT-MARKER' "$c"
ok $? "vfat: the third partition's file is read"
grep -q '^net: .*eth0' "$c"
ok $? "virtio-net: the guest has eth0"
grep -v '^\[' "$c" | grep -E '^(modules|vda|net|DISTILL)' | diag

# 3. The EFI stub, under OVMF.
if [ -r /usr/share/ovmf/OVMF.fd ]; then
	t0=$(date +%s)
	run "boot uefi.scm --expect 'efi: EFI v[0-9.]+ by EDK II' --timeout 300 > uconsole 2> uerr"
	rc=$?
	ok $rc "OVMF runs the bzImage as an EFI application (exit $rc)"
	[ $rc = 0 ] || tail -n 20 "$scratch/uerr" "$scratch/uconsole" | diag
	grep -a -q 'Linux version 6\.1\.176 ' "$scratch/uconsole"
	ok $? "and it is this kernel, on the built-in serial console"
	echo "UEFI boot (with building the ESP): $(($(date +%s) - t0)) s" | diag
else
	echo "ok $((tap_n + 1)) # SKIP no OVMF (/usr/share/ovmf/OVMF.fd)"
	tap_n=$((tap_n + 1))
fi

# 4. The minimal system of (distill platform) on this kernel, by BIOS
# (GRUB) and by UEFI (a unified kernel image): no kernel modules at all.
cat > "$scratch/minimal.scm" <<'EOS'
(import (distill platform) (distill base) (distill package) (pkg linux) (plat base))
(define firmware (string->symbol (cadr (program-arguments))))
(platform-boot-spec
 (make-platform name: (string-append "qemu-linux-" (symbol->string firmware))
                firmware: firmware
                kernel: ((expander (default-config 'x86_64)) linux-static)
                packages: base-packages services: base-services
                initramfs: initramfs-packages)
 (minimal-system))
EOS
chmod a+r "$scratch/minimal.scm"
for fw in bios uefi; do
	run "boot minimal.scm --expect 'distill: the minimal system is up on 6\.1\.176; /var: /dev/vda3 ext4' --timeout 300 -- $fw > mconsole-$fw 2> merr-$fw"
	rc=$?
	ok $rc "the minimal system boots on this kernel by $fw (exit $rc)"
	[ $rc = 0 ] || tail -n 20 "$scratch/merr-$fw" "$scratch/mconsole-$fw" | diag
done

# 5. The kernel is bit-identical when built again in a fresh store by
# another user (root when the test runs as root), under another path.
# A second kernel build is a quarter of `make check`'s time: check-full.
if full_only 2 "the kernel built again in a fresh store"; then
	rebuild_fresh "the kernel" "$scratch" kernel.scm "$scratch/build2.out"
	h1=$(cut -d ' ' -f 1 "$scratch/build.out")
	h2=$(cut -d ' ' -f 1 "$scratch/build2.out")
	ok $([ -n "$h1" ] && [ "$h1" = "$h2" ]; echo $?) "the kernel is bit-identical ($h1, $h2)"
fi

echo "whole test: $(($(date +%s) - start)) s" | diag
done_testing
