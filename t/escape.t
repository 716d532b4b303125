#!/bin/sh
# Escape attempts from /build, as an ordinary user: each must fail.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"

# A listener on the host's loopback that records any connection.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$port" "$scratch/accepted" <<'EOF2' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
s.settimeout(60)
try:
    c, _ = s.accept()
    open(sys.argv[2], "w").write("connected\n")
except socket.timeout:
    pass
EOF2
listener=$!
sleep 0.3

# A host process with a recognisable command line.
sleep 31337 &
hostproc=$!

# A secret in the ordinary user's home.
as_user 'echo secret > "$HOME/distill-secret"; echo "$HOME" > home'
home=$(cat "$scratch/home")

plan_script "$scratch/escape.scm" escape "
if echo hi | nc -w 2 127.0.0.1 $port; then echo connected > /out/tcp; else echo refused > /out/tcp; fi
if cat $home/distill-secret > /out/secret 2>/dev/null; then :; else rm -f /out/secret; echo absent > /out/home; fi
if cat /etc/hostname > /out/hostname 2>/dev/null; then :; else rm -f /out/hostname; echo absent > /out/etc; fi
cp /bin/busybox /tmp/x
echo tampered > /usr/share/doc/busybox-static/copyright && echo wrote-input > /out/input-write
ls -d /proc/[0-9]* | wc -l > /out/nproc
cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\\\0' ' ' > /out/cmdlines
/tmp/x sleep 4242 &
echo started > /out/background
"
as_user "$distill --store $st build escape.scm > out 2> err"
ok $? "the escaping build itself completes"
diag < "$scratch/err"
set -- $(cat "$scratch/out")
o=${2:-/nonexistent}

ok $([ "$(cat "$o/tcp")" = refused ] && [ ! -e "$scratch/accepted" ]; echo $?) \
	"a TCP connection to the host's 127.0.0.1 fails and the listener sees nothing"
ok $([ ! -e "$o/secret" ] && [ "$(cat "$o/home")" = absent ]; echo $?) \
	"a file in the invoking user's home cannot be read"
ok $([ ! -e "$o/hostname" ] && [ "$(cat "$o/etc")" = absent ]; echo $?) \
	"the host's /etc/hostname cannot be read"

# The write to an input file went to the overlay's upper layer, not the store.
doc=usr/share/doc/busybox-static/copyright
dpkg-deb --fsys-tarfile "$scratch/busybox.deb" | tar -xO "./$doc" > "$scratch/doc-ref"
tree=$(for d in "$st"/trees/*/; do [ -e "$d/$doc" ] && echo "$d"; done | head -n 1)
ok $([ -e "$o/input-write" ] && [ -n "$tree" ] && cmp -s "$tree/$doc" "$scratch/doc-ref"; echo $?) \
	"writing into an input inside succeeds only in the overlay: the stored input is unchanged"
plan_script "$scratch/after.scm" after "cp /$doc /out/doc"
as_user "$distill --store $st build after.scm > out2 2>/dev/null"
set -- $(cat "$scratch/out2")
ok $(cmp -s "${2:-/x}/doc" "$scratch/doc-ref"; echo $?) \
	"and the next build sees the original input"

n=$(cat "$o/nproc")
ok $([ "$n" -le 6 ] && ! grep -q 31337 "$o/cmdlines"; echo $?) \
	"/proc shows only the sandbox's own processes ($n), no host process"
sleep 0.5
ok $(! pgrep -f 'sleep 4242' >/dev/null; echo $?) \
	"a background process does not outlive /build"

kill "$hostproc" "$listener" 2>/dev/null
as_user 'rm -f "$HOME/distill-secret"'
done_testing
