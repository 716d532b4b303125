#!/bin/sh
# Building plans as an ordinary user: a real build in the sandbox, a cache
# hit that starts no sandbox, the commands around a build, failures.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
plan_script "$scratch/hello.scm" hello '
mkdir -p /out/bin
cp /bin/busybox /out/bin/busybox
echo "hello from $(hostname) as uid $(id -u)" > /out/hello
'

# 1. A first build, traced: it must create a user namespace.
as_user "strace -f -qq -e trace=clone,clone3,unshare -o $scratch/trace1 $distill --store $st build hello.scm > out1 2> err1"
ok $? "an ordinary user builds a plan in the sandbox"
set -- $(cat "$scratch/out1")
out_hash=${1:-} out_path=${2:-}
ok $([ -f "$out_path/hello" ] && grep -qx 'hello from distill as uid 0' "$out_path/hello"; echo $?) \
	"the output is in the store: hostname distill, uid 0 inside"
grep -q CLONE_NEWUSER "$scratch/trace1"
ok $? "the build ran in a new user namespace"
grep -q '^building hello ' "$scratch/err1"
ok $? "the build was announced on stderr"

# 2. Again: a cache hit that starts no sandbox.
as_user "strace -f -qq -e trace=clone,clone3,unshare -o $scratch/trace2 $distill --store $st build hello.scm > out2 2> err2"
ok $? "the second run succeeds"
! grep -q CLONE_NEWUSER "$scratch/trace2"
ok $? "the second run starts no sandbox"
! grep -q building "$scratch/err2"
ok $? "and builds nothing"
cmp -s "$scratch/out1" "$scratch/out2"
ok $? "and prints the same output"

# 3. show, log, again.
plan_hash=$(sed -n 's/^building hello //p' "$scratch/err1")
as_user "$distill --store $st show $plan_hash > show"
ok $? "distill show"
grep -q "^output  tree $out_hash" "$scratch/show" && grep -q '^input   archive /' "$scratch/show" &&
	grep -q '^input   file    /build 0755' "$scratch/show"
ok $? "show lists the inputs and the output" 
cat "$scratch/show" | diag
as_user "$distill --store $st again $plan_hash > again 2>&1"
ok $? "distill again rebuilds from the stored encoding alone"
grep -q "same output as recorded" "$scratch/again"
ok $? "and finds the same output"
as_user "$distill --store $st log $plan_hash > log"
ok $? "distill log"

