#!/bin/sh
# The nitro-ami-x86_64 platform (plat/nitro-ami-x86_64.scm): an EC2 Nitro
# machine's image, booted under QEMU as Nitro presents the machine: the
# disk an NVMe namespace, by BIOS (SeaBIOS; GRUB on the GPT) and by UEFI
# (OVMF; the ESP's unified kernel image), a second NIC (eth1) on a user
# network 169.254.0.0/16 whose 169.254.169.254:80 is t/metadata.py in its
# IMDSv2 mode (a session token from PUT /latest/api/token; GETs without it
# refused), through guestfwd's cmd:.  distill build nitro-ami-x86_64 gives
# a raw GPT disk (ESP, root, /var, BIOS boot partition); the first boot
# takes its host name and root's SSH key (made here) from the metadata
# with the token, asking 169.254.169.254 alone, and lets root in with the
# key; the root is on /dev/nvme0n1p2 and ena is loaded.  The second boot,
# by UEFI from the same /var (--state), with nothing at 169.254.169.254,
# gets to its services after bounded tries, says why on the console, and
# keeps the host name, root's key and the host key.  Two TCG boots, the
# image's own plans included: measured in docs/boot.md.  make check-full
# boots a third time, with no key at the metadata (a 404).
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64 ssh python3

use_shared_store

# The metadata: a host name, root's key and the session token, made now.
ssh-keygen -q -t ed25519 -N '' -C nitro-test -f "$scratch/id"
chmod 600 "$scratch/id"
name=ip-10-0-$(($$ % 250))-7.ec2.internal
md=$scratch/md/latest/meta-data
mkdir -p "$md/public-keys/0"
echo "$name" > "$md/hostname"
cp "$scratch/id.pub" "$md/public-keys/0/openssh-key"
head -c 30 /dev/urandom | base64 | tr -d '\n' > "$scratch/token"
metadata_net "$scratch/token"

# 1. The image: raw, GPT, the four partitions.
cloud_image nitro-ami-x86_64 raw
sfdisk -d "$path" > "$scratch/table" 2>&1
ok $(grep -q '^label: gpt' "$scratch/table" &&
	[ "$(sed -n 's/.*type=\([0-9A-F-]*\).*/\1/p' "$scratch/table" | tr '\n' ' ')" = \
	  "C12A7328-F81F-11D2-BA4B-00A0C93EC93B 4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709 0FC63DAF-8483-4772-8E79-3D69D8477DE4 21686148-6449-6E6F-744E-656564454649 " ]; echo $?) \
	"a GPT disk: ESP, root, /var, BIOS boot partition"
diag < "$scratch/table"

guest_port=$((20000 + $$ % 20000))

# 2. The first boot, by BIOS, with the metadata server.
cloud_boot 1 nitro-ami-x86_64 "$net,$serve" imdsv2-metadata
ok $(grep -q 'distill-rc: services started' "$scratch/console1" &&
	grep -q "imdsv2-metadata: host name $name" "$scratch/console1" &&
	grep -q 'imdsv2-metadata: 1 SSH key(s) for root' "$scratch/console1"; echo $?) \
	"the BIOS boot starts its services and takes the metadata's host name and key ($boot_secs s)"
grep -a 'distill-rc\|distill-initramfs\|imdsv2-metadata' "$scratch/console1" | diag
[ -s "$scratch/boot1.err" ] && diag < "$scratch/boot1.err"
guest_login "$scratch/id" 'echo SSH-OK; hostname; cat /proc/cmdline; grep " / \| /var " /proc/mounts; cut -d " " -f 1 /proc/modules | grep -x ena'
ok $login "ssh logs in as root with the metadata's key"
[ -n "$out" ] || diag < "$scratch/ssh1.err"
echo "$out" | diag
ok $(echo "$out" | sed -n 2p | grep -qx "$name"; echo $?) "the host name is the metadata's ($(echo "$out" | sed -n 2p))"
ok $(echo "$out" | grep -q 'root=/dev/nvme0n1p2 .*distill.var=/dev/nvme0n1p3' &&
	echo "$out" | grep -q '^/dev/nvme0n1p2 / squashfs' &&
	echo "$out" | grep -q '^/dev/nvme0n1p3 /var ext4'; echo $?) \
	"the root and /var are the NVMe disk's partitions 2 and 3"
