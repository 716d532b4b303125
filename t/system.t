#!/bin/sh
# The example system (examples/system.scm, what `distill init` writes),
# end to end, as an ordinary user: it builds offline, boots under TCG on
# (plat qemu-x86_64) with QEMU's user network; dhcpcd leases an address,
# chronyd runs as its own user, the host's ssh logs in through a
# forwarded port with a key certified by a CA the test makes and runs
# commands, and a key without a certificate is refused; a killed longrun comes back and its
# log is under /var/log; the disk built again in a fresh store by another
# user is bit-identical.  Also: service graphs with a cycle or an unknown
# name are errors naming the services.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64 ssh

use_shared_store
mkdir -p "$scratch/sys"
chmod 1777 "$scratch/sys"

# 1. distill init writes the example, and never over a file.
as_user "cd sys && $distill init > init.out 2> init.err"
ok $? "distill init writes system.scm"
cmp -s "$scratch/sys/system.scm" "$top/examples/system.scm"
ok $? "what it writes is examples/system.scm"
as_user "cd sys && $distill init 2> init2.err"
rc=$?
ok $([ $rc = 2 ] && grep -q 'never writes over a file' "$scratch/sys/init2.err"; echo $?) \
	"a second distill init refuses to write over it (exit $rc)"

# 2. Keys: the CA, a key it certifies for root, a key it does not.
ssh-keygen -q -t ed25519 -N '' -C test-ca -f "$scratch/sys/ca"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/id"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/stranger"
ssh-keygen -q -s "$scratch/sys/ca" -I distill-test -n root -V -5m:+1h "$scratch/id.pub"
ok $? "the CA certifies a key for root"
chmod -R a+rX "$scratch/sys"

# disk.scm: the same system, defining its platform qemu-x86_64 too, so
# that building it builds its disk (what distill boot qemu-x86_64
# system.scm builds), for build and fetch.
{
	cat "$top/examples/system.scm"
	echo '(import (plat qemu-x86_64))'
	echo '(define platform qemu-x86_64)'
} > "$scratch/sys/disk.scm"
chmod a+r "$scratch/sys/disk.scm"

# 3. Fetch, then build offline with no network at all.
as_user "cd sys && $mirror_env $distill --store $st fetch disk.scm > ../fetch.out 2> ../fetch.err"
ok $? "distill fetch gets every source of the example system"
t0=$(date +%s)
as_user "cd sys && $mirror_env unshare -rn $distill --store $st -j2 --offline build disk.scm > ../disk1 2> ../build1.err"
rc=$?
ok $rc "the example system's disk builds offline, in a network namespace (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/build1.err" | tail -n 20 | diag
echo "build (in the run's shared store): $(($(date +%s) - t0)) s" | diag

# 3b. Its SPDX document (all cached now): every package of the image with
# its licence, the seed's Debian packages with their purls.
as_user "cd sys && $mirror_env $distill --store $st --offline sbom disk.scm > ../sbom.json 2> ../sbom.err"
ok $? "distill sbom of the example system's disk"
python3 - "$scratch/sbom.json" > "$scratch/sbom.check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lic = {p["name"]: p.get("licenseDeclared") for p in d["packages"]}
for name, want in [("openssh", "SSH-OpenSSH"), ("openssl", "Apache-2.0"), ("chrony", "GPL-2.0-only"),
                   ("dhcpcd", "BSD-2-Clause"), ("busybox-full", "GPL-2.0-only"), ("wget", "GPL-3.0-or-later")]:
    if lic.get(name) != want:
        print("%s: licence %s, not %s" % (name, lic.get(name), want))
purls = [r["referenceLocator"] for p in d["packages"] for r in p.get("externalRefs", [])
         if r["referenceType"] == "purl"]
if not any(u.startswith("pkg:deb/debian/gcc-12@") for u in purls):
    print("no Debian gcc-12 among the sources")
PY
ok $([ ! -s "$scratch/sbom.check" ]; echo $?) \
	"it names each package's licence and the seed's Debian packages ($(grep -c '"SPDXID"' "$scratch/sbom.json") elements)"
diag "$scratch/sbom.check"

# 4. Boot it with port 22 forwarded, and wait for its services.
guest_port=$((20000 + $$ % 20000))
boot_system console "cd sys && $mirror_env $distill --store $st boot qemu-x86_64 system.scm --forward $guest_port:22 --timeout 600 2> ../boot.err"
grep -q 'distill-rc: services started:.*sshd' "$scratch/console"
ok $? "the system boots and starts its services ($boot_secs s)"
grep -a 'distill-rc\|distill-initramfs' "$scratch/console" | diag