# 4. -n lists, builds nothing.
plan_script "$scratch/other.scm" other 'echo other > /out/x'
as_user "$distill --store $st -n build other.scm > dry 2>&1"
ok $? "-n succeeds"
grep -q ' other$' "$scratch/dry" && ! grep -q '^building' "$scratch/dry"
ok $? "-n names the plan it would build and builds nothing"
# A plan on top of it, and the same plan made twice by the recipe.
cat > "$scratch/two.scm" <<EOS
(import (distill plan))
(define (other)
  (make-plan name: "other"
             inputs: (list (local-archive "$scratch/busybox.deb")
                           (interned "/build" #o755 "#!/bin/busybox sh
echo other > /out/x"))))
(define (on-top x)
  (make-plan name: "on-top"
             inputs: (list (local-archive "$scratch/busybox.deb")
                           (make-input basedir: "/other" link: x)
                           (interned "/build" #o755 "#!/bin/busybox sh
/bin/busybox cp /other/x /out/"))))
(list (on-top (other)) (on-top (other)))
EOS
chmod a+r "$scratch/two.scm"
as_user "$distill --store $st -n build two.scm > dry2 2>&1"
ok $([ $? = 0 ] && [ "$(grep -c ' other$' "$scratch/dry2")" = 1 ] &&
	[ "$(grep -c '^(after its inputs) on-top$' "$scratch/dry2")" = 1 ] &&
	[ "$(wc -l < "$scratch/dry2")" = 2 ]; echo $?) \
	"-n lists a plan made twice once, and what waits on it, by name"
diag < "$scratch/dry2"

# 5. A failing build: exit 1, the log's tail, the command for all of it.
plan_script "$scratch/fail.scm" failing 'echo "step one"; echo "it broke" >&2; exit 3'
as_user "$distill --store $st build fail.scm > fout 2> ferr"
ok $([ $? = 1 ]; echo $?) "a failed build exits 1"
grep -q '/build exited with status 3' "$scratch/ferr" && grep -q 'it broke' "$scratch/ferr" &&
	grep -q 'distill log ' "$scratch/ferr"
ok $? "its error shows the status, the tail of the log and how to see it all"
diag < "$scratch/ferr"

# 6. -k keeps going past a failure; without it, the failure stops the run.
cat > "$scratch/two.scm" <<EOS
(import (distill plan))
(define bb (local-archive "$scratch/busybox.deb"))
(list (make-plan name: "bad" inputs: (list bb (interned "/build" #o755 "#!/bin/busybox sh\nexit 1\n")))
      (make-plan name: "good" inputs: (list bb (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox touch /out/ok\n"))))
EOS
chmod a+r "$scratch/two.scm"
as_user "$distill --store $st -j1 build two.scm > two1 2>&1"
ok $([ $? = 1 ] && ! grep -q '^built good' "$scratch/two1"; echo $?) "without -k, -j1 stops at the first failure"
as_user "$distill --store $st -j1 -k build two.scm > two2 2>&1"
ok $([ $? = 1 ] && grep -q '^built good' "$scratch/two2"; echo $?) "with -k the other plan is still built"

# 7. A timeout kills the build and says so.
plan_script "$scratch/slow.scm" slow 'sleep 100' 'timeout: 1'
start=$(date +%s)
as_user "$distill --store $st build slow.scm > sout 2> serr"
rc=$?
ok $([ $rc = 1 ] && grep -q 'killed after the timeout of 1 s' "$scratch/serr"; echo $?) \
	"a build past its timeout is killed and reported"
ok $([ $(( $(date +%s) - start )) -lt 30 ]; echo $?) "well before its sleep would end"

# 8. The jobserver reaches the build.
plan_script "$scratch/js.scm" js '
echo "$MAKEFLAGS" > /out/makeflags
fds=$(echo "$MAKEFLAGS" | sed -n "s/.*--jobserver-auth=\([0-9]*\),\([0-9]*\).*/\1 \2/p")
for fd in $fds; do [ -e /proc/self/fd/$fd ] && echo open >> /out/fds; done
'
as_user "$distill --store $st -j3 build js.scm > jout 2>/dev/null"
set -- $(cat "$scratch/jout")
ok $(grep -q -- '-j3 --jobserver-auth=' "$2/makeflags" && [ "$(cat "$2/fds")" = "$(printf 'open\nopen')" ]; echo $?) \
	"MAKEFLAGS carries the jobserver and its fds are open in /build"

# 9. gc keeps what a root reaches (--all: not the last build of each name;
# and no result link holds js's output).
as_user "$distill --store $st gc --add-root hello $plan_hash"
ok $? "a gc root is added"
rm -f "$scratch"/result*
as_user "$distill --store $st gc --all > gc 2>&1"
ok $? "gc runs"
ok $([ -f "$out_path/hello" ] && [ ! -e "$2" ]; echo $?) "the rooted output stays, an unrooted one goes"
diag < "$scratch/gc"

# 10. sum, usage and recipe errors.
ok $([ "$(printf '' | $distill sum)" = "DldRwCblQ7Loqy6wYJnaodHl30d3j3eH-qtFzfEv46g= sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" ]; echo $?) \
	"distill sum of nothing"
$distill frobnicate 2>/dev/null
ok $([ $? = 2 ]; echo $?) "an unknown command exits 2"
printf '(import (distill plan))\n(make-plan name: "x" inputs: (list (interned "/build" #o755 wgett)))\n' > "$scratch/bad.scm"
$distill --store "$st-root" build "$scratch/bad.scm" 2> "$scratch/berr"
ok $([ $? = 3 ] && grep -qx "$scratch/bad.scm:2:36: error: unbound variable: wgett" "$scratch/berr"; echo $?) \
	"a recipe error exits 3 with file:line:col"
diag < "$scratch/berr"

# 10b. On a terminal, a live status line: done/total, elapsed, what builds.
plan_script "$scratch/tty.scm" ttyplan 'sleep 1; echo x > /out/x'
script -qec "$distill --store $scratch/ttystore build $scratch/tty.scm" /dev/null > "$scratch/tty" 2>&1
ok $([ $? = 0 ] && grep -q "$(printf '\r\033\\[K')\\[0/1 [0-9.]*s\\] building ttyplan" "$scratch/tty"; echo $?) \
	"a terminal gets a live status line"
# and a pipe gets plain lines only
"$distill" --store "$scratch/ttystore2" build "$scratch/tty.scm" > /dev/null 2> "$scratch/notty"
ok $(! grep -q "$(printf '\033')" "$scratch/notty"; echo $?) "plain lines when stderr is not a terminal"

# 11. Where the kernel refuses user namespaces, say why and how to allow
# them (here: a user namespace whose limit is 0).
unshare -Ur sh -c "echo 0 > /proc/sys/user/max_user_namespaces && $distill --store $scratch/refused build $scratch/other.scm" > /dev/null 2> "$scratch/perr"
ok $([ $? = 4 ] && grep -q 'user.max_user_namespaces = 0.*sysctl -w user.max_user_namespaces=' "$scratch/perr" &&
	[ -z "$(ls "$scratch/refused/rec/out")" ]; echo $?) \
	"a kernel that refuses user namespaces: exit 4, the cause and the fix"
diag < "$scratch/perr"
done_testing
