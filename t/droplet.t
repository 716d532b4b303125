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
metadata_net

# 1. The image.
cloud_image droplet qcow2

guest_port=$((20000 + $$ % 20000))

# 2. The first boot, with the metadata server.
cloud_boot 1 droplet "$net,$serve" droplet-metadata
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
host_key 1
ok $(sort -u "$scratch/requests" | sed 's/ *$//' > "$scratch/asked"
	[ "$(cat "$scratch/asked")" = "GET /metadata/v1/hostname HTTP/1.0 host=169.254.169.254
GET /metadata/v1/public-keys HTTP/1.0 host=169.254.169.254" ]; echo $?) \
	"the guest asked 169.254.169.254 for the host name and the keys, nothing else"
diag < "$scratch/requests"
stop_guest "$scratch/id"

# 3. The second boot, from the same /var, with nothing at 169.254.169.254.
: > "$scratch/requests"
cloud_boot 2 droplet "$net" droplet-metadata
ok $(grep -q 'distill-rc: services started' "$scratch/console2" &&
	grep -q 'droplet-metadata: no metadata after 5 tries: no answer from 169.254.169.254:80 for /metadata/v1/hostname within 5 s' "$scratch/console2"; echo $?) \
	"without a metadata server the boot ends, the console saying why ($boot_secs s)"
grep -a 'distill-rc\|droplet-metadata' "$scratch/console2" | diag
guest_login "$scratch/id" 'echo SSH-OK; hostname'
ok $([ $login = 0 ] && [ "$(echo "$out" | sed -n 2p)" = "$name" ]; echo $?) \
	"root's key and the host name of the first boot are kept in /var"
host_key_kept
ok $([ ! -s "$scratch/requests" ]; echo $?) "nothing reached the metadata server"
stop_guest "$scratch/id"

done_testing
