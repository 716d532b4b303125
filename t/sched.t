#!/bin/sh
# The scheduler against hostile builds: a build that floods or drains its
# jobserver cannot make distill run more builds than -j N nor stall the
# others; make inside builds still shares the N slots; a record whose
# output is gone is rebuilt; SIGKILL and SIGTERM take the builds down with
# distill; a failing build's log reaches the terminal escaped.
. "$(dirname "$0")/lib.sh"

tag=$$$(date +%N | cut -c1-4)	# tells this run's sleeps from anyone else's
bb="$scratch/busybox.deb"

# plans FILE NAME... -- BUILD-TEXT: a script ending with one plan per NAME,
# each running BUILD-TEXT (busybox shell, $NAME set), after the usual
# busybox setup.
plans() {
	f=$1
	shift
	names=
	while [ "$1" != -- ]; do names="$names $1"; shift; done
	text=$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g')
	{
		echo '(import (distill plan))'
		echo "(define (p name) (make-plan name: name inputs: (list (local-archive \"$bb\")"
		echo "  ${3:-} (interned \"/build\" #o755 (string-append \"#!/bin/busybox sh"
		echo '/bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin'
		echo 'export PATH=/tmp/bin:/bin'
		echo 'NAME=" name "'
		printf '%s\n"))))) \n' "$text"
		printf '(list'
		for n in $names; do printf ' (p "%s")' "$n"; done
		echo ')'
	} > "$f"
	chmod a+r "$f"
}

# alive PID: PID runs (a child not yet waited for is no longer alive).
alive() {
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$s" ] && [ "$s" != Z ]
}

# watch PATTERN PID: the most processes matching PATTERN seen at once
# while PID runs (sampled every 0.1 s), in $max.
watch() {
	max=0
	while alive "$2"; do
		c=$(pgrep -fc "$1")
		[ "$c" -le "$max" ] || max=$c
		sleep 0.1
	done
}

