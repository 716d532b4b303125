#!/bin/sh
# The command line: options anywhere before "--" (getopt_long: grouped,
# long, with "=" or a separate value), several targets, a script's own
# arguments after "--", and an argument a command does not take refused
# with exit 2.  Cheap plans only: two busybox scripts.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
plan_script "$scratch/a.scm" cli-a 'echo a > /out/a'
plan_script "$scratch/b.scm" cli-b 'echo b > /out/b'
# A script that shows its arguments on stderr, then ends with a plan.
cat > "$scratch/args.scm" <<EOS
(format (current-error-port) "args: ~s~%" (cdr (program-arguments)))
(load "$scratch/a.scm")
EOS
printf '(display (cdr (program-arguments)))\n(newline)\n' > "$scratch/show-args.scm"
chmod a+r "$scratch"/*.scm

# 1. An option after the target is an option: -n lists, builds nothing.
$distill --store "$st" build "$scratch/a.scm" -n > "$scratch/out1" 2> "$scratch/err1"
ok $([ $? = 0 ] && grep -qx '[^ ]* cli-a' "$scratch/out1" && ! grep -q '^building' "$scratch/err1"; echo $?) \
	"build x.scm -n is a dry run"
diag "$scratch/out1" "$scratch/err1"

# 2. Several targets are all built, in order.
as_user "$distill --store $scratch/user-store build a.scm b.scm > out2 2> err2"
ok $([ $? = 0 ] && [ "$(wc -l < "$scratch/out2")" = 2 ] &&
	grep -qx a "$(sed -n 1p "$scratch/out2" | cut -d ' ' -f 2)/a" &&
	grep -qx b "$(sed -n 2p "$scratch/out2" | cut -d ' ' -f 2)/b"; echo $?) \
	"build a.scm b.scm builds both (as an ordinary user)"
diag < "$scratch/err2"

# 3. Grouped short options, long options with = or a separate value.
plan_script "$scratch/c.scm" cli-c 'echo c > /out/c'
$distill --store "$st" -kn build "$scratch/c.scm" > "$scratch/out3" 2> "$scratch/err3"
ok $([ $? = 0 ] && grep -qx '[^ ]* cli-c' "$scratch/out3" && ! grep -q '^building' "$scratch/err3"; echo $?) \
	"-kn is -k -n"
$distill --store "$st" --jobs=2 build "$scratch/c.scm" > /dev/null 2> "$scratch/err3b"
ok $([ $? = 0 ] && grep -q '^building cli-c' "$scratch/err3b"; echo $?) "--jobs=2 builds"
$distill --store="$st" build --jobs 2 --keep-going "$scratch/c.scm" --dry-run > /dev/null 2>&1
ok $? "--jobs 2, --keep-going and --dry-run after the command"
$distill --store "$st" build "$scratch/c.scm" -j2 > /dev/null 2>&1
ok $? "-j2 after the target"
$distill --store "$st" --jobs=0 build "$scratch/c.scm" > /dev/null 2> "$scratch/err3c"
ok $([ $? = 2 ] && grep -q 'from 1 to 1024' "$scratch/err3c"; echo $?) "--jobs=0 is a usage error"

# 4. A script's own arguments come after "--".
$distill --store "$st" build "$scratch/args.scm" -- -n x > /dev/null 2> "$scratch/err4"
ok $([ $? = 0 ] && grep -qx 'args: ("-n" "x")' "$scratch/err4"; echo $?) \
	"build x.scm -- -n x: the script gets -n and x, and builds"
out=$($distill run "$scratch/show-args.scm" a -- -n b)
ok $([ "$out" = "(a -n b)" ]; echo $?) "run: the script's arguments, before and after -- (got '$out')"

# 5. Package targets, several: two cheap packages (pkg cli-p) and
# (pkg cli-q) on $DISTILL_PATH, the plans of a.scm and b.scm.
mkdir -p "$scratch/path/pkg"
for x in p:a q:b; do
	{ echo "(define-module (pkg cli-${x%:*}) #:use-module (distill plan) #:export (cli-${x%:*}))"
	  echo "(define cli-${x%:*}"; sed 1d "$scratch/${x#*:}.scm"; echo ")"; } > "$scratch/path/pkg/cli-${x%:*}.scm"
done
{ $distill --store "$st" build "$scratch/a.scm" && $distill --store "$st" build "$scratch/b.scm"; } \
	> "$scratch/want5" 2> /dev/null
DISTILL_PATH=$scratch/path $distill --store "$st" build cli-p cli-q > "$scratch/out5" 2> "$scratch/err5"
ok $([ $? = 0 ] && [ "$(wc -l < "$scratch/want5")" = 2 ] && cmp -s "$scratch/want5" "$scratch/out5"; echo $?) \
	"build cli-p cli-q builds both packages"
diag "$scratch/out5" "$scratch/err5"

# 6. What a command does not take is a usage error, never dropped.
$distill --store "$st" gc --remove-root nothing extra > /dev/null 2> "$scratch/err6"
ok $([ $? = 2 ] && grep -q 'usage: distill gc' "$scratch/err6"; echo $?) "gc: an extra argument exits 2"
$distill --store "$st" build hello -- x > /dev/null 2> "$scratch/err6b"
ok $([ $? = 2 ]; echo $?) "a package target takes no script arguments: exit 2"
diag < "$scratch/err6b"
$distill boot qemu-x86_64 --bogus > /dev/null 2> "$scratch/err6c"
ok $([ $? = 2 ] && grep -q "unknown option '--bogus'" "$scratch/err6c"; echo $?) \
	"boot PLATFORM --bogus: an unknown option, not the system script"
diag < "$scratch/err6c"
$distill --store "$st" build > /dev/null 2> "$scratch/err6d"
ok $([ $? = 2 ] && grep -q 'usage: distill build' "$scratch/err6d"; echo $?) "build without a target exits 2"
$distill --store "$st" sum -- x 2> /dev/null
ok $([ $? = 2 ]; echo $?) "sum takes no script arguments"

# 7. Help, per command, in any of its spellings.
for h in "build --help" "--help build" "help build" "build -h"; do
	$distill $h > "$scratch/help" 2>&1
	ok $([ $? = 0 ] && grep -q '^usage: distill build \[--arch ARCH\] TARGET' "$scratch/help"; echo $?) "distill $h"
done
$distill --help > "$scratch/help" 2>&1
ok $([ $? = 0 ] && grep -q 'distill boot' "$scratch/help" && grep -q -- '--jobs' "$scratch/help"; echo $?) \
	"distill --help lists the commands and options"
done_testing
