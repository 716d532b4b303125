#!/bin/sh
# The example system (examples/system.scm) for aarch64, from the same
# recipes, under make check-full (its cross builds of openssl, openssh,
# chrony... take a quarter of an hour here): as an ordinary user in the
# shared store its disk builds for the platform qemu-aarch64 (u-boot,
# every package cross-built), `distill boot qemu-aarch64 system.scm`
# boots it under TCG with port 22 forwarded, and the host's ssh logs in
# with a key certified by a CA the test makes: the machine is aarch64,
# dhcpcd leased eth0 its address, chronyd runs; a key without a
# certificate is refused; the image's sshd is an aarch64 static-pie
# program.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-aarch64 ssh readelf file

if ! full_only 10 "the example system cross-built for aarch64 and booted under TCG"; then
	done_testing
	exit
fi

use_shared_store
mkdir -p "$scratch/sys"
cp "$top/examples/system.scm" "$scratch/sys/"
ssh-keygen -q -t ed25519 -N '' -C test-ca -f "$scratch/sys/ca"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/id"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/stranger"
ssh-keygen -q -s "$scratch/sys/ca" -I distill-test -n root -V -5m:+3h "$scratch/id.pub"
ok $? "the CA certifies a key for root"
{
	cat "$top/examples/system.scm"
	echo '(import (plat qemu-aarch64))'
	echo '(define platform qemu-aarch64)'
} > "$scratch/sys/disk.scm"
chmod -R a+rX "$scratch/sys"
chmod 1777 "$scratch/sys"

# 1. The disk: what distill boot qemu-aarch64 system.scm builds.
t0=$(date +%s)
as_user "cd sys && $mirror_env $distill --store $st -j2 --offline build disk.scm > ../disk1 2> ../build1.err"
rc=$?
ok $rc "the example system's disk builds for qemu-aarch64 (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/build1.err" | tail -n 20 | diag
echo "build (in the run's shared store): $(($(date +%s) - t0)) s" | diag

# 2. Boot it through u-boot, and wait for its services.  A guest that
# lets nobody in (a failed run) is stopped by --timeout, the bound of a
# failed run's length: stop_guest's poweroff needs a login.
guest_port=$((20000 + $$ % 20000))
boot_system console "cd sys && $mirror_env $distill --store $st boot qemu-aarch64 system.scm --forward $guest_port:22 --timeout 600 2> ../boot.err"
grep -q 'distill-rc: services started:.*sshd' "$scratch/console"
ok $? "the system boots on qemu-aarch64 under TCG and starts its services ($boot_secs s)"
grep -a 'U-Boot 20\|distill-rc\|distill-initramfs' "$scratch/console" | diag

# 3. In over ssh with the certified key.
chmod 600 "$scratch/id" "$scratch/stranger"
guest_login "$scratch/id" 'echo SSH-OK; uname -m; ip -4 addr show eth0'
ok $login "ssh logs in as root with the certified key and runs a command"
[ -n "$out" ] || diag < "$scratch/ssh1.err"
ok $(echo "$out" | grep -qx aarch64; echo $?) "the machine is aarch64 (uname -m)"
ok $(echo "$out" | grep -q 'inet 10\.0\.2\.15/24'; echo $?) "dhcpcd leased eth0 its address (10.0.2.15/24)"
echo "$out" | diag
out=$(guest "$scratch/id" 'pidof chronyd; cat /run/sv/chronyd/supervise/stat' 2>/dev/null)
ok $(echo "$out" | grep -q '^run$' && echo "$out" | grep -q '^[0-9][0-9]*$'; echo $?) "chronyd is running"
guest_refused "$scratch/stranger"
ok $([ $? = 0 ] && [ $login = 0 ]; echo $?) \
	"a key without a certificate is refused (ssh exit $refused_rc), where the certified one gets in"

# 4. The sshd that runs is the image's: an aarch64 static-pie program.
guest "$scratch/id" 'cat /usr/sbin/sshd' > "$scratch/sshd" 2>/dev/null
h=$(readelf -lh "$scratch/sshd" 2>/dev/null)
f=$(file -b "$scratch/sshd")
ok $(echo "$h" | grep -q 'Machine: *AArch64' && ! echo "$h" | grep -q 'INTERP' &&
	echo "$f" | grep -q 'static-pie linked'; echo $?) "the image's sshd is an aarch64 static-pie program: $f"
stop_guest "$scratch/id"
echo "poweroff over ssh: $stop_secs s" | diag

done_testing
