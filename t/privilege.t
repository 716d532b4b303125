#!/bin/sh
# What a build can reach of the host and of distill itself, as root (CI's
# case, and sudo's) and as an ordinary user: host sysctls and device nodes,
# pid 1's environment, fds and error pipe, the caller's keyring, host
# paths in mountinfo.  Each check failed before the sandbox was hardened.
. "$(dirname "$0")/lib.sh"

plan_script "$scratch/probe.scm" probe '
id -u > /out/uid
cat /proc/self/uid_map /proc/self/gid_map > /out/maps
# Each write puts back the value that is there, so a sandbox that lets it
# through changes nothing on the host running this test.
v=$(cat /proc/sys/kernel/core_pattern)
if echo "$v" > /proc/sys/kernel/core_pattern 2>/dev/null; then echo wrote; else echo refused; fi > /out/core
v=$(cat /proc/sys/net/ipv4/ip_forward)
if echo "$v" > /proc/sys/net/ipv4/ip_forward 2>/dev/null; then echo wrote; else echo refused; fi > /out/sysctl
if chmod 0666 /dev/null 2>/dev/null; then echo changed; else echo refused; fi > /out/devnull
echo x > /dev/null && head -c 4 /dev/zero | wc -c > /out/devzero
if cat /proc/1/environ > /out/environ 2>/dev/null; then echo read; else echo refused; fi > /out/environ-read
if ls /proc/1/fd > /dev/null 2>&1; then echo listed; else echo refused; fi > /out/fds
cat /proc/keys > /out/keys 2>&1
cat /proc/self/mountinfo > /out/mountinfo
echo done > /out/done
'

# A build that writes a forged setup error into every fd of pid 1 (the
# error pipe among them, if it can reach it).
plan_script "$scratch/forge.scm" forge '
for f in /proc/1/fd/*; do printf "sforged by the build" > "$f"; done 2>/dev/null
echo done > /out/done
'

core_before=$(cat /proc/sys/kernel/core_pattern)
null_before=$(stat -c %a /dev/null)

# probe WHO: build the probe with a secret in the environment and a key
# only its possessor may see in the session keyring; the output dir in $o.
probe() {
	st="$scratch/store-$1"
	cat > "$scratch/run-$1.sh" <<EOS
keyctl add user distill-test-secret hunter2 @s > key-$1.id &&
	keyctl setperm \$(cat key-$1.id) 0x3f000000 &&
	grep -q distill-test-secret /proc/keys && echo seen > key-$1.seen
DISTILL_TEST_SECRET=s3cr3t-token "$distill" --store "$st" build probe.scm > out-$1 2> err-$1 &&
	"$distill" --store "$st" build forge.scm > forge-out-$1 2> forge-err-$1
EOS
	if [ "$1" = root ]; then
		(cd "$scratch" && keyctl session - sh "run-$1.sh" 2>> keyctl.err)
	else
		as_user "keyctl session - sh run-$1.sh 2>> keyctl-$1.err"
	fi
	rc=$?
	ok $rc "$1: the probe builds (exit $rc)"
	[ $rc = 0 ] || diag < "$scratch/err-$1"
	set -- $(cat "$scratch/out-$1") /nonexistent /nonexistent
	o=$2
}

for who in root user; do
	[ "$who" = root ] && [ "$(id -u)" != 0 ] && continue
	probe $who
	ok $([ "$(cat $o/uid)" = 0 ]; echo $?) "$who: the build is uid 0 inside"
	if [ "$who" = root ]; then
		ok $(awk '$1 != 0 || $2 == 0 { bad = 1 } END { exit bad || NR != 2 }' "$o/maps"; echo $?) \
			"$who: root inside is an unprivileged id outside ($(tr -s ' \n' ' ' < "$o/maps"))"
	fi
	ok $([ "$(cat $o/core)" = refused ]; echo $?) "$who: /proc/sys/kernel/core_pattern cannot be written"
	ok $([ "$(cat $o/sysctl)" = refused ]; echo $?) "$who: /proc/sys is read-only, even the build's own network's sysctls"
	ok $([ "$(cat $o/devnull)" = refused ]; echo $?) "$who: the bound /dev/null cannot be chmod'ed"
	ok $([ "$(cat $o/devzero)" = 4 ]; echo $?) "$who: /dev/null and /dev/zero still work"
	ok $([ "$(cat $o/environ-read)" = refused ] && ! grep -rq s3cr3t-token "$o"; echo $?) \
		"$who: pid 1's environment (the caller's) cannot be read"
	ok $([ "$(cat $o/fds)" = refused ]; echo $?) "$who: pid 1's fds cannot be listed"
	f=$(awk '{print $2}' "$scratch/forge-out-$who")
	ok $(! grep -q forged "$scratch/forge-err-$who" && [ "$(cat ${f:-/x}/done)" = done ]; echo $?) \
		"$who: the build cannot write into distill's error pipe"
	ok $([ -e "$scratch/key-$who.seen" ] && ! grep -q distill-test-secret "$o/keys"; echo $?) \
		"$who: a key of the caller's session keyring, not the build's"
	ov=$(grep ' - overlay ' "$o/mountinfo")
	ok $(! printf '%s' "$ov" | grep -q "$scratch"; echo $?) "$who: the overlay's options name no host path"
	[ $? = 0 ] || printf '%s\n' "$ov" | diag
done
ok $([ "$(cat /proc/sys/kernel/core_pattern)" = "$core_before" ] &&
	[ "$(stat -c %a /dev/null)" = "$null_before" ]; echo $?) "the host's core_pattern and /dev/null are unchanged"

if [ "$(id -u)" = 0 ]; then
	# Root builds as the unprivileged build id, and its output is root's.
	t=$(awk '{print $2}' "$scratch/out-root")
	ok $([ -n "$t" ] && [ -z "$(find "$t" ! -user 0 -o ! -group 0 | head -n 1)" ]; echo $?) \
		"root: the captured output belongs to root, not the build id"
	ok $([ -z "$(find "$scratch/store-root/tmp" -mindepth 1 2>/dev/null | head -n 1)" ]; echo $?) \
		"root: nothing of the build is left in tmp/"
fi
done_testing
