#!/bin/sh
# Error paths of the command line (issue 17): a missing script, a value
# that is a record in a message, a file that shadows a package name, a
# package or command mistyped, verify counting each plan once, and
# `distill list packages`.  Cheap plans only: busybox scripts.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
cd "$scratch" || exit 1
# one_line FILE: FILE is exactly one line.
one_line() { [ "$(wc -l < "$1")" = 1 ]; }

# 1. A missing script: exit 2 and one line naming it, for every command
# that takes a script (boot both as TARGET and as a platform's SYSTEM).
for cmd in build boot verify fetch "list sources" run "boot qemu-x86_64"; do
	as_user "$distill --store $scratch/user-store $cmd nothere.scm > out1 2> err1"
	rc=$?
	ok $([ $rc = 2 ] && one_line err1 &&
		grep -qx 'distill: error: cannot read the script nothere.scm: No such file or directory' err1; echo $?) \
		"$cmd nothere.scm: exit 2 (got $rc) and one line naming the file"
	diag err1
done
# ... and one the user may not read.
echo '(display 1)' > "$scratch/secret.scm"
chmod 600 "$scratch/secret.scm"
as_user "$distill --store $scratch/user-store build secret.scm > out1 2> err1"
rc=$?
if [ "$(id -u)" = 0 ]; then
	ok $([ $rc = 2 ] && one_line err1 &&
		grep -qx 'distill: error: cannot read the script secret.scm: Permission denied' err1; echo $?) \
		"a script the ordinary user cannot read: exit 2 (got $rc), one line"
	diag err1
fi

# 2. No message prints a record: it says what the value is, at the
# recipe's line, also when the script ends with an atom.
mkdir -p "$scratch/sys"
cp "$top/examples/system.scm" "$scratch/sys/"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/sys/ca"
chmod -R a+rX "$scratch/sys"
line=$(grep -n '^(define system' "$scratch/sys/system.scm" | cut -d: -f1)
as_user "$distill --store $scratch/user-store build sys/system.scm > out2 2> err2"
rc=$?
ok $([ $rc = 3 ] && one_line err2 &&
	grep -qx "sys/system.scm:$line:1: error: the script gives a system \"distill\" and no platform to lay it out on: name one before it (as in distill build qemu-system-x86_64 FILE), or define platform in it" err2; echo $?) \
	"build examples/system.scm: exit 3 (got $rc), one line naming the system and how to name a platform ($(wc -c < err2) bytes)"
head -c 300 err2 | diag
cat > "$scratch/svc.scm" <<'EOS'
(import (distill service))
(define sshd (make-service name: "sshd" spec: (longrun* run: "#!/bin/sh\n")))

  ;; the last value: a service
  sshd
EOS
$distill --store "$st" build svc.scm > out2 2> err2
rc=$?
ok $([ $rc = 3 ] && grep -qx 'svc.scm:5:3: error: the script must end with a plan or a list of plans, not a service "sshd"' err2; echo $?) \
	"a script ending with a service: the service named, at the last form (exit $rc)"
diag err2
$distill --store "$st" boot svc.scm > out2 2> err2
ok $([ $? = 3 ] && grep -q 'svc.scm:5:3: error: .*boot spec.*, not a service "sshd"$' err2; echo $?) \
	"boot of it: the same"
diag err2
cat > "$scratch/bytes.scm" <<'EOS'
(import (distill plan) (rnrs bytevectors))
(make-plan name: "p" inputs: (list (make-bytevector 5000 1)))
EOS
$distill --store "$st" build bytes.scm > out2 2> err2
ok $([ $? = 3 ] && grep -qx 'bytes.scm:2:1: error: plan p: input a bytevector of 5000 bytes is not an artifact, a plan or an input' err2; echo $?) \
	"a bytevector is named by its size"
diag err2

# 3. A name without / or .scm is a package, whatever the current
# directory holds: a directory and an ELF file named as packages.
mkdir -p "$scratch/path/pkg"
plan_script "$scratch/a.scm" err-a 'echo a > /out/a'
for x in err-dir err-elf; do
	{ echo "(define-module (pkg $x) #:use-module (distill plan) #:export ($x))"
	  echo "(define $x"; sed "1d; s/\"err-a\"/\"$x\"/" "$scratch/a.scm"; echo ")"; } > "$scratch/path/pkg/$x.scm"
