#!/bin/sh
# distill boot, as an ordinary user: the pinned Debian kernel with an
# initramfs built in the sandbox boots under QEMU to a marker line;
# a regex that never matches times out with exit 5; --forward reaches a
# server in the guest; a disk written by the guest is unchanged after.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64

mkdir -p "$scratch/debs"
cp "$top"/seed/debs/busybox-static_*.deb "$top"/seed/debs/linux-image-*.deb "$scratch/debs/"
chmod -R a+rX "$scratch/debs"
st="$scratch/store"
run() { as_user "DISTILL_SEED=$scratch/debs $distill --store $st $*"; }

cat > "$scratch/boot.scm" <<'EOS'
(import (distill boot) (distill kernel))
(boot-spec kernel: (kernel-plan)
           initrd: (busybox-initramfs init: "#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo DISTILL-BOOT-OK from $(uname -r)
poweroff -f
")
           cmdline: "console=ttyS0 panic=-1 quiet")
EOS
chmod a+r "$scratch/boot.scm"

# 1. Build (kernel, modules, initramfs) and boot to the marker; again,
# built, to time the boot alone.
run "boot boot.scm --expect 'DISTILL-BOOT-OK from 6\\.1\\.' --timeout 300 > console0 2> err0"
rc=$?
ok $rc "distill boot builds the kernel and initramfs and reaches the marker (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/err0" "$scratch/console0" | diag
t0=$(date +%s.%N)
run "boot boot.scm --expect 'DISTILL-BOOT-OK from 6\\.1\\.' --timeout 60 > console1 2> err1"
rc=$?
t1=$(date +%s.%N)
ok $rc "booted again, nothing to build (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/err1" "$scratch/console1" | diag
grep -q 'booting with \(TCG\|KVM\)' "$scratch/err1"
ok $? "it says which accelerator it uses"
grep -q 'DISTILL-BOOT-OK' "$scratch/console1"
ok $? "the console is copied to stdout"
echo "boot to the marker (cached build, $(sed -n 's/.*booting with \([A-Z]*\).*/\1/p' "$scratch/err1")): $(echo "$t1 - $t0" | bc) s" | diag

# 2. A regex that never matches on a machine that never ends: exit 5 at
# the timeout, QEMU killed.  (boot.scm powers off, sooner than any
# timeout short enough for a test on a fast machine.)
# Its command line names this run, so that the check below sees only its
# own QEMU, not another test's booting as the same user.
sed "s/^poweroff -f\$/while :; do sleep 1000; done/; s/panic=-1 quiet/& distill.test=hang-$$/" \
	"$scratch/boot.scm" > "$scratch/hang.scm"
chmod a+r "$scratch/hang.scm"
t0=$(date +%s)
run "boot hang.scm --expect 'NEVER-PRINTED' --timeout 5 > /dev/null 2> err2"
rc=$?
t1=$(date +%s)
ok $([ $rc = 5 ]; echo $?) "no match before --timeout: exit 5 (got $rc)"
ok $([ $((t1 - t0)) -lt 60 ]; echo $?) "it gives up at the timeout ($((t1 - t0)) s)"
grep -q "no console line matched 'NEVER-PRINTED' within 5 seconds" "$scratch/err2"
ok $? "and says so"
sleep 1
grep -q "distill.test=hang-$$" "$scratch/hang.scm" &&
	! pgrep -u "$test_user" -f "qemu-system.*distill.test=hang-$$" >/dev/null 2>&1
ok $? "QEMU is gone"

# 3. The machine powers off without a match: exit 6.
run "boot boot.scm --expect 'NEVER-PRINTED' --timeout 60 > /dev/null 2> err3"
rc=$?
ok $([ $rc = 6 ]; echo $?) "QEMU exits before a match: exit 6 (got $rc)"

# 4. Usage errors.
run "boot boot.scm --forward 80 > /dev/null 2>&1"
ok $([ $? = 2 ]; echo $?) "a malformed --forward is a usage error"
run "boot boot.scm --expect '(' > /dev/null 2>&1"
ok $([ $? = 2 ]; echo $?) "a malformed --expect regex is a usage error"

# 5. Networking, a forwarded port, and a disk on a snapshot.
cat > "$scratch/net.scm" <<'EOS'
(import (distill boot) (distill kernel) (distill plan))
(define disk
  (make-plan name: "zero-disk" raw-output: "/disk.img"
             inputs: (list (local-archive "debs/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb")
                           (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox head -c 1048576 /dev/zero > /out/disk.img
"))))
(boot-spec
 kernel: (kernel-plan)
 disk: disk
 initrd: (busybox-initramfs
          name: "net-initramfs"
          modules: '("virtio_pci" "virtio_net" "virtio_blk")
          files: (list (interned "/serve" #o755 "#!/bin/sh
read request
printf 'HTTP/1.0 200 OK\\r\\n\\r\\nDISTILL-FWD-MARKER\\n'
"))
          init: "#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_pci virtio_net virtio_blk; do modprobe $m; done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
printf DISTILL-DISK-WRITTEN | dd of=/dev/vda conv=notrunc 2>/dev/null
sync
echo 3 > /proc/sys/vm/drop_caches
echo \"disk: $(head -c 20 /dev/vda)\"
echo DISTILL-NET-READY
nc -l -p 80 -e /serve
echo DISTILL-SERVED
poweroff -f
")
 cmdline: "console=ttyS0 panic=-1 quiet")
EOS
chmod a+r "$scratch/net.scm"
port=$((20000 + $$ % 20000))
run "boot net.scm --forward $port:80 --expect DISTILL-SERVED --timeout 120 > console5 2> err5" &
boot_pid=$!
i=0
while [ $i -lt 120 ] && ! grep -q DISTILL-FWD-MARKER "$scratch/got" 2>/dev/null; do
	if grep -q DISTILL-NET-READY "$scratch/console5" 2>/dev/null; then
		busybox nc 127.0.0.1 $port < /dev/null > "$scratch/got" 2>/dev/null
	fi
	kill -0 $boot_pid 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
wait $boot_pid
rc=$?
ok $rc "the guest with network and disk boots and serves (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/err5" "$scratch/console5" | diag
grep -q DISTILL-FWD-MARKER "$scratch/got" 2>/dev/null
ok $? "the host reads the guest's marker through --forward $port:80"
grep -q "forwarding 127.0.0.1:$port to the guest's port 80" "$scratch/err5"
ok $? "distill names the forward"
grep -q 'disk: DISTILL-DISK-WRITTEN' "$scratch/console5"
ok $? "the guest writes its disk and reads back what it wrote"
img=$(find "$st/blobs" -type f -size 1024k | head -n 1)
ok $([ -n "$img" ] && cmp -s -n 1048576 "$img" /dev/zero; echo $?) \
	"the disk image in the store is unchanged (all zeros)"

done_testing
