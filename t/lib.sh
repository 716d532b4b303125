# Shared by the shell tests: TAP output, a scratch directory, the seed, and
# a way to run distill as an ordinary user.  Source it: . "$(dirname "$0")/lib.sh"
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tap_n=0
tap_failed=0
ok() { # ok CONDITION-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
diag() { sed 's/^/# /' "$@"; } # diag [FILE...]: as TAP comments
# full_only N WHY: true under `make check-full` (DISTILL_CHECK_FULL=1);
# otherwise reports the next N tests as skipped, naming WHY, and is false.
# For the parts too heavy for `make check`'s time (a second kernel build).
full_only() {
	[ "${DISTILL_CHECK_FULL:-}" = 1 ] && return 0
	i=0
	while [ "$i" -lt "$1" ]; do
		tap_n=$((tap_n + 1)) i=$((i + 1))
		echo "ok $tap_n # SKIP $2: make check-full runs it"
	done
	return 1
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

# A scratch directory everyone can enter, removed at exit.
scratch=$(mktemp -d /tmp/distill-test.XXXXXX)
chmod 1777 "$scratch"
[ -n "${KEEP:-}" ] || trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT

"$top/scripts/fetch-seed" >&2 || { echo "Bail out! scripts/fetch-seed failed"; exit 1; }
busybox_deb=$(ls "$top"/seed/debs/busybox-static_*.deb | head -n 1)

# A copy of the binary and its Scheme library (lib, pkg, svc, plat,
# linux, uboot, examples/system.scm) that an ordinary user can reach even when
# the checkout is under a private home directory.
mkdir -p "$scratch/bin/examples"
cp "$top/distill" "$scratch/bin/distill"
cp -r "$top/lib" "$scratch/bin/lib"
for d in pkg svc plat linux uboot; do [ ! -d "$top/$d" ] || cp -r "$top/$d" "$scratch/bin/$d"; done
cp "$top/examples/system.scm" "$scratch/bin/examples/"
cp "$busybox_deb" "$scratch/busybox.deb"
chmod -R a+rX "$scratch"
distill="$scratch/bin/distill"
# distill build leaves result links in the current directory: tests run in
# the scratch directory, so that none lands in the checkout.
cd "$scratch" || exit 1

# as_user CMD...: run as an ordinary user (distill-test, created when we are
# root), or as ourselves when we are not root already.
test_user=distill-test
as_user() {
	if [ "$(id -u)" = 0 ]; then
		id "$test_user" >/dev/null 2>&1 ||
			useradd -m -s /bin/sh "$test_user" >/dev/null 2>&1
		su "$test_user" -s /bin/sh -c "cd '$scratch' && $*"
	else
		(cd "$scratch" && sh -c "$*")
	fi
}

# start_httpd: serve $scratch/www (t/httpd.py, on the loopback) until the
# test ends; sets $httpd (its pid) and $port, and logs the requests to
# $scratch/requests.
start_httpd() {
	mkdir -p "$scratch/www"
	python3 "$top/t/httpd.py" "$scratch/www" "$scratch/port" "$scratch/requests" &
	httpd=$!
	trap 'kill $httpd 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
	i=0
	while [ ! -s "$scratch/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$scratch/port")
}

# free_port: a TCP port of 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_cache: Debian's nginx with WebDAV (scripts/cache-nginx) on a free
# port of 127.0.0.1, serving $scratch/nginx/root, until the test ends;
# sets $ngpid, $ng (its directory) and $cache (the cache's URL).  A test
# that sets its own EXIT trap kills $ngpid there.
start_cache() {
	ng=$scratch/nginx
	mkdir -p "$ng"
	port=$(free_port)
	"$top/scripts/cache-nginx" "$ng" "$port"
	nginx -p "$ng" -e "$ng/error.log" -c "$ng/nginx.conf" &
	ngpid=$!
	trap 'kill $ngpid 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/" || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cache=http://127.0.0.1:$port/distill
}

# plan_script FILE NAME BUILD-SCRIPT-TEXT [MORE-MAKE-PLAN-ARGS]: a script
# whose plan runs the given /build text (shell, with busybox's applets on
# PATH) with Debian's static busybox as the root file system.
plan_script() {
	cat > "$1" <<EOS
(import (distill plan))
(make-plan name: "$2"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin:/bin
$(printf '%s' "$3" | sed 's/\\/\\\\/g; s/"/\\"/g')
"))
  ${4:-})
EOS
	chmod a+r "$1"
}

# use_mirror: fill the source mirror (seed/mirror of the checkout, kept
# across runs; a scratch directory when the checkout is not writable) with
# scripts/fill-mirror, copy it to $scratch/mirror (which the ordinary user
# can read) under both names the fetcher looks up, and the seed's .debs
# to $scratch/debs.  Reports one test; sets $mirror_env, the environment
# builds need (DISTILL_SEED, DISTILL_MIRRORS).
use_mirror() {
	mirror=$top/seed/mirror
	mkdir -p "$mirror" 2>/dev/null && [ -w "$mirror" ] || mirror=$scratch/mirror-fill
	mkdir -p "$mirror" "$scratch/mirror" "$scratch/debs"
	DISTILL=$distill "$top/scripts/fill-mirror" "$mirror" > "$scratch/mirror.out" 2> "$scratch/mirror.err"
	ok $? "fill-mirror fills $mirror"
	diag < "$scratch/mirror.err"
	while read -r pin file; do
		ln -f "$mirror/$file" "$scratch/mirror/$file" 2>/dev/null ||
			cp "$mirror/$file" "$scratch/mirror/$file"
		ln -f "$mirror/$file" "$scratch/mirror/$pin" 2>/dev/null ||
			cp "$mirror/$file" "$scratch/mirror/$pin"
	done < "$scratch/mirror.out"
	cp "$top"/seed/debs/*.deb "$scratch/debs/"
	chmod -R a+rX "$scratch/mirror" "$scratch/debs"
	mirror_env="DISTILL_SEED=$scratch/debs DISTILL_MIRRORS=$scratch/mirror"
}

# set_of FILE NAME...: $scratch/FILE, a script (readable by the ordinary
# user) building the packages (pkg NAME)... for x86_64, one output line each.
set_of() {
	f=$1
	shift
	cat > "$scratch/$f" <<EOS
(import (distill base) (distill package)
        $(for n in "$@"; do printf '(pkg %s) ' "$n"; done))
(map (expander (default-config 'x86_64)) (list $*))
EOS
	chmod a+r "$scratch/$f"
}

# build_log ERR: the messages of a build whose standard error is ERR (not
# its progress lines) and the seconds of each plan it built, as
# diagnostics.
build_log() {
	grep -v '^;;;' "$1" | grep -v '^built ' | grep -v '^building ' | grep -v '^result' | diag
	plan_times "$1" "$shared_store" | diag
}

# build_set NAME WHAT PKG...: build the packages PKG... (the script
# NAME.scm of set_of) as the ordinary user in the run's shared store,
# outputs in NAME.out; one test, and the time of the build and of each
# plan built.
build_set() {
	_name=$1 _what=$2
	shift 2
	set_of "$_name.scm" "$@"
	t0=$(date +%s)
	as_user "$mirror_env $distill --store $shared_store -j2 build $_name.scm > $_name.out 2> $_name.err"
	ok $? "$_what build (the ordinary user, the run's shared store)"
	echo "$_what: $(($(date +%s) - t0)) s" | diag
	build_log "$scratch/$_name.err"
}

# static FILE: 0 when FILE is an ELF program with no program interpreter.
static() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = 177ELF ] && ! readelf -lW "$1" | grep -q INTERP
}

# same_outputs OUT1 OUT2 NAME...: true when the output hashes (the first
# word of each line) of OUT1, not empty, and OUT2 are the same, line by
# line, one line per NAME; $differ names those that differ.
same_outputs() {
	_a=$1 _b=$2
	shift 2
	differ=
	while read -r h1 _ && read -r h2 _ <&3; do
		[ "$h1" = "$h2" ] || differ="$differ $1"
		shift
	done < "$_a" 3< "$_b"
	[ -s "$_a" ] && [ -z "$differ" ] && [ $# = 0 ]
}

# need_tools TOOL...: skip the whole test unless each TOOL is installed.
need_tools() {
	for tool; do
		command -v "$tool" > /dev/null && continue
		echo "1..0 # SKIP $tool is not installed (scripts/setup-debian)"
		exit 0
	done
}

# plan_times ERR STORE: for each "building NAME PLAN" line of distill's
# standard error ERR, "NAME: S s", the seconds STORE's record of PLAN says
# its build took (to pass to diag).
plan_times() {
	grep '^building ' "$1" | while read -r _ name plan; do
		echo "$name: $(sed -n 's/^seconds //p' "$2/rec/meta/$plan") s"
	done
}

# use_shared_store: use_mirror, then $st is the run's shared store and
# `run ARGS` runs distill ARGS there as the ordinary user (as_user), -j2,
# offline from the mirror.
use_shared_store() {
	use_mirror
	st=$shared_store
	run() { as_user "$mirror_env $distill --store $st -j2 $*"; }
}

# rebuild_fresh WHAT DIR SCRIPT OUT: build SCRIPT again from DIR in the
# run's second store, $second_store (below), as the user running the test
# (root when the test runs as root: not as_user's user), under another path,
# with umask 077, offline from use_mirror's mirror; the output lines (hash
# and path) go to OUT.  One test line, and the time as a diagnostic.
rebuild_fresh() {
	t0=$(date +%s)
	(cd "$2" && umask 077 && env $mirror_env "$distill" --store "$second_store" --offline -j2 \
		build "$3" > "$4" 2> "$scratch/rebuild.err")
	rc=$?
	ok $rc "$1: built again in the run's second store (exit $rc)"
	[ $rc = 0 ] || grep -v '^;;;' "$scratch/rebuild.err" | tail -n 20 | diag
	echo "second build, in the second store: $(($(date +%s) - t0)) s" | diag
}

# ctrl_c_on_tty OUT PATTERN CMD: run the shell command CMD on a terminal
# (script gives it one; env undoes the SIGINT that a background job
# ignores), its terminal's bytes into OUT; type Ctrl-C at it once OUT
# shows the grep PATTERN, and wait for it.  Sets rc to its exit status and
# last to what the terminal shows after the last line clear.
ctrl_c_on_tty() {
	rm -f "$scratch/keys"
	mkfifo "$scratch/keys"
	script -qfec "env --default-signal=INT $3" "$1" < "$scratch/keys" > /dev/null 2>&1 &
	tty=$!
	exec 7> "$scratch/keys"
	i=0
	while [ $i -lt 300 ] && ! grep -qs "$2" "$1" && kill -0 $tty 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	trap '' PIPE	# script may have ended already: then the test fails, not the shell
	printf '\003' >&7
	i=0
	while [ $i -lt 300 ] && kill -0 $tty 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	exec 7>&-
	wait $tty
	rc=$?
	last=$(awk 'BEGIN { RS = "\033\\[K" } { last = $0 } END { printf "%s", last }' "$1")
}

# The store the heavy end-to-end tests (platform, system, linux) build
# in as the ordinary user: one per `make check` run (the Makefile empties
# it first), so the toolchain and the packages they share are built once.
shared_store=${DISTILL_TEST_STORE:-/tmp/distill-test-store}
# Their second store, where rebuild_fresh builds everything again from
# nothing the first one holds: also one per run (emptied by the Makefile
# too), so each plan is built twice in a run, not twice per test (the
# toolchain and busybox of platform.t's disks are system.t's too).
second_store=$shared_store-fresh

# image_tool_debs: the image tools' packages (seed/debs, checked) copied to
# $scratch/debs, where an ordinary user can read them (DISTILL_SEED).
# Reports one test.
image_tool_debs() {
	mkdir -p "$scratch/debs"
	cat > "$scratch/tools.scm" <<'EOS'
(import (distill seed) (distill imagetools) (ice-9 match))
(for-each (match-lambda ((name version sha256 file)
                         (display (string-append sha256 "  " file "\n"))))
          (append (filter (lambda (p) (member (car p) image-tool-seed-packages))
                          seed-packages)
                  image-tool-packages))
EOS
	pkgs=$("$distill" run "$scratch/tools.scm")
	ok $? "the image tools' package table loads"
	echo "$pkgs" | (cd "$top/seed/debs" && sha256sum -c --quiet -) 2>&1 | diag
	echo "$pkgs" | while read -r sum file; do cp "$top/seed/debs/$file" "$scratch/debs/"; done
	chmod -R a+rX "$scratch/debs"
}

# console_has FILE ERE: does the console log FILE hold a line matching
# ERE once the kernel's own messages are taken out?  A warning the kernel
# prints on the serial line while a program writes to /dev/console
# (under TCG on a busy host: clocksource, hrtimer) can land inside the
# program's line and split it in two.
console_has() {
	perl -0pe 's/\r//g; s/\[ *[0-9]+\.[0-9]+\] [^\n]*\n//g' "$1" | grep -Eq -- "$2"
}

# boot_system CONSOLE COMMAND...: run the distill COMMAND (a boot, as
# as_user, its stdout into $scratch/CONSOLE) in the background and wait,
# up to 300 s, for its services to start; sets boot_pid and boot_secs.
boot_system() {
	console=$scratch/$1
	shift
	as_user "$*" > "$console" &
	boot_pid=$!
	boot_secs=0
	while [ $boot_secs -lt 300 ] && ! grep -q 'distill-rc: services started' "$console" 2>/dev/null; do
		kill -0 $boot_pid 2>/dev/null || break
		sleep 1
		boot_secs=$((boot_secs + 1))
	done
}

# The cloud platforms' tests (t/droplet.t, t/nitro.t) serve the metadata
# at 169.254.169.254:80 on a second NIC (eth1).  metadata_net [TOKEN]:
# $net, the -netdev user options of eth1's network 169.254.0.0/16, and
# $serve, its guestfwd of 169.254.169.254:80 to t/metadata.py serving
# $scratch/md and logging to $scratch/requests (IMDSv2's, with the token
# file TOKEN).
metadata_net() {
	cp "$top/t/metadata.py" "$scratch/metadata.py"
	chmod -R a+rX "$scratch/md" "$scratch/metadata.py"
	touch "$scratch/requests"
	chmod 666 "$scratch/requests"
	net=net=169.254.0.0/16,host=169.254.169.1,dhcpstart=169.254.169.15,restrict=on
	serve="guestfwd=tcp:169.254.169.254:80-cmd:python3 $scratch/metadata.py $scratch/md $scratch/requests${1:+ $1}"
}

# cloud_image PLATFORM FORMAT: build PLATFORM's image with run; one test:
# built, its store path named by its hash, a disk of qemu-img's FORMAT;
# sets path and size.
cloud_image() {
	t0=$(date +%s)
	run "build $1 > build.out 2> build.err"
	rc=$?
	read -r hash path size < "$scratch/build.out"
	qemu-img info "$path" > "$scratch/info" 2>&1
	ok $([ $rc = 0 ] && [ "${path##*/}" = "$hash" ] && grep -q "^file format: $2" "$scratch/info"; echo $?) \
		"distill build $1 makes a $2 disk (exit $rc, $size bytes, $(($(date +%s) - t0)) s)"
	[ $rc = 0 ] || grep -v '^;;;' "$scratch/build.err" | tail -n 20 | diag
}

# cloud_boot N TARGET NETOPTS ONESHOT: boot N of TARGET (a platform, or a
# script), from /var in $scratch/var.qcow2, port $guest_port forwarded to
# 22, eth1 on a user network with NETOPTS; its console in
# $scratch/consoleN; wait (2 minutes at most) for the metadata's oneshot
# ONESHOT to say the host name.  The machine is stopped after
# $boot_timeout s (default 900).
cloud_boot() {
	boot_system console$1 "$mirror_env $distill --store $st boot $2 --state $scratch/var.qcow2 --forward $guest_port:22 --net '$3' --timeout ${boot_timeout:-900} 2> boot$1.err"
	i=0
	while [ $i -lt 120 ] && ! grep -q "$4: host name" "$scratch/console$1"; do sleep 1; i=$((i + 1)); done
}

# host_key N: the ed25519 host key of the guest booted with port
# $guest_port forwarded to its 22 (ssh-keyscan) into $scratch/hostkeyN.
# host_key_kept: host_key 2, and one test: it is host_key 1's.
host_key() {
	ssh-keyscan -t ed25519 -p "$guest_port" 127.0.0.1 2>/dev/null | cut -d ' ' -f 2- > "$scratch/hostkey$1"
}
host_key_kept() {
	host_key 2
	ok $([ -s "$scratch/hostkey1" ] && cmp -s "$scratch/hostkey1" "$scratch/hostkey2"; echo $?) \
		"the host key is the first boot's ($(cut -c 1-30 "$scratch/hostkey2")...)"
}

# guest KEY COMMAND: run COMMAND as root in the guest booted with port
# $guest_port forwarded to its 22, logging in with KEY.
guest_ssh="ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=30 -o LogLevel=ERROR"
guest() {
	$guest_ssh -p "$guest_port" -i "$1" root@127.0.0.1 "$2"
}

# guest_login KEY COMMAND: guest, tried for a minute (sshd listens a
# moment after it starts) while the machine runs; its output in $out,
# 0 in $login once COMMAND printed SSH-OK, its stderr in $scratch/ssh1.err.
guest_login() {
	i=0
	while :; do
		out=$(guest "$1" "$2" 2> "$scratch/ssh1.err")
		echo "$out" | grep -q SSH-OK
		login=$?
		[ $login != 0 ] && [ $i -lt 30 ] && kill -0 $boot_pid 2>/dev/null || break
		sleep 2
		i=$((i + 1))
	done
}

# kill_tree PID: PID and every process under it, the deepest first (a
# boot's background job is a shell, su, distill and QEMU).
kill_tree() {
	for c in $(pgrep -P "$1"); do kill_tree "$c"; done
	kill "$1" 2>/dev/null
}

# stop_guest KEY: poweroff over ssh, and wait up to a minute for the
# machine to stop (killed after that, with the distill boot and QEMU
# under the job); sets stop_secs.
stop_guest() {
	timeout 30 $guest_ssh -p "$guest_port" -i "$1" root@127.0.0.1 poweroff > /dev/null 2>&1
	stop_secs=0
	while [ $stop_secs -lt 60 ] && kill -0 $boot_pid 2>/dev/null; do
		sleep 1
		stop_secs=$((stop_secs + 1))
	done
	kill_tree $boot_pid
}

# guest_refused KEY: 0 when ssh with KEY is refused (exit 255, only
# public keys offered: "Permission denied (publickey)") and nothing ran,
# else 1; sets refused_rc, ssh's status.
guest_refused() {
	guest "$1" 'echo STRANGER-IN' > "$scratch/stranger.out" 2> "$scratch/stranger.err"
	refused_rc=$?
	[ $refused_rc = 255 ] && ! grep -q STRANGER-IN "$scratch/stranger.out" &&
		grep -q 'Permission denied (publickey)' "$scratch/stranger.err"
}
