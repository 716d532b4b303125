#!/bin/sh
# The services cron, urandom-seed, memcached and the console gettys, end
# to end, as an ordinary user: a system running them boots twice on (plat
# qemu-x86_64) under TCG with one --state file (the same /var), and a
# oneshot of the test's, started after them, reports on the console what
# it finds.  crond runs a job of the system's crontab (a line appears in
# a file) and logs it; the seed file /var/lib/urandom-seed is made on
# the first boot, written again at its shutdown (the second boot finds
# another seed than the first left at boot) and again at the second
# boot; a getty of console-gettys runs on the platform's console, ttyS0,
# and its login prompt is on the serial console; memcached, given a
# memory limit of 16 MB, answers on 127.0.0.1:11211 (a key set and got
# back with busybox nc, and stats says that limit), as its own user
# memcache, not root; sshd's host key, emptied after the first boot as a
# power loss just after it was made would leave it, is made again on the
# second and sshd runs.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64

use_shared_store

# seed-before reports the seed a previous boot left; urandom-seed (the
# service of svc/urandom-seed.scm, made to start after it: services start
# at once, each after its dependencies) then reads and replaces it; check
# runs after them all.
cat > "$scratch/svc.scm" <<'EOS'
(import (distill plan) (distill service) (distill system) (plat qemu-x86_64)
        (svc var-mount) (svc cron) (svc urandom-seed) (svc getty) (svc memcached)
        (svc sshd))

(define platform qemu-x86_64)

