#!/bin/sh
# The platform qemu-aarch64, end to end, as an ordinary user in the shared
# store: u-boot 2023.01 built from Debian's source for QEMU's virt board
# ((distill base)'s uboot/config: its .config pinned by hash, its default
# environment and boot command), the pinned Debian arm64 kernel, and the
# minimal system with every package cross-built for aarch64.  `distill
# boot qemu-aarch64` boots it under TCG to its marker line: u-boot reads
# extlinux.conf from the boot partition, the kernel mounts the squashfs
# root and the ext4 /var the initramfs makes on the first boot.  u-boot's
# binary holds the environment and boot command given; a .config that is
# not the pinned one, a bootcmd in the environment and a build for x86_64
# are recipe errors naming what is wrong.
. "$(dirname "$0")/lib.sh"

for q in qemu-system-aarch64 mcopy; do
	command -v $q >/dev/null ||
		{ echo "Bail out! $q is not installed (scripts/setup-debian installs qemu-system-arm and mtools)"; exit 1; }
done

use_shared_store

cat > "$scratch/parts.scm" <<'EOS'
(import (distill plan) (distill platform) (distill boot) (plat qemu-aarch64))
(define spec (platform-boot-spec qemu-aarch64 (minimal-system)))
(list (boot-spec-firmware spec) (boot-spec-disk spec))
EOS
cat > "$scratch/badhash.scm" <<'EOS'
(import (distill base) (distill package))
((expander (default-config 'aarch64))
 (uboot/config "qemu-arm64" "dEzdhruNRYCcpzfuf2tW7O_uM8iueb8FLz7iHscGyZ0=" '() "boot"))
EOS
cat > "$scratch/badenv.scm" <<'EOS'
(import (distill base))
(uboot/config "qemu-arm64" "dEzdhruNRYCcpzfuf2tW7O_uM8iueb8FLz7iHscGyZ0=" '("bootcmd=boot") "boot")
EOS
cat > "$scratch/x86.scm" <<'EOS'
(import (distill package) (plat qemu-aarch64))
((expander (default-config 'x86_64)) qemu-aarch64-uboot)
EOS
chmod a+r "$scratch"/*.scm

# 1. Build u-boot and the disk (musl, busybox and e2fsprogs for aarch64,
# the kernel's modules, initramfs, squashfs, FAT).
t0=$(date +%s)
run "build parts.scm > parts.out 2> parts.err"
rc=$?
ok $rc "u-boot and the minimal system's disk build for qemu-aarch64 (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/parts.err" | tail -n 20 | diag
echo "build (in the run's shared store): $(($(date +%s) - t0)) s" | diag
uboot=$(sed -n 1p "$scratch/parts.out" | cut -d ' ' -f 2)
disk=$(sed -n 2p "$scratch/parts.out" | cut -d ' ' -f 2)

# 2. u-boot's binary: the version, the environment and boot command given.
strings -a "${uboot:-/nonexistent}" > "$scratch/uboot.strings" 2>/dev/null
grep -q '^U-Boot 2023\.01' "$scratch/uboot.strings"
ok $? "u-boot.bin is U-Boot 2023.01"
grep -qx 'bootcmd=pci enum; virtio scan; sysboot virtio 0:1 any ${scriptaddr} /extlinux/extlinux.conf' "$scratch/uboot.strings" &&
	grep -qx 'kernel_addr_r=0x40400000' "$scratch/uboot.strings"
ok $? "its default environment holds the boot command and the variables given"
! grep -q '^bootdelay=\|^distro_bootcmd=' "$scratch/uboot.strings"
ok $? "and nothing else: qemu-arm.h's defaults are not compiled in"

# 3. The boot partition: extlinux.conf boots the kernel and initramfs with
# the platform's command line, on the PL011 console.
start=$(sfdisk -d "${disk:-/nonexistent}" 2>/dev/null | awk '/start=/ { sub(/,.*/, "", $4); print $4; exit }')
mcopy -n -i "${disk:-/nonexistent}@@$((${start:-0} * 512))" ::/extlinux/extlinux.conf "$scratch/extlinux.conf" 2>/dev/null
grep -q '^	append console=ttyAMA0 root=/dev/vda2 rootfstype=squashfs distill.var=/dev/vda3 ' "$scratch/extlinux.conf" &&
	grep -q '^	kernel /vmlinuz$' "$scratch/extlinux.conf"
ok $? "the boot partition's extlinux.conf boots /vmlinuz on ttyAMA0 with the root and /var"
cat "$scratch/extlinux.conf" | diag

# 4. Boot it: u-boot, the arm64 kernel, the aarch64 busybox's init.
marker='distill: the minimal system is up on 6\.1\.[0-9]+-[0-9]+-cloud-arm64; /var: /dev/vda3 ext4'
t0=$(date +%s)
run "boot qemu-aarch64 --expect '$marker' --timeout 900 > boot.console 2> boot.err"
rc=$?
ok $rc "qemu-aarch64: the minimal system boots to its marker line (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/boot.err" "$scratch/boot.console" | diag
echo "qemu-aarch64: boot to the marker under TCG: $(($(date +%s) - t0)) s" | diag
grep -q '^U-Boot 2023\.01' "$scratch/boot.console" &&
	grep -q 'Retrieving file: /extlinux/extlinux.conf' "$scratch/boot.console"
ok $? "the machine boots through u-boot, which reads extlinux.conf from the disk"
grep -q 'making an ext4 file system for /var on /dev/vda3' "$scratch/boot.console"
ok $? "the initramfs makes /var on the first boot"
grep -q 'booting with TCG' "$scratch/boot.err"
ok $? "an aarch64 machine is emulated (TCG)"

# 5. Bad input: clear recipe errors, nothing built.
run "build badhash.scm > bad1.out 2> bad1.err"
rc=$?
ok $([ $rc = 3 ] && grep -q 'qemu-arm64.config hashes to .*, not to the pinned dEzdhru' "$scratch/bad1.err"; echo $?) \
	"a .config that is not the pinned one is refused, naming both hashes (exit $rc)"
grep -v '^;;;' "$scratch/bad1.err" | tail -n 3 | diag
run "build badenv.scm > bad2.out 2> bad2.err"
rc=$?
ok $([ $rc = 3 ] && grep -q "the boot command is uboot/config's bootcmd argument" "$scratch/bad2.err"; echo $?) \
	"a bootcmd in the environment is refused (exit $rc)"
run "build x86.scm > bad3.out 2> bad3.err"
rc=$?
ok $([ $rc = 3 ] && grep -q 'uboot-2023.01-qemu-arm64 builds only for aarch64.*not x86_64' "$scratch/bad3.err"; echo $?) \
	"u-boot for QEMU's virt board is refused for x86_64 (exit $rc)"

done_testing