# 1. Six builds each write 400 tokens into their jobserver, then sleep:
# with -j2, still at most two at once.
plans "$scratch/flood.scm" f1 f2 f3 f4 f5 f6 -- '
w=${MAKEFLAGS##*,}
i=0
while [ $i -lt 100 ]; do printf ++++ >&$w || exit 9; i=$((i + 1)); done
sleep 2 0.0'"$tag"'1
echo $NAME > /out/name'
"$distill" --store "$scratch/st1" -j2 build "$scratch/flood.scm" > "$scratch/flood.out" 2> "$scratch/flood.err" &
pid=$!
watch "sleep 2 0.0${tag}1" $pid
wait $pid
rc=$?
ok $([ $rc = 0 ] && [ "$(wc -l < "$scratch/flood.out")" = 6 ]; echo $?) "six token-flooding builds all built (exit $rc)"
[ $rc = 0 ] || diag "$scratch/flood.err"
ok $([ "$max" -le 2 ]; echo $?) "with -j2 at most two run at once though each wrote 400 tokens (saw $max)"
ok $([ "$max" = 2 ]; echo $?) "and two do run at once"

# 2. A build that eats every token it can (and keeps reading) holds only
# what it was lent: three quick builds beside it finish while it runs.
plans "$scratch/drain.scm" drainer q1 q2 q3 -- '
r=${MAKEFLAGS##*=}
r=${r%,*}
if [ $NAME = drainer ]; then cat <&$r > /dev/null & sleep 40 0.0'"$tag"'2; fi
echo $NAME > /out/name'
: > "$scratch/drain.err"	# before the loop below reads it
"$distill" --store "$scratch/st2" -j2 build "$scratch/drain.scm" > /dev/null 2> "$scratch/drain.err" &
pid=$!
i=0
while [ $i -lt 300 ] && [ "$(grep -c '^built q' "$scratch/drain.err")" -lt 3 ]; do sleep 0.1; i=$((i + 1)); done
pgrep -f "sleep 40 0.0${tag}2" > /dev/null
ok $([ $? = 0 ] && [ "$(grep -c '^built q' "$scratch/drain.err")" = 3 ]; echo $?) \
	"a build draining its jobserver does not hold up the others"
kill -TERM $pid
wait $pid
diag "$scratch/drain.err"

# 3. make inside two builds shares the -j3 slots: each runs make with four
# parallel jobs; at most three run at once, and more than one build's
# worth (tokens are lent to make).
make_deb=$(ls "$top"/seed/debs/make_*.deb) libc_deb=$(ls "$top"/seed/debs/libc6_*.deb)
cp "$make_deb" "$scratch/make.deb"
cp "$libc_deb" "$scratch/libc6.deb"
chmod a+r "$scratch/make.deb" "$scratch/libc6.deb"
plans "$scratch/make.scm" m1 m2 -- '
printf "SHELL = /tmp/bin/sh\nall: a b c d\na b c d:\n\tsleep 2 0.0'"$tag"'3\n" > /tmp/Makefile
/usr/bin/make -f /tmp/Makefile > /out/log 2>&1 || { cat /out/log; exit 1; }' \
	"(local-archive \"$scratch/make.deb\") (local-archive \"$scratch/libc6.deb\")"
"$distill" --store "$scratch/st3" -j3 build "$scratch/make.scm" > /dev/null 2> "$scratch/make.err" &
pid=$!
watch "sleep 2 0.0${tag}3" $pid
wait $pid
rc=$?
ok $([ $rc = 0 ] && [ "$max" -le 3 ] && [ "$max" -ge 2 ]; echo $?) \
	"make in two builds with -j3: at most three jobs at once, more than one (saw $max, exit $rc)"
[ $rc = 0 ] || diag "$scratch/make.err"

# 4. A record whose output is gone from the store is no cache hit: the
# plan is built again, said in one line, and the printed path exists.
for kind in tree raw; do
	extra=
	[ $kind = tree ] || extra='raw-output: "/x"'
	plan_script "$scratch/gone-$kind.scm" "gone-$kind" "echo $kind > /out/x" "$extra"
	as_user "$distill --store $scratch/st4 build gone-$kind.scm > gone1 2>&1"
	set -- $(tail -n 1 "$scratch/gone1")
	rm -rf "$2"
	as_user "$distill --store $scratch/st4 build gone-$kind.scm > gone2 2> gone2.err"
	rc=$?
	set -- $(cat "$scratch/gone2")
	ok $([ $rc = 0 ] && [ -e "${2:-/nonexistent}" ] &&
		[ "$(grep -c 'is not in the store: building it again' "$scratch/gone2.err")" = 1 ] &&
		grep -q "^built gone-$kind" "$scratch/gone2.err"; echo $?) \
		"a $kind output deleted from the store is built again, not printed as a hit (exit $rc)"
	diag "$scratch/gone2.err"
done

# 5. SIGKILL (as root) and SIGTERM (as the ordinary user) to distill while
# a build sleeps: the worker and the build's whole tree die with it, and
# the marker the build would write after its sleep never appears.
for sig in KILL TERM; do
	plan_script "$scratch/long-$sig.scm" "long-$sig" "sleep 12 0.0${tag}5; touch /out/marker"
	if [ $sig = KILL ]; then
		"$distill" --store "$scratch/st5-$sig" build "$scratch/long-$sig.scm" > /dev/null 2> "$scratch/long-$sig.err" &
	else
		as_user "exec $distill --store $scratch/st5-$sig build long-$sig.scm > /dev/null 2> long-$sig.err" &
	fi
	eval "job_$sig=\$!"
done
i=0
while [ "$(pgrep -fc "sleep 12 0.0${tag}5")" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
started=$(date +%s)
for sig in KILL TERM; do
	who=
	[ $sig = KILL ] || [ "$(id -u)" != 0 ] || who="-u $test_user"
	pid=$(pgrep -o $who -f -- "--store $scratch/st5-$sig build")
	kill -$sig "$pid"
	eval "wait \$job_$sig"
	eval "rc_$sig=$?"
done
i=0
while pgrep -f -- "sleep 12 0.0${tag}5|--store $scratch/st5-" > /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pgrep -af -- "sleep 12 0.0${tag}5|--store $scratch/st5-" > "$scratch/left"
ok $([ $rc_KILL = 137 ] && [ ! -s "$scratch/left" ]; echo $?) \
	"SIGKILL to distill: the build's processes are gone within 5 s (exit $rc_KILL)"
ok $([ $rc_TERM = 143 ] && grep -q 'stopped by signal 15' "$scratch/long-TERM.err"; echo $?) \
	"SIGTERM to distill: exit 143, and it says why (exit $rc_TERM)"
diag "$scratch/left" "$scratch/long-TERM.err"
while [ $(($(date +%s) - started)) -lt 14 ]; do sleep 0.5; done
ok $([ -z "$(find "$scratch"/st5-* -name marker)" ] && [ -z "$(pgrep -f "sleep 12 0.0${tag}5")" ]; echo $?) \
	"no build finished its sleep after distill was killed"

# 6. A failing build's log tail reaches the terminal escaped; `distill log`
# escapes on a terminal and is byte for byte elsewhere.
plan_script "$scratch/esc.scm" esc "printf 'before\\033]0;pwned\\007\\033[2J\\tafter\\n'; exit 1"
as_user "$distill --store $scratch/st6 build esc.scm > /dev/null 2> esc.err"
rc=$?
ok $([ $rc = 1 ] && grep -qF 'before\x1b]0;pwned\x07\x1b[2J	after' "$scratch/esc.err" &&
	! grep -q "$(printf '[\033\007]')" "$scratch/esc.err"; echo $?) \
	"a failed build's escape sequences reach stderr as \\x1b text, no ESC or BEL byte (exit $rc)"
diag "$scratch/esc.err"
h=$(sed -n 's/.*distill log //p' "$scratch/esc.err")
as_user "$distill --store $scratch/st6 log $h > esc.log"
printf 'before\033]0;pwned\007\033[2J\tafter\n' | cmp -s - "$scratch/esc.log"
ok $? "distill log into a file: the log byte for byte"
script -qec "$distill --store $scratch/st6 log $h" /dev/null > "$scratch/esc.tty" 2>&1
ok $(grep -qF 'before\x1b]0;pwned\x07\x1b[2J' "$scratch/esc.tty" && ! grep -q "$(printf '\033')" "$scratch/esc.tty"; echo $?) \
	"distill log on a terminal: escaped"
# A plan name with escapes in the live status line on a terminal: only
# the status line's own "\r ESC [K" reaches it.
printf '(import (distill plan))\n(make-plan name: "n\\x1b;]0;pwned\\x07;" inputs: (list (local-archive "%s") (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox sleep 1\n")))\n' "$bb" > "$scratch/name.scm"
script -qec "$distill --store $scratch/st7 build $scratch/name.scm" /dev/null > "$scratch/name.tty" 2>&1
ok $([ $? = 0 ] && grep -qF 'n\x1b;]0;pwned\x07;' "$scratch/name.tty" &&
	! sed 's/\r\x1b\[K//g' "$scratch/name.tty" | grep -q "$(printf '[\033\007]')"; echo $?) \
	"the live status line escapes what a plan name carries"

# 7. A run that stops at a failure while it waits for a plan lock that
# another distill process holds ends at once: the wait does not keep it
# alive (it used to poll for the lock forever, even once it was free).
# The bound (60 s, while the holder's build sleeps 15 s) tells "ended"
# from "never ended".
held='if [ $NAME = bad ]; then exit 1; fi
sleep 15 0.0'"$tag"'7
echo $NAME > /out/name'
plans "$scratch/held.scm" held -- "$held"
plans "$scratch/held-fail.scm" held bad -- "$held"
: > "$scratch/held.err"
"$distill" --store "$scratch/st8" build "$scratch/held.scm" > /dev/null 2> "$scratch/held.err" &
holder=$!
i=0
while [ $i -lt 600 ] && ! grep -q '^building held' "$scratch/held.err"; do sleep 0.1; i=$((i + 1)); done
"$distill" --store "$scratch/st8" -j2 build "$scratch/held-fail.scm" > /dev/null 2> "$scratch/held-fail.err" &
waiter=$!
i=0
while [ $i -lt 600 ] && alive $waiter; do sleep 0.1; i=$((i + 1)); done
if alive $waiter; then kill -KILL $waiter; fi
wait $waiter
rc=$?
ok $([ $rc = 1 ] && grep -q 'error: plan bad' "$scratch/held-fail.err"; echo $?) \
	"a run stopped by a failure does not wait on for a lock another process holds (exit $rc)"
diag "$scratch/held-fail.err"
wait $holder

# 8. One plan reached twice in a run (a dependency made by calling the
# same procedure twice), with -j2: the second copy waits for the first's
# lock, and gets it once the first is built (the lock waiter used to
# inherit the first copy's lock and wait on itself for ever).  60 s tells
# "ended" from "never ended".
cat > "$scratch/twice.scm" <<EOS
(import (distill plan))
(define busybox (local-archive "$scratch/busybox.deb"))
(define (leaf)
  (make-plan name: "twice-leaf"
    inputs: (list busybox (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox sleep 1
/bin/busybox echo leaf > /out/x
"))))
(define (top name)
  (make-plan name: name
    inputs: (list busybox (make-input basedir: "/l" link: (leaf))
                  (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox cp /l/x /out/y
"))))
(list (top "twice-a") (top "twice-b"))
EOS
chmod a+r "$scratch/twice.scm"
timeout 60 "$distill" --store "$scratch/st9" -j2 build "$scratch/twice.scm" > "$scratch/twice.out" 2> "$scratch/twice.err"
rc=$?
ok $([ $rc = 0 ] && [ "$(wc -l < "$scratch/twice.out")" = 2 ]; echo $?) \
	"a plan made twice in one -j2 run is built once and both dependents finish (exit $rc)"
[ $rc = 0 ] || diag "$scratch/twice.err"

done_testing