(define seed-before
  (make-service
   name: "seed-before"
   after: (list var-mount)
   spec: (oneshot* up: "#!/bin/sh
s=/var/lib/urandom-seed
if [ -f $s ]; then h=$(sha256sum < $s | cut -c 1-64); else h=none; fi
echo \"SVCT: seed before: $h\" > /dev/console
")))

(define seed-after-report
  (make-service name: (service-name urandom-seed) after: (list var-mount seed-before)
                spec: (service-spec urandom-seed)))

(define gettys (console-gettys platform))

(define check
  (make-service
   name: "check"
   after: (append (list "cron" seed-after-report "memcached" "sshd") gettys)
   inputs: (list (local-file "check.sh" "/etc/svct-check" #o755))
   spec: (oneshot* up: "#!/bin/sh\nexec /etc/svct-check\n" timeout-up: 150000)))

(define system
  (make-system
   hostname: "svct"
   services: (append (list seed-before
                           (cron '(("* * * * *" "echo tick-from-cron >> /var/log/tick")))
                           seed-after-report
                           (memcached '((memory 16)))
                           (sshd-service))
                     gettys
                     (list check))))
EOS
cat > "$scratch/check.sh" <<'EOS'
#!/bin/sh
say() { echo "SVCT: $*" > /dev/console; }
s=/var/lib/urandom-seed
n=$(($(cat /var/lib/svct-boots 2>/dev/null || echo 0) + 1))
echo $n > /var/lib/svct-boots
say "boot $n"
say "seed after: $(sha256sum < $s | cut -c 1-64), $(wc -c < $s) bytes, mode $(stat -c %a $s)"
if [ $n = 1 ]; then
	i=0
	until [ -s /var/log/tick ] || [ $i -ge 120 ]; do sleep 1; i=$((i + 1)); done
	say "tick: $(head -n 1 /var/log/tick 2>/dev/null)"
	sleep 1
	say "cron log: $(grep -c 'USER root pid .* cmd echo tick-from-cron' /var/log/cron/current)"
fi
mc() { printf "$1" | nc -w 5 127.0.0.1 11211 | tr -d '\r' | tr '\n' '|'; }
say "memcached: $(mc 'set k 0 0 2\r\nhi\r\nget k\r\nquit\r\n')"
say "memcached stats: $(mc 'stats\r\nquit\r\n' | grep -o 'STAT limit_maxbytes [0-9]*')"
p=$(pidof memcached)
say "memcached runs as: $(stat -c %U "/proc/$p") uid $(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$p/status")"
k=/var/lib/sshd/ssh_host_ed25519_key
if ssh-keygen -y -f $k > /tmp/hostkey.pub 2>&1; then say "host key: $(cut -d ' ' -f 1 /tmp/hostkey.pub)"; else say "host key: none"; fi
if pidof sshd > /dev/null; then say 'sshd runs'; else say 'sshd does not run'; fi
# What a power loss just after the key was made leaves (before the key
# was written under another name and renamed): an empty file.
[ $n != 1 ] || { : > $k; sync; }
for p in $(pidof getty); do say "getty: $(tr '\000' ' ' < /proc/$p/cmdline)"; done
say done
poweroff
EOS
chmod a+r "$scratch"/*.scm "$scratch/check.sh"

# boot N: boot with the state file until the machine powers itself off
# (after check), the console into boot$N.console.
boot() {
	t0=$(date +%s)
	run "boot svc.scm --state var.qcow2 --timeout 400 > boot$1.console 2> boot$1.err"
	rc=$?
	ok $rc "boot $1: the system boots, runs its check and powers off (exit $rc)"
	[ $rc = 0 ] || { grep -v '^;;;' "$scratch/boot$1.err" | tail -n 20; tail -n 30 "$scratch/boot$1.console"; } | diag
	echo "boot $1 (the first builds the disk): $(($(date +%s) - t0)) s" | diag
	grep -a 'SVCT:\|distill-rc' "$scratch/boot$1.console" | diag
}
field() { # N WHAT: the hash after "SVCT: WHAT: " on boot N's console
	sed -n "s/.*SVCT: $2: \([0-9a-f]\{64\}\).*/\1/p" "$scratch/boot$1.console" | head -n 1
}

# 1. The first boot: cron, a new seed, the getty.
boot 1
grep -aq 'SVCT: tick: tick-from-cron' "$scratch/boot1.console"
ok $? "crond runs root's job: its line appears in /var/log/tick"
grep -aq 'SVCT: cron log: [1-9]' "$scratch/boot1.console"
ok $? "crond's log (/var/log/cron) names the job it started"
grep -aq 'SVCT: seed before: none' "$scratch/boot1.console" &&
	grep -aq 'urandom-seed: no seed in /var/lib/urandom-seed yet' "$scratch/boot1.console"
ok $? "the first boot has no seed, and the console says one is made"
grep -aq 'SVCT: seed after: [0-9a-f]\{64\}, 512 bytes, mode 600' "$scratch/boot1.console"
ok $? "urandom-seed writes a seed of 512 bytes, mode 0600, at boot"
grep -aq 'SVCT: getty: getty -L 115200 ttyS0 vt100' "$scratch/boot1.console"
ok $? "console-gettys runs a getty on the platform's console, ttyS0"
grep -aq 'svct login:' "$scratch/boot1.console"
ok $? "its login prompt is on the serial console"
grep -aq 'SVCT: memcached: STORED|VALUE k 0 2|hi|END|' "$scratch/boot1.console"
ok $? "memcached answers on 127.0.0.1:11211: a key set with nc comes back"
grep -aq "SVCT: memcached stats: STAT limit_maxbytes $((16 * 1024 * 1024))" "$scratch/boot1.console"
ok $? "its stats give the memory limit of its configuration, 16 MB"
grep -aq 'SVCT: memcached runs as: memcache uid 11211' "$scratch/boot1.console"
ok $? "it runs as its own user memcache (uid 11211), not root"

grep -aq 'SVCT: host key: ssh-ed25519' "$scratch/boot1.console" &&
	grep -aq 'SVCT: sshd runs' "$scratch/boot1.console"
ok $? "the first boot makes an ed25519 host key and sshd runs"

# 2. The second boot, with the same /var.
boot 2
grep -aq 'sshd-host-key: /var/lib/sshd/ssh_host_ed25519_key holds no key (power lost as it was written?): a new one is made' "$scratch/boot2.console" &&
	grep -aq 'SVCT: host key: ssh-ed25519' "$scratch/boot2.console" &&
	grep -aq 'SVCT: sshd runs' "$scratch/boot2.console"
ok $? "an emptied host key file is replaced by a new key, the console says so, and sshd runs"
a=$(field 1 'seed after') b=$(field 2 'seed before') c=$(field 2 'seed after')
ok $([ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; echo $?) \
	"the first boot's shutdown wrote a new seed ($a, then $b)"
ok $([ -n "$c" ] && [ "$c" != "$b" ]; echo $?) \
	"the second boot replaced that seed with a fresh one at once ($c)"
grep -aq 'SVCT: boot 2' "$scratch/boot2.console" &&
	! grep -aq 'urandom-seed: no seed' "$scratch/boot2.console"
ok $? "the second boot found the seed in the kept /var"

done_testing