done
{ echo "(define-module (pkg err-v) #:use-module (distill plan) #:export (err-v))"
  echo "(define (err-v conf)"; sed '1d; s/"err-a"/"err-v-1.2.3"/' "$scratch/a.scm"; echo ")"; } > "$scratch/path/pkg/err-v.scm"
mkdir "$scratch/err-dir"
cp /bin/true "$scratch/err-elf"
chmod -R a+rX "$scratch"
as_user "DISTILL_PATH=$scratch/path $distill --store $scratch/user-store build err-dir err-elf > out3 2> err3"
ok $([ $? = 0 ] && [ "$(wc -l < out3)" = 2 ]; echo $?) \
	"build err-dir err-elf beside a directory and an ELF of those names builds the packages"
diag err3

# 4. A package module that exports other names lists them; a mistyped
# package or command gets the closest names.
$distill --store "$st" build busybox > out4 2> err4
ok $([ $? = 2 ] && one_line err4 && grep -q 'busybox-core' err4 && grep -q 'busybox-full' err4; echo $?) \
	"build busybox: exit 2, the error lists busybox-core and busybox-full"
diag err4
$distill --store "$st" build hellp > out4 2> err4
ok $([ $? = 2 ] && one_line err4 && grep -q 'no package hellp: .*; did you mean hello?$' err4; echo $?) \
	"build hellp: did you mean hello?"
diag err4
$distill --store "$st" build err-elf > out4 2> err4
ok $([ $? = 2 ] && grep -q 'no package err-elf: .*(a script is named with a / or .scm: ./err-elf)$' err4; echo $?) \
	"build err-elf without it on the load path: says how to name the file as a script"
diag err4
$distill biuld x.scm > out4 2> err4
ok $([ $? = 2 ] && grep -qx "distill: unknown command 'biuld'; did you mean build? (see distill --help)" err4; echo $?) \
	"distill biuld: did you mean build?"
diag err4
$distill xyzzy > out4 2> err4
ok $([ $? = 2 ] && grep -qx "distill: unknown command 'xyzzy' (see distill --help)" err4; echo $?) \
	"distill xyzzy: no suggestion when nothing is close"

# 5. verify counts a plan made twice (the same procedure called twice)
# once: three plans, not four.  (-j1: with more, src/sched.c waits forever
# for the lock of the second copy, which its lock waiter inherited.)
cat > "$scratch/twice.scm" <<EOS
(import (distill plan))
(define bb (local-archive "$scratch/busybox.deb"))
(define (leaf)
  (make-plan name: "err-leaf"
    inputs: (list bb (interned "/build" #o755 "#!/bin/busybox sh\necho leaf > /out/x\n"))))
(define (top name)
  (make-plan name: name
    inputs: (list bb (make-input basedir: "/leaf" link: (leaf))
                  (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox cp /leaf/x /out/y\n"))))
(list (top "err-top1") (top "err-top2"))
EOS
chmod a+r "$scratch/twice.scm"
as_user "TMPDIR=$scratch $distill --store $scratch/user-store -j1 verify twice.scm > out5 2> err5"
ok $([ $? = 0 ] && grep -qx '3 of 3 plans reproducible' out5 &&
	[ "$(grep -c '^reproducible ' out5)" = 3 ]; echo $?) \
	"verify: a dependency made twice is one plan (3 of 3)"
diag out5

# 6. list packages: every module of pkg/ on the load path, sorted, with
# the version where the package gives one.
as_user "DISTILL_PATH=$scratch/path $distill list packages > out6 2> err6"
ok $([ $? = 0 ] && sort -c out6 && grep -qx 'hello 2.10' out6 && grep -qx 'busybox' out6 &&
	grep -qx 'err-v 1.2.3' out6 && grep -qx 'err-dir' out6; echo $?) \
	"list packages: sorted, NAME VERSION (hello 2.10, err-v 1.2.3), busybox and err-dir without one"
want=$( (ls "$top/pkg" "$scratch/path/pkg") | sed -n 's/\.scm$//p' | sort -u)
ok $([ "$(cut -d ' ' -f 1 out6)" = "$want" ]; echo $?) "list packages: each module of pkg/ once"
diag err6
$distill list > out6 2> err6
ok $([ $? = 2 ] && grep -qx 'distill: list needs a word first: sources or packages' err6; echo $?) \
	"list alone names both words"

done_testing
