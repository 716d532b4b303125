#!/bin/sh
# The droplet platform (plat/droplet.scm): DigitalOcean's custom image,
# booted under QEMU as a droplet is (virtio disk, eth0 and a second NIC,
# eth1, on a user network 169.254.0.0/16 whose 169.254.169.254:80 is
# t/metadata.py, this test's own metadata server, through guestfwd's
# cmd:).  distill build droplet gives a qcow2 disk; the first boot takes
# its host name and root's SSH key (made here) from the metadata and lets
# root in with it, dropping the lines that are no key, asking
# 169.254.169.254 alone and only for its two paths; a second boot, from
# the same /var (--state) and with nothing at 169.254.169.254, gets to
# its services after bounded tries, says on the console why there is no
# metadata, and keeps the host name, root's key and the host key.  Two
# TCG boots: about 2.5 minutes here, the image's own plans included.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64 ssh python3

use_shared_store

# The metadata: a host name and root's key made now, between two lines
# that are no OpenSSH public key (one with options, one not a key).
ssh-keygen -q -t ed25519 -N '' -C droplet-test -f "$scratch/id"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/stranger"
chmod 600 "$scratch/id" "$scratch/stranger"
name=sea-$$
md=$scratch/md/metadata/v1
mkdir -p "$md"
echo "$name" > "$md/hostname"
{ echo "command=\"/bin/sh\" $(cat "$scratch/stranger.pub")"; cat "$scratch/id.pub"; echo 'not a key'; } > "$md/public-keys"
cp "$top/t/metadata.py" "$scratch/metadata.py"
chmod -R a+rX "$scratch/md" "$scratch/metadata.py"
touch "$scratch/requests"
chmod 666 "$scratch/requests"
net=net=169.254.0.0/16,host=169.254.169.1,dhcpstart=169.254.169.15,restrict=on
serve="guestfwd=tcp:169.254.169.254:80-cmd:python3 $scratch/metadata.py $scratch/md $scratch/requests"

# 1. The image.
t0=$(date +%s)
run "build droplet > build.out 2> build.err"
rc=$?
read -r hash path size < "$scratch/build.out"
qemu-img info "$path" > "$scratch/info" 2>&1
ok $([ $rc = 0 ] && [ "${path##*/}" = "$hash" ] && grep -q '^file format: qcow2' "$scratch/info"; echo $?) \
	"distill build droplet makes a qcow2 disk (exit $rc, $size bytes, $(($(date +%s) - t0)) s)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/build.err" | tail -n 20 | diag

# droplet_boot N NETOPTS: boot N of the image, from /var in var.qcow2,
# port 22 forwarded, eth1 on a user network with NETOPTS; its console in
# $scratch/consoleN; wait (2 minutes at most) for the metadata's oneshot.
guest_port=$((20000 + $$ % 20000))
droplet_boot() {
	boot_system console$1 "$mirror_env $distill --store $st boot droplet --state $scratch/var.qcow2 --forward $guest_port:22 --net '$2' --timeout 900 2> boot$1.err"
	i=0
	while [ $i -lt 120 ] && ! grep -q 'droplet-metadata: host name' "$scratch/console$1"; do sleep 1; i=$((i + 1)); done
}

# 2. The first boot, with the metadata server.
droplet_boot 1 "$net,$serve"
ok $(grep -q 'distill-rc: services started' "$scratch/console1" &&
	grep -q "droplet-metadata: host name $name" "$scratch/console1"; echo $?) \
	"the first boot starts its services and takes the metadata's host name ($boot_secs s)"
grep -a 'distill-rc\|distill-initramfs\|droplet-metadata' "$scratch/console1" | diag
ok $(grep -q 'droplet-metadata: 2 line(s) of the metadata.s keys are no OpenSSH public key: dropped' "$scratch/console1" &&
	grep -q 'droplet-metadata: 1 SSH key(s) for root' "$scratch/console1"; echo $?) \
	"of the metadata's three lines of keys, the one key is kept and the two others dropped, saying so"
guest_login "$scratch/id" 'echo SSH-OK; hostname; cat /proc/cmdline'
ok $login "ssh logs in as root with the metadata's key"
[ -n "$out" ] || diag < "$scratch/ssh1.err"
ok $(echo "$out" | sed -n 2p | grep -qx "$name"; echo $?) "the host name is the metadata's ($(echo "$out" | sed -n 2p))"
ok $(echo "$out" | grep -q 'console=tty0 console=ttyS0 '; echo $?) "the kernel's consoles are tty0 and ttyS0, the serial one last"
guest_refused "$scratch/stranger"
ok $? "the key of the line with options is refused (ssh exit $refused_rc)"
ssh-keyscan -t ed25519 -p "$guest_port" 127.0.0.1 2>/dev/null | cut -d ' ' -f 2- > "$scratch/hostkey1"
ok $(sort -u "$scratch/requests" | sed 's/ *$//' > "$scratch/asked"
	[ "$(cat "$scratch/asked")" = "GET /metadata/v1/hostname HTTP/1.0 host=169.254.169.254
GET /metadata/v1/public-keys HTTP/1.0 host=169.254.169.254" ]; echo $?) \
	"the guest asked 169.254.169.254 for the host name and the keys, nothing else"
diag < "$scratch/requests"
stop_guest "$scratch/id"

# 3. The second boot, from the same /var, with nothing at 169.254.169.254.
: > "$scratch/requests"
droplet_boot 2 "$net"
ok $(grep -q 'distill-rc: services started' "$scratch/console2" &&
	grep -q 'droplet-metadata: no metadata after 5 tries: no answer from 169.254.169.254:80 for /metadata/v1/hostname within 5 s' "$scratch/console2"; echo $?) \
	"without a metadata server the boot ends, the console saying why ($boot_secs s)"
grep -a 'distill-rc\|droplet-metadata' "$scratch/console2" | diag
guest_login "$scratch/id" 'echo SSH-OK; hostname'
ok $([ $login = 0 ] && [ "$(echo "$out" | sed -n 2p)" = "$name" ]; echo $?) \
	"root's key and the host name of the first boot are kept in /var"
ssh-keyscan -t ed25519 -p "$guest_port" 127.0.0.1 2>/dev/null | cut -d ' ' -f 2- > "$scratch/hostkey2"
ok $([ -s "$scratch/hostkey1" ] && cmp -s "$scratch/hostkey1" "$scratch/hostkey2"; echo $?) \
	"the host key is the first boot's ($(cut -c 1-30 "$scratch/hostkey2")...)"
ok $([ ! -s "$scratch/requests" ]; echo $?) "nothing reached the metadata server"
stop_guest "$scratch/id"

done_testing
