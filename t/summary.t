#!/bin/sh
# What a run tells its user: a dry run lists the sources it would fetch
# and fetches nothing; -k still prints what was built and ends with a
# summary (a failed run without -k too); a process waiting for another's
# plan lock says so, and Ctrl-C leaves no status line on the terminal.
. "$(dirname "$0")/lib.sh"

tag=$$$(date +%N | cut -c1-4)	# tells this run's sleeps from anyone else's
bb="$scratch/busybox.deb"
busybox_build='(interned "/build" #o755 (string-append "#!/bin/busybox sh
/bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin:/bin
" text))'

start_httpd
echo "a source nobody may fetch in a dry run" > "$scratch/www/src.txt"
url="http://127.0.0.1:$port/files/src.txt"
set -- $("$distill" sum "$scratch/www/src.txt")
b2=$1 sha=$2
: > "$scratch/requests"

# 1. -n in an empty store: the source is listed, not fetched, and the
# plans are listed: by hash when a BLAKE2b pin makes it known, by name
# when a sha256 pin waits for the content.
for pin in "$sha" "$b2"; do
	kind=${pin%%:*}
	[ "$kind" = sha256 ] || kind=b2
	cat > "$scratch/dry-$kind.scm" <<EOF
(import (distill plan))
(define text "cat /src > /out/x")
(make-plan name: "fetcher-$kind"
  inputs: (list (local-archive "$bb") (remote-file "$url" "$pin" "/src" #o644)
                $busybox_build))
EOF
done
chmod a+r "$scratch"/dry-*.scm
as_user "$distill --store $scratch/dry --offline -n build dry-sha256.scm dry-b2.scm > dry.out 2> dry.err"
rc=$?
ok $([ $rc = 0 ] && grep -qxF "would fetch $url ($sha)" "$scratch/dry.out" &&
	grep -qxF "would fetch $url ($b2)" "$scratch/dry.out" &&
	grep -qx '(after its inputs) fetcher-sha256' "$scratch/dry.out" &&
	grep -qE '^[A-Za-z0-9_-]{43}= fetcher-b2$' "$scratch/dry.out"; echo $?) \
	"-n --offline in an empty store: exit 0, both sources listed, the plans by hash or name (exit $rc)"
diag "$scratch/dry.out" "$scratch/dry.err"
dh=$(sed -n 's/ fetcher-b2$//p' "$scratch/dry.out")
ok $([ ! -e "$scratch/dry/blobs/$b2" ] && [ -z "$(ls "$scratch/dry/rec/sha256" 2>/dev/null)" ] &&
	[ "$(ls "$scratch/dry/rec/plan" 2>/dev/null)" = "$dh" ]; echo $?) \
	"and nothing was fetched into the store: only the plan it listed by hash is recorded"
# The hashes -n lists open with show: the plan, not built yet.
"$distill" --store "$scratch/dry" show "$dh" > "$scratch/dry-show.out" 2> "$scratch/dry-show.err"
rc=$?
ok $([ $rc = 0 ] && grep -qxF "plan    $dh" "$scratch/dry-show.out" &&
	grep -qxF "name    fetcher-b2" "$scratch/dry-show.out" &&
	grep -qF "input   file    /src 0644 " "$scratch/dry-show.out" &&
	grep -qxF "output  (not built)" "$scratch/dry-show.out"; echo $?) \
	"show HASH -n listed: its name, inputs, and output not built (exit $rc)"
diag "$scratch/dry-show.out" "$scratch/dry-show.err"
nh=$(head -c 32 /dev/zero | base64 | tr '+/' '-_')
"$distill" --store "$scratch/dry" show "$nh" > /dev/null 2> "$scratch/dry-show2.err"
rc=$?
ok $([ $rc = 2 ] && grep -qF "no plan $nh in the store $scratch/dry: no run here built, fetched or listed it (distill -n build TARGET records" "$scratch/dry-show2.err"; echo $?) \
	"show of a hash no run has seen: exit 2, says so (exit $rc)"
diag "$scratch/dry-show2.err"
"$distill" --store "$scratch/dry-online" -n build "$scratch/dry-sha256.scm" > "$scratch/dry2.out" 2> "$scratch/dry2.err"
rc=$?
ok $([ $rc = 0 ] && [ ! -s "$scratch/requests" ] && grep -qxF "would fetch $url ($sha)" "$scratch/dry2.out" &&
	[ ! -e "$scratch/dry-online/blobs/$b2" ]; echo $?) \
	"-n online: no request reaches the server (exit $rc, $(wc -l < "$scratch/requests") requests)"
diag "$scratch/dry2.err"

# 2. Three plans: bad fails, dep needs bad, good needs nothing.  With -k,
# good's line is printed, and the summary names the failed and skipped.
cat > "$scratch/three.scm" <<EOF
(import (distill plan))
(define (p name text . more)
  (make-plan name: name inputs: (append (list (local-archive "$bb") $busybox_build) more)))
(define bad (p "bad" "exit 1"))
(list bad (p "dep" "echo dep > /out/x" bad) (p "good" "echo good > /out/x"))
EOF
chmod a+r "$scratch/three.scm"
as_user "$distill --store $scratch/k -k build three.scm > k.out 2> k.err"
rc=$?
set -- $(cat "$scratch/k.out")
ok $([ $rc = 1 ] && [ "$(wc -l < "$scratch/k.out")" = 1 ] && [ -e "${2:-/nonexistent}/x" ] &&
	[ "$(cat "$2/x")" = good ]; echo $?) \
	"-k: the plan that was built still prints its <hash> <path> line (exit $rc)"
ok $(grep -qx 'summary: 1 built, 0 cached, 1 failed, 1 skipped' "$scratch/k.err" &&
	grep -qx 'failed: bad' "$scratch/k.err" && grep -qx 'skipped: dep (waited on bad)' "$scratch/k.err" &&
	[ "$(tail -n 3 "$scratch/k.err" | head -n 1 | cut -c1-8)" = summary: ]; echo $?) \
	"-k ends with a summary: counts, the failed plan, the skipped one and what it waited on"
diag "$scratch/k.out" "$scratch/k.err"
"$distill" --store "$scratch/nok" -j1 build "$scratch/three.scm" > "$scratch/nok.out" 2> "$scratch/nok.err"
rc=$?
ok $([ $rc = 1 ] && grep -q '^summary: .* 1 failed' "$scratch/nok.err" && grep -qx 'failed: bad' "$scratch/nok.err"; echo $?) \
	"without -k a failed run ends with the summary too (exit $rc)"
diag "$scratch/nok.err"

# 3. A second distill wanting the plan another one is building says it
# waits, and for which lock; on a terminal, Ctrl-C while it waits leaves
# no status line behind.
cat > "$scratch/held.scm" <<EOF
(import (distill plan))
(define text "sleep 20 0.0${tag}3; echo held > /out/x")
(make-plan name: "held" inputs: (list (local-archive "$bb") $busybox_build))
EOF
chmod a+r "$scratch/held.scm"
: > "$scratch/holder.err"
"$distill" --store "$scratch/lk" build "$scratch/held.scm" > /dev/null 2> "$scratch/holder.err" &
holder=$!
i=0
while [ $i -lt 600 ] && ! grep -q '^building held' "$scratch/holder.err"; do sleep 0.1; i=$((i + 1)); done
h=$(sed -n 's/^building held //p' "$scratch/holder.err")
: > "$scratch/waiter.err"
"$distill" --store "$scratch/lk" build "$scratch/held.scm" > /dev/null 2> "$scratch/waiter.err" &
waiter=$!
i=0
while [ $i -lt 300 ] && ! grep -q waiting "$scratch/waiter.err" && kill -0 $waiter 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
ok $(grep -qxF "waiting for another distill building held (lock $scratch/lk/locks/$h)" "$scratch/waiter.err"; echo $?) \
	"a process waiting for another's lock says so, naming the plan and the lock"
diag "$scratch/waiter.err"
# The same wait on a terminal (script gives distill one; env undoes the
# SIGINT that a background job ignores), then Ctrl-C typed at it.
ctrl_c_on_tty "$scratch/tty.out" '\[0/1 ' "$distill --store $scratch/lk build $scratch/held.scm"
ok $([ $rc = 130 ] && grep -q 'waiting for another distill building held' "$scratch/tty.out" &&
	! printf '%s' "$last" | grep -q '\[0/1' && ! grep -q 'error:' "$scratch/tty.out"; echo $?) \
	"Ctrl-C while waiting on a terminal: exit 130, the status line cleared last (exit $rc)"
sed 's/\x1b/<ESC>/g; s/\r/<CR>/g' "$scratch/tty.out" | diag
wait $waiter
rc=$?
wait $holder
ok $([ $rc = 0 ]; echo $?) "the waiting process then finds the holder's output (exit $rc)"

# 4. The live line's ETA: none the first time a name builds; the second
# time (a changed recipe of the same name), from the first build's time.
for v in 1 2; do
	cat > "$scratch/eta$v.scm" <<EOF
(import (distill plan))
(define text "sleep 1; echo $v$tag > /out/x")
(make-plan name: "timed" inputs: (list (local-archive "$bb") $busybox_build))
EOF
	chmod a+r "$scratch/eta$v.scm"
	script -qfec "$distill --store $scratch/eta build $scratch/eta$v.scm" "$scratch/eta$v.out" \
		< /dev/null > /dev/null 2>&1
done
ok $(grep -q '\[0/1 ' "$scratch/eta1.out" && ! grep -q ' left\]' "$scratch/eta1.out" && grep -qE '\[0/1 [0-9.]+s, ~[0-9]+s left\] building timed' "$scratch/eta2.out"; echo $?) \
	"on a terminal the live line gives the time left once the name has built before"
sed 's/\x1b/<ESC>/g; s/\r/<CR>/g' "$scratch/eta2.out" | diag

done_testing
