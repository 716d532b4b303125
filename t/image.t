#!/bin/sh
# (distill image): a small root file system (busybox, a file declared
# 1000:1000 0600, a symlink, a directory) made into every image format,
# checked with the host's tools, then rebuilt in a fresh store by an
# ordinary user with another umask, time zone and store path: every image
# must be bit-identical.
. "$(dirname "$0")/lib.sh"

missing=
for t in tar cpio unsquashfs debugfs e2fsck mdir fsck.vfat sfdisk qemu-img; do
	command -v "$t" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin command -v "$t" >/dev/null 2>&1 ||
		missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "Bail out! host tools missing:$missing (scripts/setup-debian installs them)"
	exit 1
fi
PATH=$PATH:/sbin:/usr/sbin

image_tool_debs

cat > "$scratch/image.scm" <<EOS
(import (distill plan) (distill image))
(define root
  (rootfs-tar (list (local-archive "$scratch/busybox.deb")
                    (interned "/home/user/secret" #o644 "for user 1000 only\n")
                    (interned-symlink "/bin/sh" "busybox")
                    (interned-dir "/srv/data" #o755))
              owners: '(("/home/user/secret" 1000 1000 #o600)
                        ("/home/user" 1000 1000 #f))))
(define esp (vfat-image (list (interned "/EFI/BOOT/BOOTX64.EFI" #o644 "not really EFI\n"))
                        name: "esp"))
(define ext4 (ext4-image root))
(define gpt (disk-image (list (partition esp type: 'esp) (partition ext4 type: 'linux-root-x86-64))
                        name: "gpt"))
(define mbr (disk-image (list (partition esp type: 'esp bootable: #t) (partition ext4))
                        name: "mbr" label: 'dos))
(list root (tar-image root) (cpio-image root) (squashfs-image root) ext4 (ext2-image root) esp
      gpt mbr (qcow2-image gpt) (grub-bios-disk mbr "boot\n" name: "grub"))
EOS
cp "$scratch/image.scm" "$scratch/image2.scm"
chmod a+r "$scratch/image.scm" "$scratch/image2.scm"

t0=$(date +%s)
(umask 077; cd "$scratch" && TZ=Asia/Tokyo DISTILL_SEED="$scratch/debs" \
	"$distill" --store "$scratch/a/store-one" build image.scm > outa 2> erra)
ok $? "every image builds"
echo "first build (with the image tools): $(($(date +%s) - t0)) s" | diag
[ -s "$scratch/erra" ] && grep -v '^buil' "$scratch/erra" | diag
img() { sed -n "$1p" "$scratch/outa" | cut -d ' ' -f 2; }
tar=$(img 1) tgz=$(img 2) cpio=$(img 3) sqfs=$(img 4) ext4=$(img 5) ext2=$(img 6) esp=$(img 7)
gpt=$(img 8) mbr=$(img 9) qcow2=$(img 10) grub=$(img 11)

# GRUB on the MBR disk: boot.img's code in the first 440 bytes, the
# partitions as they were, and the copy of the disk sparse (its zeros
# are holes, not written blocks).
ok $(! cmp -s -n 440 "$mbr" "$grub" && cmp -s -i 1048576 "$mbr" "$grub"; echo $?) \
	"grub-bios-disk: boot code in the MBR, the partitions from 1 MiB untouched"
ok $([ $(($(stat -c '%b * %B' "$grub"))) -lt "$(stat -c %s "$grub")" ]; echo $?) \
	"grub-bios-disk: the disk's zeros are holes ($(du -k "$grub" | cut -f 1) KiB of $(($(stat -c %s "$grub") / 1024)))"

# The canonical tar and the tarball: sorted, 0:0 but for the declared owners.
tar tvzf "$tgz" --numeric-owner > "$scratch/tgz.list"
ok $(grep -q '^-rw------- 1000/1000 .* 1980-01-01 00:00 ./home/user/secret$' "$scratch/tgz.list" &&
	grep -q '^drwxr-xr-x 1000/1000 .* ./home/user/$' "$scratch/tgz.list" &&
	grep -q '^lrwxrwxrwx 0/0 .* ./bin/sh -> busybox$' "$scratch/tgz.list" &&
	grep -q '^-rwxr-xr-x 0/0 .* ./bin/busybox$' "$scratch/tgz.list" &&
	grep -q '^drwxr-xr-x 0/0 .* ./srv/data/$' "$scratch/tgz.list"; echo $?) \
	"tar.gz: owner 1000:1000 and mode 0600 as declared, the symlink, busybox, the directory"
ok $(awk '{ sub(/\/$/, "", $6); print $6 }' "$scratch/tgz.list" | LC_ALL=C sort -c &&
	! awk '{ print $2 }' "$scratch/tgz.list" | grep -v -x -e 0/0 -e 1000/1000 &&
	[ "$(od -A n -t x1 -j 4 -N 4 "$tgz" | tr -d ' ')" = 00000000 ] &&
	zcat "$tgz" | cmp -s - "$tar"; echo $?) \
	"tar.gz: names sorted, no other owner, no gzip timestamp, the canonical tar inside"

# cpio (newc, gzip)
zcat "$cpio" | cpio -itvn --quiet > "$scratch/cpio.list" 2>&1
ok $([ "$(zcat "$cpio" | head -c 6)" = 070701 ] &&
	grep -q '^-rw------- .* 1000 *1000 .* ./home/user/secret$' "$scratch/cpio.list" &&
	grep -q '^lrwxrwxrwx .* ./bin/sh -> busybox$' "$scratch/cpio.list" &&
	grep -q '^drwxr-xr-x .* ./srv/data/\{0,1\}$' "$scratch/cpio.list"; echo $?) \
	"cpio: newc with the declared owner and mode, the symlink and the directory"
grep secret "$scratch/cpio.list" | diag

# squashfs
unsquashfs -lln "$sqfs" > "$scratch/sqfs.list" 2>&1
ok $(grep -q '^-rw------- 1000/1000 .* squashfs-root/home/user/secret$' "$scratch/sqfs.list" &&
	grep -q '^lrwxrwxrwx 0/0 .* squashfs-root/bin/sh -> busybox$' "$scratch/sqfs.list" &&
	grep -q '^-rwxr-xr-x 0/0 .* squashfs-root/bin/busybox$' "$scratch/sqfs.list" &&
	grep -q '^drwxr-xr-x 0/0 .* squashfs-root/srv/data$' "$scratch/sqfs.list" &&
	unsquashfs -s "$sqfs" | grep -q 'Compression zstd' &&
	unsquashfs -s "$sqfs" | grep -q 'compression-level 3$'; echo $?) \
	"squashfs (zstd, level 3): the declared owner and mode, the symlink, busybox, the directory"

# ext4 and ext2
for fs in ext4 ext2; do
	eval f=\$$fs
	debugfs -R 'stat /home/user/secret' "$f" > "$scratch/$fs.stat" 2>/dev/null
	ok $(grep -q 'Mode:  0600' "$scratch/$fs.stat" && grep -q 'User:  1000   Group:  1000' "$scratch/$fs.stat" &&
		grep -q 'ctime: 0x12cea600:00000000' "$scratch/$fs.stat" &&
		debugfs -R 'stat /bin/sh' "$f" 2>/dev/null | grep -q 'Fast link dest: "busybox"' &&
		debugfs -R 'ls -l /srv' "$f" 2>/dev/null | grep -q '40755 (2)      0      0 .* data' &&
		e2fsck -fn "$f" > /dev/null 2>&1; echo $?) \
		"$fs: the declared owner and mode, fixed times, the symlink, the directory; e2fsck is happy"
done
ok $(dumpe2fs -h "$ext4" 2>/dev/null | grep -q 'features:.*has_journal.*extent' &&
	! dumpe2fs -h "$ext2" 2>/dev/null | grep -q has_journal &&
	TZ=UTC dumpe2fs -h "$ext4" 2>/dev/null | grep -q 'Filesystem created: *Tue Jan  1 00:00:00 1980'; echo $?) \
	"ext4 has a journal and extents, ext2 none; made at the epoch"

# FAT
cp "$esp" "$scratch/esp.img"; chmod u+w "$scratch/esp.img"
ok $(MTOOLS_SKIP_CHECK=1 mtype -i "$scratch/esp.img" ::/EFI/BOOT/BOOTX64.EFI | grep -qx 'not really EFI' &&
	fsck.vfat -n "$scratch/esp.img" > /dev/null 2>&1; echo $?) "vfat: the file is there; fsck.vfat is happy"

# Disks: the partition tables, and each image in its place.
sfdisk -d "$gpt" > "$scratch/gpt.dump" 2>/dev/null
ok $(grep -q '^label: gpt' "$scratch/gpt.dump" &&
	grep -q 'start= *2048, size= *[0-9]*, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=[0-9A-F-]*, name="esp"' "$scratch/gpt.dump" &&
	grep -q 'type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=[0-9A-F-]*, name="rootfs"' "$scratch/gpt.dump"; echo $?) \
	"gpt: an ESP at 1 MiB and a Linux root partition, with UUIDs and names"
sfdisk -d "$mbr" > "$scratch/mbr.dump" 2>/dev/null
ok $(grep -q '^label: dos' "$scratch/mbr.dump" && grep -q 'start= *2048, .*type=ef, bootable' "$scratch/mbr.dump" &&
	grep -q 'type=83$' "$scratch/mbr.dump"; echo $?) "mbr: a bootable ESP and a Linux partition"
part_ok=0
for disk in gpt mbr; do
	eval d=\$$disk
	sfdisk -d "$d" 2>/dev/null | sed -n 's/.*start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p' > "$scratch/parts"
	i=0
	while read -r start size; do
		i=$((i + 1))
		[ $i = 1 ] && want=$esp || want=$ext4
		[ $((start % 2048)) = 0 ] || part_ok=1
		dd if="$d" bs=512 skip="$start" count="$(($(stat -c %s "$want") / 512))" 2>/dev/null |
			cmp -s - "$want" || part_ok=1
	done < "$scratch/parts"
	[ $i = 2 ] || part_ok=1
done
ok $part_ok "each partition is aligned to 1 MiB and holds its image byte for byte"
sfdisk -d "$gpt" 2>/dev/null | diag

# qcow2
qemu-img info "$qcow2" > "$scratch/qcow2.info" 2>&1
ok $(grep -q '^file format: qcow2' "$scratch/qcow2.info" &&
	qemu-img compare -q -f raw -F qcow2 "$gpt" "$qcow2"; echo $?) "qcow2: the GPT disk, the same blocks"

# Declarations that cannot be honoured fail the build and say why.
cat > "$scratch/bad.scm" <<'EOS'
(import (distill plan) (distill image))
(list (rootfs-tar (list (interned "/a" #o644 "a")) name: "bad" owners: '(("/nope" 1 1 #f)))
      (vfat-image (list (interned-symlink "/l" "a")) name: "badfat"))
EOS
(cd "$scratch" && DISTILL_SEED="$scratch/debs" "$distill" -k --store "$scratch/a/store-one" build bad.scm > /dev/null 2> errbad)
ok $([ $? = 1 ] && grep -q 'owners: a declared path is not in the root file system' "$scratch/errbad" &&
	grep -q 'FAT cannot hold /l (link)' "$scratch/errbad"; echo $?) \
	"an owner for a missing path, a symlink on FAT: the builds fail and say why"

# Everything again elsewhere, by someone else.
t0=$(date +%s)
as_user "umask 002; TZ=America/New_York DISTILL_SEED=$scratch/debs $distill -j1 --store $scratch/b/elsewhere/store-two build image2.scm > outb 2> errb"
ok $? "second build, in a fresh store, by an ordinary user"
echo "second build: $(($(date +%s) - t0)) s" | diag
n=0
for f in tar tar.gz cpio.gz squashfs ext4 ext2 vfat gpt mbr qcow2 grub; do
	n=$((n + 1))
	a=$(sed -n "${n}p" "$scratch/outa" | cut -d ' ' -f 1)
	b=$(sed -n "${n}p" "$scratch/outb" | cut -d ' ' -f 1)
	ok $([ -n "$a" ] && [ "$a" = "$b" ]; echo $?) "$f is bit-identical ($a)"
done

# A compression level out of range is the recipe's error, before any build.
cat > "$scratch/badlevel.scm" <<EOS
(import (distill plan) (distill image))
(squashfs-image (list (interned "/x" #o644 "x\n")) level: 99)
EOS
$distill --store "$scratch/bad-store" build "$scratch/badlevel.scm" > "$scratch/badlevel.out" 2>&1
ok $([ $? = 3 ] && [ "$(wc -l < "$scratch/badlevel.out")" = 1 ] &&
	grep -q 'level: 99 must be #f or a compression level from 1 to 22' "$scratch/badlevel.out"; echo $?) \
	"squashfs-image level: 99: one line naming it, exit 3"
diag < "$scratch/badlevel.out"
done_testing
