#!/bin/sh
# Platforms, end to end, as an ordinary user: the minimal system (busybox
# built from source, its init, a oneshot printing a line) on
# (plat qemu-x86_64) boots by BIOS through GRUB from a raw MBR disk, on
# (plat qemu-x86_64-efi) by UEFI (OVMF) from a GPT disk's ESP holding a
# unified kernel image, and from qcow2; /var, made on the first boot,
# keeps a file across boots with --state, and a /var partition holding
# something else is never wiped; booting leaves the store's images as
# built; and the disks are bit-identical when built again in a fresh
# store by another user under another path.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64 qemu-img

use_shared_store

cat > "$scratch/disks.scm" <<'EOS'
(import (distill platform) (distill image)
        (plat qemu-x86_64) (plat qemu-x86_64-efi))
(define bios (platform-disk qemu-x86_64 (minimal-system)))
(list bios
      (platform-disk qemu-x86_64-efi (minimal-system))
      (qcow2-image bios))
EOS
cat > "$scratch/qcow2.scm" <<'EOS'
(import (distill platform) (plat qemu-x86_64))
(platform-boot-spec qemu-x86_64 (minimal-system) format: 'qcow2)
EOS
# A system whose oneshot writes /var on the first boot, reads it back on
# the second and then overwrites the start of the /var partition, and on
# the third shows that partition untouched: each boot ends with a line
# printed after sync, so that being stopped there loses nothing.
cat > "$scratch/var.scm" <<'EOS'
(import (distill plan) (distill base) (distill package) (pkg busybox))
(list ((expander (default-config 'x86_64)) busybox-full)
      (interned "/etc/inittab" #o644 "::sysinit:/etc/rc.boot\n")
      (interned "/etc/rc.boot" #o755 "#!/bin/sh
sum() { head -c 4096 /dev/vda3 | sha256sum | cut -d ' ' -f 1; }
fs=$(grep ' /var ' /proc/mounts | cut -d ' ' -f 3)
if [ \"$fs\" != ext4 ]; then
	echo \"VAR-KEPT $fs $(sum)\"
elif [ -e /var/persisted ]; then
	echo \"VAR-READ: $(cat /var/persisted)\"
	umount /var
	dd if=/dev/urandom of=/dev/vda3 bs=4096 count=1 2> /dev/null
	sync
	echo \"VAR-CLOBBERED $(sum)\"
else
	echo 'written by the first boot' > /var/persisted
	echo VAR-WRITTEN
fi
sync
echo VAR-SYNCED
poweroff -f
"))
EOS
chmod a+r "$scratch"/*.scm

# 1. Build the disks (toolchain, busybox and e2fsprogs from source, the
# kernel's modules, initramfs, GRUB, UKI, squashfs, FAT) in the run's
# shared store.
t0=$(date +%s)
run "build disks.scm > disks1 2> build1.err"
rc=$?
ok $rc "the BIOS, UEFI and qcow2 disks of the minimal system build (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/build1.err" | tail -n 20 | diag
echo "build (in the run's shared store): $(($(date +%s) - t0)) s" | diag
bios=$(sed -n 1p "$scratch/disks1" | cut -d ' ' -f 2)
sum_before=$(sha256sum "$bios" 2>/dev/null | cut -d ' ' -f 1)

# 2. Boot each to the marker.
marker='distill: the minimal system is up on 6\.1\.[0-9]+-.*; /var: /dev/vda3 ext4'
for p in qemu-x86_64 qemu-x86_64-efi; do
	t0=$(date +%s)
	run "boot $p --expect '$marker' --timeout 180 > $p.console 2> $p.err"
	rc=$?
	ok $rc "$p: the minimal system boots to its marker line (exit $rc)"
	[ $rc = 0 ] || tail -n 20 "$scratch/$p.err" "$scratch/$p.console" | diag
	echo "$p: boot to the marker, built: $(($(date +%s) - t0)) s" | diag
done
grep -q 'Welcome to GRUB' "$scratch/qemu-x86_64.console"
ok $? "qemu-x86_64 boots through GRUB"
console_has "$scratch/qemu-x86_64-efi.console" 'making an ext4 file system for /var on /dev/vda3'
rc=$?
ok $rc "qemu-x86_64-efi: the initramfs makes /var on the first boot"
[ $rc = 0 ] || grep -a -e distill -e '^\[' "$scratch/qemu-x86_64-efi.console" | head -n 40 | diag
run "boot qcow2.scm --expect '$marker' --timeout 180 > qcow2.console 2> qcow2.err"
rc=$?
ok $rc "the qcow2 disk boots to the marker (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/qcow2.err" "$scratch/qcow2.console" | diag

# 3. /var across boots, with the guest's writes kept in --state.
boot_var() { # N PLATFORM
	run "boot $2 var.scm --state var.qcow2 --expect VAR-SYNCED --timeout 180 > var$1.console 2> var$1.err"
}
boot_var 1 qemu-x86_64
rc=$?
ok $rc "first boot with --state (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/var1.err" "$scratch/var1.console" | diag
grep -q VAR-WRITTEN "$scratch/var1.console"
ok $? "the first boot writes a file to its new /var"
ok $([ -f "$scratch/var.qcow2" ]; echo $?) "the writes are kept in the --state file"
boot_var 2 qemu-x86_64
grep -q 'VAR-READ: written by the first boot' "$scratch/var2.console"
ok $? "the second boot reads the file back from /var"
! grep -q 'making an ext4 file system' "$scratch/var2.console"
ok $? "and does not make /var again"
clobbered=$(sed -n 's/.*VAR-CLOBBERED \([0-9a-f]*\).*/\1/p' "$scratch/var2.console")
boot_var 3 qemu-x86_64
kept=$(sed -n 's/.*VAR-KEPT tmpfs \([0-9a-f]*\).*/\1/p' "$scratch/var3.console")
ok $([ -n "$clobbered" ] && [ "$clobbered" = "$kept" ]; echo $?) \
	"a /var partition that holds something else is left as it is, /var a tmpfs"
console_has "$scratch/var3.console" '/dev/vda3 is not an ext4 file system, and not empty: it is left as it is'
ok $? "and the console says why"

# 4. --state of another image is refused, and changes nothing.
cp "$scratch/var.qcow2" "$scratch/var.qcow2.before"
boot_var 4 qemu-x86_64-efi
rc=$?
ok $([ $rc = 4 ]; echo $?) "--state written for another image is refused (exit $rc)"
grep -q 'holds the writes of another image' "$scratch/var4.err"
ok $? "and says so"
cmp -s "$scratch/var.qcow2" "$scratch/var.qcow2.before"
ok $? "the --state file is unchanged"

# 5. The store's image is as built.
ok $([ -n "$sum_before" ] && [ "$(sha256sum "$bios" | cut -d ' ' -f 1)" = "$sum_before" ]; echo $?) \
	"booting, with and without --state, leaves the disk image in the store unchanged"

# 6. The same disks from a fresh store, built by another user (root when
# the test runs as root) under another path, with another umask.
rebuild_fresh "the disks" "$scratch" disks.scm "$scratch/disks2"
cut -d ' ' -f 1 "$scratch/disks1" > "$scratch/h1"
cut -d ' ' -f 1 "$scratch/disks2" > "$scratch/h2"
ok $([ "$(wc -l < "$scratch/h1")" = 3 ] && cmp -s "$scratch/h1" "$scratch/h2"; echo $?) \
	"the BIOS, UEFI and qcow2 disks are bit-identical"
paste "$scratch/h1" "$scratch/h2" | diag

done_testing
