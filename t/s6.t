#!/bin/sh
# The s6 supervision backend, end to end, as an ordinary user: a system
# whose services are written as upstream's svc/ writes them (names as
# symbols, scripts as execline data: a oneshot, a longrun with a
# notification-fd, a bundle) boots on (plat qemu-x86_64) with
# supervisor: s6-supervisor ((pkg s6): Debian's s6 and execline).  In the
# guest, a oneshot started after the bundle checks that s6-svscan (not
# runsvdir) supervises, that the services started in their order and the
# longrun was waited for until it said it was ready, that the longrun,
# killed, is started again by s6-supervise, and that its output lands in
# /var/log/NAME/current through s6-log, and that the Debian packages'
# copyright files are there.  Also: a platform's supervisor:
# gives a system that chose none the same disk; execline data under the
# default runit backend is refused with an error naming the way out.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64

use_shared_store

# The services, as upstream writes them.  first appends to /run/order;
# ticker appends, sleeps two seconds, appends again and only then writes
# the line that makes it ready, then ticks into its log; check, after the
# bundle, runs /etc/s6-check (below) and prints what it found.
cat > "$scratch/s6sys.scm" <<'EOS'
(import (distill plan) (distill service) (distill system) (distill fs) (pkg s6)
        (distill platform) (plat qemu-x86_64))