chmod 600 "$scratch/id" "$scratch/stranger"
guest_login "$scratch/id" 'echo SSH-OK; uname -r; ip -4 addr show eth0'
ok $login "ssh logs in as root with the certified key and runs a command"
[ -n "$out" ] || diag < "$scratch/ssh1.err"
ok $(echo "$out" | grep -q 'inet 10\.0\.2\.15/24'; echo $?) "dhcpcd leased eth0 its address (10.0.2.15/24)"
out=$(guest "$scratch/id" 'cat /var/log/net-dhcpcd/current' 2>/dev/null)
ok $(echo "$out" | grep -q 'leased 10\.0\.2\.15'; echo $?) "dhcpcd's log, under /var/log, says so"
out=$(guest "$scratch/id" 'pidof chronyd; cat /run/sv/chronyd/supervise/stat' 2>/dev/null)
ok $(echo "$out" | grep -q '^run$' && echo "$out" | grep -q '^[0-9][0-9]*$'; echo $?) "chronyd is running"
# As the user chrony (uid 123), keeping the right to set the clock
# (CAP_SYS_TIME, bit 25) and not the others of root (CAP_SYS_ADMIN, 21).
out=$(guest "$scratch/id" 'grep -E "^(Uid|CapEff):" /proc/$(pidof chronyd)/status' 2>/dev/null)
capeff=$(echo "$out" | sed -n 's/^CapEff:[[:space:]]*//p')
ok $(echo "$out" | grep -q '^Uid:[[:space:]]*123[[:space:]]*123[[:space:]]*123[[:space:]]*123$' &&
	[ -n "$capeff" ] && [ $(( (0x$capeff >> 25) & 1 )) = 1 ] && [ $(( (0x$capeff >> 21) & 1 )) = 0 ]
	echo $?) "chronyd runs as chrony with CAP_SYS_TIME only of root's powers (CapEff $capeff)"
[ -n "$capeff" ] || echo "$out" | diag
guest_refused "$scratch/stranger"
ok $([ $? = 0 ] && [ $login = 0 ]; echo $?) \
	"a key without a certificate is refused (ssh exit $refused_rc), where the certified one gets in"
out=$(guest "$scratch/id" 'grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt; wget --version | head -n 1; grep -E "^ssh[[:space:]]" /etc/services' 2>/dev/null)
ok $(echo "$out" | grep -q 'GNU Wget' && [ "$(echo "$out" | head -n 1)" -gt 100 ] 2>/dev/null &&
	echo "$out" | grep -q '22/tcp'; echo $?) "ca-certs, wget and netbase's /etc/services are installed"
echo "$out" | diag

# 5. A killed longrun comes back; its log is under /var/log.
out=$(guest "$scratch/id" 'p1=$(cat /run/sv/chronyd/supervise/pid); kill -9 $p1
i=0; while [ $i -lt 100 ]; do p2=$(cat /run/sv/chronyd/supervise/pid); [ "$p2" != "$p1" ] && [ "$(cat /run/sv/chronyd/supervise/stat)" = run ] && break; sleep 0.1; i=$((i + 1)); done
echo "killed $p1, now $p2, $(cat /run/sv/chronyd/supervise/stat)"; ls /var/log/chronyd/current' 2>/dev/null)
echo "$out" | diag
ok $(echo "$out" | grep -q 'killed \([0-9]*\), now \([0-9]*\), run' &&
	! echo "$out" | grep -q 'killed \([0-9]*\), now \1,'; echo $?) "chronyd, killed, is started again"
ok $(echo "$out" | grep -q '^/var/log/chronyd/current$'; echo $?) "its log is /var/log/chronyd/current"
stop_guest "$scratch/id"
ok $([ $login = 0 ] && [ $stop_secs -lt 60 ]; echo $?) "poweroff over ssh stops the machine ($stop_secs s)"
grep -a 'distill-rc' "$scratch/console" | tail -n 3 | diag

# 6. The same disk from a fresh store, built by another user (root when
# the test runs as root) under another path, with another umask.
rebuild_fresh "the disk" "$scratch/sys" disk.scm "$scratch/disk2"
h1=$(cut -d ' ' -f 1 "$scratch/disk1")
h2=$(cut -d ' ' -f 1 "$scratch/disk2")
ok $([ -n "$h1" ] && [ "$h1" = "$h2" ]; echo $?) "the example system's disk is bit-identical ($h1, $h2)"

# 7. Service graphs the image build refuses.
cat > "$scratch/cycle.scm" <<'EOS'
(import (distill service) (distill system))
(define (svc name after)
  (make-service name: name after: after spec: (oneshot* up: "#!/bin/sh\n")))
(make-system services: (list (svc "a" '("b")) (svc "b" '("c")) (svc "c" '("a"))))
EOS
cat > "$scratch/unknown.scm" <<'EOS'
(import (distill service) (distill system))
(make-system services: (list (make-service name: "web" after: '("network")
                                           spec: (oneshot* up: "#!/bin/sh\n"))))
EOS
chmod a+r "$scratch"/*.scm
run "build cycle.scm > /dev/null 2> cycle.err"
rc=$?
ok $([ $rc = 3 ] && grep -q 'cycle.scm:4:1: error: .*in a cycle: a -> b -> c -> a' "$scratch/cycle.err"; echo $?) \
	"a dependency cycle is a recipe error naming it (exit $rc)"
diag < "$scratch/cycle.err"
run "build unknown.scm > /dev/null 2> unknown.err"
rc=$?
ok $([ $rc = 3 ] && grep -q 'service "web" starts after "network", which is not a service of the system' "$scratch/unknown.err"; echo $?) \
	"an unknown dependency is a recipe error naming both (exit $rc)"
diag < "$scratch/unknown.err"

done_testing
