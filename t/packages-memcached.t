#!/bin/sh
# memcached 1.6.18 (pkg/memcached.scm, issue 14), from Debian 12's orig
# tarball with its security patches, against pkg/libevent.scm's static
# libevent.
#
# make check: built as the ordinary user in the run's shared store (about
# 100 s for memcached and 100 s for libevent here, under load, the
# toolchain already there; t/services.t's system needs the same build,
# so a run of make check builds it once); the program
# is static, names its licence, says 1.6.18, and runs on the host as the
# ordinary user on a free port of 127.0.0.1: a client (python3's socket)
# sets a key and gets it back, and `stats` answers with its version.
# make check-full (full_only): built again in the run's second store
# (rebuild_fresh: another user, path and umask, offline), the same output
# hash (about seven minutes).
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
use_shared_store

cat > "$scratch/mc.scm" <<'EOS'
(import (distill base) (distill package) (pkg memcached))
((expander (default-config 'x86_64)) memcached)
EOS
cat > "$scratch/licence.scm" <<'EOS'
(import (distill base) (distill package) (distill plan) (pkg memcached))
(display (or (plan-license ((expander (default-config 'x86_64)) memcached)) "NONE"))
EOS
chmod a+r "$scratch"/*.scm
got=$("$distill" run "$scratch/licence.scm" 2>&1)
ok $([ "$got" = BSD-3-Clause ]; echo $?) "memcached names its licence: $got"

t0=$(date +%s)
run "build mc.scm > mc.out 2> mc.err"
ok $? "memcached builds (the ordinary user, the run's shared store)"
echo "build: $(($(date +%s) - t0)) s" | diag
grep -v '^;;;' "$scratch/mc.err" | grep -v '^built \|^building \|^result' | diag
out=$(cut -d ' ' -f 2 "$scratch/mc.out")
mc=${out:-/nonexistent}/usr/bin/memcached

ok $([ "$(head -c 4 "$mc" | od -An -c | tr -d ' ')" = 177ELF ] && ! readelf -lW "$mc" | grep -q INTERP; echo $?) \
	"memcached is a static program (no interpreter)"
got=$(as_user "$mc -V" 2>&1)
ok $([ "$got" = "memcached 1.6.18" ]; echo $?) "memcached -V says 1.6.18: $got"
ok $([ -f "$out/usr/include/memcached/protocol_binary.h" ] &&
	[ -z "$(find "$out" -path '*/share/man*' -o -path '*/share/doc*')" ]; echo $?) \
	"its header protocol_binary.h, and no manual pages or documentation"

# The daemon as the ordinary user on a free port; the client waits for it
# (at most 30 s), then speaks memcached's text protocol.
port=$(free_port)
# mcd.pid: the shell's pid, which exec makes memcached's.
as_user "echo \$\$ > mcd.pid; exec $mc -l 127.0.0.1 -p $port -m 8 -U 0 > mcd.log 2>&1" &
trap 'kill "$(cat "$scratch/mcd.pid" 2>/dev/null)" 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
cat > "$scratch/client.py" <<'EOS'
import socket, sys, time
deadline = time.time() + 30
while True:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.2)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
got = b""
while not got.endswith(b"END\r\n"):
    b = s.recv(4096)
    if not b:
        break
    got += b
sys.stdout.write(got.decode().replace("\r\n", "|"))
EOS
got=$(python3 "$scratch/client.py" "$port" 'set fleet 0 0 5\r\nhello\r\nget fleet\r\n' 2>&1)
ok $([ "$got" = "STORED|VALUE fleet 0 5|hello|END|" ]; echo $?) \
	"the static memcached runs as the ordinary user; a client sets a key and gets it back: $got"
got=$(python3 "$scratch/client.py" "$port" 'stats\r\n' 2>&1)
ok $(echo "$got" | grep -q '|STAT version 1.6.18|' &&
	echo "$got" | grep -q '|STAT curr_items 1|' &&
	echo "$got" | grep -q "|STAT limit_maxbytes $((8 * 1024 * 1024))|"; echo $?) \
	"stats answers: version 1.6.18, one item, the 8 MB limit of -m 8"
pid=$(cat "$scratch/mcd.pid")
want=$test_user
[ "$(id -u)" = 0 ] || want=$(id -un)
user=$(stat -c %U "/proc/$pid" 2>/dev/null)
ok $([ "$user" = "$want" ] && [ "$(cat "/proc/$pid/comm")" = memcached ]; echo $?) \
	"the process answering is memcached, as $want ($user)"
kill "$pid"
diag "$scratch/mcd.log"

# The second store builds its toolchain (musl), libevent and memcached:
# 435 s here, under load.
if full_only 2 "memcached's rebuild in a second store, with its toolchain and libevent, takes about seven minutes"; then
	rebuild_fresh memcached "$scratch" mc.scm "$scratch/mc2.out"
	same_outputs "$scratch/mc.out" "$scratch/mc2.out" memcached
	ok $? "the same output hash in both stores${differ:+ (not:$differ)}"
fi

echo "whole test: $(($(date +%s) - start)) s" | diag
done_testing