(define first
  (make-service
   name: 'first
   after: (list var-mounted-rw)
   spec: (oneshot* up: '(redirfd -a 1 /run/order echo first))))

(define ticker
  (make-service
   name: 'ticker
   after: '(first)
   spec: (longrun*
          notification-fd: 3
          timeout-up: 120000
          run: `(fdmove -c 2 1
                 foreground (redirfd -a 1 /run/order echo ticker-started)
                 foreground (sleep 2)
                 foreground (redirfd -a 1 /run/order echo ticker-ready)
                 foreground (fdmove 1 3 echo "")
                 fdclose 3
                 loopwhilex
                 foreground (echo "tick from ticker")
                 sleep 1))))

(define daemons
  (make-service name: 'daemons spec: (bundle* contents: (list ticker))))

(define check
  (make-service
   name: 'check
   after: (list daemons)
   inputs: (list (interned "/etc/s6-check" #o755 check-text))
   spec: (oneshot* up: '(/etc/s6-check) timeout-up: 60000)))

(define broken
  (make-service name: 'broken spec: (oneshot* up: "#!/bin/sh\nexit 3\n")))
(define after-broken
  (make-service name: 'after-broken after: '(broken)
                spec: (oneshot* up: "#!/bin/sh\necho after-broken >> /run/order\n")))
(define lone
  ;; Starts after nothing, so at once with first: it sees ticker start.
  (make-service
   name: 'lone
   spec: (oneshot*
          timeout-up: 60000
          up: "#!/bin/sh\ni=0\nuntil grep -q ticker-started /run/order 2>/dev/null || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done\ngrep -q ticker-started /run/order && echo 'S6T: lone saw ticker start' > /dev/console\nexit 0\n")))

(platform+system->plan
 qemu-x86_64
 (make-system hostname: "s6test" supervisor: s6-supervisor
              services: (list lone first ticker daemons check broken after-broken)))
EOS
cat > "$scratch/check.sh" <<'EOS'
#!/bin/sh
say() { echo "S6T: $*" > /dev/console; }
say "supervisors: s6-svscan $(pidof s6-svscan), runsvdir $(pidof runsvdir || echo none)"
say "order: $(tr '\n' ' ' < /run/order)"
p1=$(s6-svstat -p /run/service/ticker)
kill -9 "$p1"
i=0
while [ $i -lt 100 ]; do
	p2=$(s6-svstat -p /run/service/ticker)
	[ "$p2" != "$p1" ] && [ "$p2" -gt 0 ] 2>/dev/null && break
	sleep 0.1
	i=$((i + 1))
done
say "killed $p1, now $p2, up $(s6-svstat -o up /run/service/ticker)"
i=0
until [ "$(grep -c 'tick from ticker' /var/log/ticker/current 2>/dev/null)" -ge 3 ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "log: $(grep -c 'tick from ticker' /var/log/ticker/current) ticks; $(tail -n 1 /var/log/ticker/current)"
n=0
for p in s6 libs6-2.11 execline libexecline2.9 libskarnet2.13 libc6; do
	[ -s /usr/share/doc/$p/copyright ] && n=$((n + 1))
done
say "copyright files: $n of 6"
say done
EOS
# The check script, text, goes into the recipe as a string.
{
	sed -n 1,2p "$scratch/s6sys.scm"
	printf '(define check-text "'
	sed 's/\\/\\\\/g; s/"/\\"/g' "$scratch/check.sh"
	printf '")\n'
	sed 1,2d "$scratch/s6sys.scm"
} > "$scratch/s6sys.tmp" && mv "$scratch/s6sys.tmp" "$scratch/s6sys.scm"
chmod a+r "$scratch"/*.scm

# 1. Boot it (the kernel, busybox and the platform's parts are in the
# run's shared store; s6-runtime, the root and the disk are built here).
t0=$(date +%s)
run "boot s6sys.scm --expect 'S6T: done' --timeout 400 > s6.console 2> s6.err"
rc=$?
ok $rc "the system boots under s6 and its check runs to the end (exit $rc)"
[ $rc = 0 ] || { grep -v '^;;;' "$scratch/s6.err" | tail -n 20; tail -n 30 "$scratch/s6.console"; } | diag
echo "build and boot: $(($(date +%s) - t0)) s" | diag
grep -a 'S6T:\|distill-rc' "$scratch/s6.console" | diag

grep -aq 'S6T: supervisors: s6-svscan [0-9][0-9]*, runsvdir none' "$scratch/s6.console"
ok $? "s6-svscan supervises the services, and runsvdir does not run"
grep -aq 'S6T: order: first ticker-started ticker-ready[[:space:]]*$' "$scratch/s6.console"
ok $? "first ran before ticker started, and check waited until ticker was ready (notification-fd)"
grep -aq 'S6T: killed \([0-9]*\), now \([0-9]*\), up true' "$scratch/s6.console" &&
	! grep -aq 'S6T: killed \([0-9]*\), now \1,' "$scratch/s6.console"
ok $? "ticker, killed, is started again by s6-supervise"
grep -Eaq 'S6T: log: ([3-9]|[1-9][0-9]+) ticks; [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+  tick from ticker[[:space:]]*$' "$scratch/s6.console"
ok $? "its output lands in /var/log/ticker/current through s6-log, timestamped"

grep -aq 'S6T: lone saw ticker start' "$scratch/s6.console"
ok $? "services start at once: lone, after nothing, waits for ticker, which starts after first"
grep -aq 'distill-rc: broken: up failed (exit 3)' "$scratch/s6.console" &&
	grep -aq 'distill-rc: after-broken: not started: broken failed' "$scratch/s6.console"
ok $? "a failed oneshot is named, and what starts after it is not started"
grep -Eaq 'distill-rc: ticker: up in [0-9]+\.[0-9]{2} s' "$scratch/s6.console"
ok $? "the console says how long each service took to come up"

grep -aq 'S6T: copyright files: 6 of 6' "$scratch/s6.console"
ok $? "the image carries the copyright file of each Debian package it ships"

# 2. The platform may choose the backend for a system that chose none:
# the same disk, to the bit (nothing new to build).
sed 's/supervisor: s6-supervisor//
s/(plat qemu-x86_64))$/(plat qemu-x86_64) (distill kernel) (plat base))/
s/^ qemu-x86_64$/ (make-platform name: "qemu-x86_64" firmware: (quote bios) kernel: (kernel-plan) modules: kernel-qemu-modules packages: base-packages services: base-services initramfs: initramfs-packages supervisor: s6-supervisor)/' \
	"$scratch/s6sys.scm" > "$scratch/plat.scm"
chmod a+r "$scratch/plat.scm"
run "build s6sys.scm > disk1 2> disk1.err"
run "build plat.scm > disk2 2> disk2.err"
rc=$?
h1=$(cut -d ' ' -f 1 "$scratch/disk1")
h2=$(cut -d ' ' -f 1 "$scratch/disk2")
ok $([ $rc = 0 ] && [ -n "$h1" ] && [ "$h1" = "$h2" ]; echo $?) \
	"make-platform supervisor: s6-supervisor gives a system without one the same disk ($h1, $h2)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/disk2.err" | tail -n 5 | diag

# 3. Execline data under the default backend: a recipe error, no build.
sed 's/supervisor: s6-supervisor//' "$scratch/s6sys.scm" > "$scratch/runit.scm"
chmod a+r "$scratch/runit.scm"
run "build runit.scm > /dev/null 2> runit.err"
rc=$?
ok $([ $rc = 3 ] && grep -q 'service "first" has a script written as execline data, which the runit backend cannot run.*supervisor: s6-supervisor of (pkg s6)' "$scratch/runit.err"; echo $?) \
	"execline data under runit is a recipe error naming s6-supervisor (exit $rc)"
diag < "$scratch/runit.err"

done_testing