ok $(echo "$out" | grep -qx ena; echo $?) "the ena module is loaded"
host_key 1
ok $(sort -u "$scratch/requests" > "$scratch/asked"
	[ "$(cat "$scratch/asked")" = "GET /latest/meta-data/hostname HTTP/1.0 host=169.254.169.254 token=ok
GET /latest/meta-data/public-keys/0/openssh-key HTTP/1.0 host=169.254.169.254 token=ok
PUT /latest/api/token HTTP/1.0 host=169.254.169.254 token=missing ttl=300" ]; echo $?) \
	"the guest took a token from 169.254.169.254 and asked for the host name and key with it, nothing else"
diag < "$scratch/requests"
stop_guest "$scratch/id"

# 3. The second boot, by UEFI, from the same disk and /var, with nothing
# at 169.254.169.254.
cat > "$scratch/uefi.scm" <<'EOS'
(use-modules (distill boot) (distill platform) (plat nitro-ami-x86_64))
;; The disk distill boot nitro-ami-x86_64 boots, by UEFI.
(let ((spec (platform-boot-spec nitro-ami-x86_64 (minimal-system))))
  (boot-spec disk: (boot-spec-disk spec) firmware: 'uefi
             memory: (boot-spec-memory spec)
             disk-interface: (boot-spec-disk-interface spec)))
EOS
chmod a+r "$scratch/uefi.scm"
: > "$scratch/requests"
cloud_boot 2 "$scratch/uefi.scm" "$net" imdsv2-metadata
ok $(grep -q 'distill-rc: services started' "$scratch/console2" &&
	grep -q 'imdsv2-metadata: no metadata after 5 tries: no answer from 169.254.169.254:80 for PUT /latest/api/token within 5 s' "$scratch/console2"; echo $?) \
	"by UEFI without a metadata server the boot ends, the console saying why ($boot_secs s)"
grep -a 'distill-rc\|distill-initramfs\|imdsv2-metadata' "$scratch/console2" | diag
[ -s "$scratch/boot2.err" ] && diag < "$scratch/boot2.err"
guest_login "$scratch/id" 'echo SSH-OK; hostname; ls /sys/firmware/efi > /dev/null && echo UEFI'
ok $([ $login = 0 ] && [ "$(echo "$out" | sed -n 2p)" = "$name" ] && echo "$out" | grep -qx UEFI; echo $?) \
	"booted by UEFI, root's key and the host name of the first boot are kept in /var"
host_key_kept
ok $([ ! -s "$scratch/requests" ]; echo $?) "nothing reached the metadata server"
stop_guest "$scratch/id"

# 4. (check-full) A third boot, from the same /var, of an instance launched
# without a key pair: IMDSv2 answers 404 for the key.  The new host name
# is taken, and root has no key any more.
if full_only 2 "a third TCG boot (2 minutes)"; then
	rm "$md/public-keys/0/openssh-key"
	name=ip-10-1-0-9.ec2.internal
	echo "$name" > "$md/hostname"
	: > "$scratch/requests"
	# No key to log in and power it off with: distill stops it after 120 s.
	boot_timeout=120 cloud_boot 3 nitro-ami-x86_64 "$net,$serve" imdsv2-metadata
	ok $(grep -q "imdsv2-metadata: host name $name" "$scratch/console3" &&
		grep -q 'imdsv2-metadata: 0 SSH key(s) for root' "$scratch/console3"; echo $?) \
		"no key pair (404): the metadata's new host name is taken and root has no key ($boot_secs s)"
	grep -a 'distill-rc: services started\|imdsv2-metadata' "$scratch/console3" | diag
	diag < "$scratch/requests"
	i=0
	until guest_refused "$scratch/id" || [ $i -ge 30 ]; do sleep 2; i=$((i + 1)); done
	ok $(guest_refused "$scratch/id"; echo $?) "the first boot's key is refused now (ssh exit $refused_rc)"
	wait $boot_pid
fi

done_testing
