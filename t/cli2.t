#!/bin/sh
# The command line's contracts: one table of exit statuses, each checked
# from a real invocation, and --help and docs/cli.md listing exactly it.
# Cheap plans only: busybox scripts, and a 34-byte multiboot kernel.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
code() { # code WANT DESCRIPTION CMD...: one test, that CMD exits WANT
	want=$1 what=$2
	shift 2
	"$@" > "$scratch/code.out" 2> "$scratch/code.err"
	rc=$?
	ok $([ "$rc" = "$want" ]; echo $?) "exit $want ($what): got $rc"
	[ "$rc" = "$want" ] || diag "$scratch/code.err"
}

# 1. Each status of the table, from a real invocation.
plan_script "$scratch/ok.scm" ok 'echo ok > /out/ok'
plan_script "$scratch/fails.scm" fails 'exit 1'
printf '(import (distill plan))\n(make-plan name: 5)\n' > "$scratch/recipe.scm"
# A kernel QEMU boots (multiboot, loaded at 1 MiB: jmp . forever) and
# one it refuses; each the raw output of a plan, in a boot spec.
boot_script() {
	plan_script "$scratch/$1-k.scm" "$1" "printf '$2' > /out/kernel" 'raw-output: "/kernel"'
	{ echo '(import (distill plan) (distill boot))'; echo '(boot-spec kernel:'
	  sed 1d "$scratch/$1-k.scm"; echo ')'; } > "$scratch/$1.scm"
}
boot_script spin '\002\260\255\033\000\000\001\000\376\117\121\344\000\000\020\000\000\000\020\000\000\000\000\000\000\000\000\000\040\000\020\000\353\376'
boot_script junk 'not a kernel'
code 0 "success" $distill --store "$st" build "$scratch/ok.scm"
h=$(cut -d ' ' -f 1 "$scratch/code.out")
code 1 "a build failed" $distill --store "$st" build "$scratch/fails.scm"
code 2 "unknown option" $distill --store "$st" build --bogus "$scratch/ok.scm"
for c in "log" "show" "again" "gc --add-root r"; do
	code 2 "$c: not a hash" $distill --store "$st" $c not-a-hash
done
code 2 "a missing script" $distill --store "$st" build "$scratch/none.scm"
code 3 "a recipe error" $distill --store "$st" build "$scratch/recipe.scm"
grep -q 'recipe.scm:2:1: error:' "$scratch/code.err"
ok $? "the recipe error names the script's line"
: > "$scratch/notastore"
code 4 "not a store" $distill --store "$scratch/notastore" build "$scratch/ok.scm"
code 5 "boot --expect: the timeout passed" \
	$distill --store "$st" boot "$scratch/spin.scm" --accel tcg --expect never --timeout 3
code 6 "boot: QEMU exited with an error" $distill --store "$st" boot "$scratch/junk.scm" --accel tcg
# 128+N: Ctrl-C (SIGINT) in the middle of a build.
plan_script "$scratch/sleeps.scm" sleeps 'sleep 60'
env --default-signal=INT $distill --store "$st" build "$scratch/sleeps.scm" > /dev/null 2> "$scratch/int.err" &
pid=$!
i=0
while [ $i -lt 300 ] && ! grep -qs '^building sleeps' "$scratch/int.err"; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
ok $([ $rc = 130 ]; echo $?) "exit 130 (128+SIGINT): Ctrl-C during a build (got $rc)"

# 2. --help lists exactly the statuses of docs/cli.md's table.
$distill --help | sed -n '/^exit status/,$p' | awk '$1 ~ /^[0-9]/ { print $1 }' > "$scratch/help.codes"
sed -n '/^## Exit status/,/^## /p' "$top/docs/cli.md" | awk -F' *[|] *' '$2 ~ /^[0-9]/ { print $2 }' > "$scratch/doc.codes"
ok $([ -s "$scratch/help.codes" ] && cmp -s "$scratch/help.codes" "$scratch/doc.codes"; echo $?) \
	"--help lists exactly docs/cli.md's exit statuses ($(tr '\n' ' ' < "$scratch/help.codes"))"
diff "$scratch/help.codes" "$scratch/doc.codes" | diag

# 3. A binary copied alone, in a fresh store, without the seed: one line
# saying where the seed is looked for and what to run; exit 1.
mkdir -p "$scratch/lone" "$scratch/noseed"
cp "$top/distill" "$scratch/lone/"
XDG_CACHE_HOME=$scratch/xdg "$scratch/lone/distill" --store "$scratch/fresh" --offline fetch hello \
	> /dev/null 2> "$scratch/seed.err"
rc=$?
ok $([ $rc = 1 ] && [ "$(wc -l < "$scratch/seed.err")" = 1 ] &&
	grep -q "^distill: error: the seed package busybox-static_.*\.deb is not in $scratch/xdg/.*/seed/debs.*run scripts/fetch-seed.*DISTILL_SEED" "$scratch/seed.err"; echo $?) \
	"a copied binary without the seed: exit 1, one line naming the directory, scripts/fetch-seed, DISTILL_SEED (exit $rc)"
diag "$scratch/seed.err"
DISTILL_SEED=$scratch/noseed XDG_CACHE_HOME=$scratch/xdg "$scratch/lone/distill" --store "$scratch/fresh" \
	--offline fetch hello > /dev/null 2> "$scratch/seed.err"
ok $([ $? = 1 ] && grep -q "is not in $scratch/noseed, " "$scratch/seed.err"; echo $?) \
	"DISTILL_SEED names the directory the seed is looked for in"

# 6. --version: distill's (the Makefile's VERSION) and Guile's; -q: the
# results only, no building/built lines.
v=$(sed -n 's/^VERSION = //p' "$top/Makefile")
$distill --version > "$scratch/version" 2>&1
ok $([ $? = 0 ] && grep -qx "distill $v (GNU Guile 3\.[0-9]*\.[0-9]*)" "$scratch/version"; echo $?) \
	"--version: distill $v and Guile's version ($(cat "$scratch/version"))"
plan_script "$scratch/quiet.scm" quiet 'echo q > /out/q'
$distill --store "$st" -q build "$scratch/quiet.scm" > "$scratch/q.out" 2> "$scratch/q.err"
ok $([ $? = 0 ] && [ ! -s "$scratch/q.err" ] && grep -q '^[^ ]* /' "$scratch/q.out"; echo $?) \
	"-q: the result line on stdout, nothing on stderr"
diag "$scratch/q.err"

# 7. --json: one JSON document, a result per target: built, then cached;
# with -k a failed target and its skipped dependent too.
plan_script "$scratch/j.scm" json-ok 'echo 1234 > /out/j'
plan_script "$scratch/jbad.scm" json-bad 'exit 1'
sed -i 's/name: "json-bad"/name: "json-\\"bad"/' "$scratch/jbad.scm"	# a name JSON must escape
cat > "$scratch/jall.scm" <<EOS
(import (distill plan))
(define bad (load "$scratch/jbad.scm"))
(list (load "$scratch/j.scm") bad
      (make-plan name: "json-dep" inputs: (list bad (interned "/build" #o755 "#!/bin/sh\n"))))
EOS
json_is() { # json_is FILE PYTHON-EXPRESSION-OF-r
	python3 -c "import json, sys; r = json.load(open(sys.argv[1]))['results']; sys.exit(0 if ($2) else 1)" "$1"
}
$distill --store "$st" --json build "$scratch/j.scm" > "$scratch/j1" 2> /dev/null
rc1=$?
$distill --store "$st" --json build "$scratch/j.scm" > "$scratch/j2" 2> /dev/null
ok $([ $rc1 = 0 ] && [ $? = 0 ] &&
	json_is "$scratch/j1" "len(r) == 1 and r[0]['name'] == 'json-ok' and r[0]['status'] == 'built' and r[0]['size'] == 5 and len(r[0]['plan']) == 44 and r[0]['path'].endswith('/' + r[0]['output'])" &&
	json_is "$scratch/j2" "r[0]['status'] == 'cached'"; echo $?) \
	"--json: plan, name, output, path, size, status built then cached"
diag "$scratch/j1" "$scratch/j2"
$distill --store "$st" -k --json build "$scratch/jall.scm" > "$scratch/j3" 2> /dev/null
rc=$?
ok $([ $rc = 1 ] &&
	json_is "$scratch/j3" "[x['status'] for x in r] == ['cached', 'failed', 'skipped'] and r[1]['name'] == 'json-\"bad' and r[1]['output'] is None and r[2]['plan'] is None"; echo $?) \
	"--json -k: the failed target and its skipped dependent in the document, exit 1 (exit $rc)"
diag "$scratch/j3"

# 8. -v (and -L): the build's log on stderr as it runs, each line after
# "NAME| ", escaped; the stored log byte for byte as without -v.
plan_script "$scratch/v.scm" verbose 'echo one; printf "two\\033[31m\\n"; echo x > /out/x'
$distill --store "$st" -v build "$scratch/v.scm" > /dev/null 2> "$scratch/v.err"
rc=$?
h=$(sed -n 's/^building verbose //p' "$scratch/v.err")
$distill --store "$st" log "$h" > "$scratch/v.log"
ok $([ $rc = 0 ] && grep -qx 'verbose| one' "$scratch/v.err" && grep -qxF 'verbose| two\x1b[31m' "$scratch/v.err" &&
	printf 'one\ntwo\033[31m\n' | cmp -s - "$scratch/v.log"; echo $?) \
	"-v: the log streamed, prefixed and escaped; stored as it is"
diag "$scratch/v.err"
plan_script "$scratch/v2.scm" verbose2 'echo three; echo x > /out/x'
$distill --store "$st" -L build "$scratch/v2.scm" > /dev/null 2> "$scratch/v2.err"
ok $([ $? = 0 ] && grep -qx 'verbose2| three' "$scratch/v2.err"; echo $?) "-L is -v"

# 9. Bash completion (generated from --help) completes commands, the
# word of list, and options; the man page (from docs/cli.md) renders,
# with every command and the exit statuses, and make install puts both.
complete_at() { # complete_at WORDS...: COMPREPLY for the last word
	bash -c '. "$1/distill.bash"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _distill; echo "${COMPREPLY[*]}"' \
		sh "$top" "$@"
}
ok $([ "$(complete_at distill bu)" = build ] && [ "$(complete_at distill list p)" = packages ] &&
	[ "$(complete_at distill build --kee)" = --keep-going ] &&
	[ "$(complete_at distill -k ve)" = verify ]; echo $?) \
	"bash completion: commands, list's words, options"
MANWIDTH=100 man -l "$top/distill.1" > "$scratch/man.txt" 2> "$scratch/man.err"
missing=
for c in $($distill --help | awk '$1 == "distill" { print $2 }' | sort -u); do
	grep -q "^ *$c " "$scratch/man.txt" || missing="$missing $c"
done
ok $([ ! -s "$scratch/man.err" ] && [ -z "$missing" ] && grep -q '^EXIT STATUS' "$scratch/man.txt" &&
	grep -q '^ *DISTILL_SEED' "$scratch/man.txt"; echo $?) \
	"the man page renders, with every command (missing:${missing:- none}), the exit statuses, the environment"
diag "$scratch/man.err"
make -s -C "$top" install DESTDIR="$scratch/dest" PREFIX=/usr > /dev/null 2>&1
ok $([ -s "$scratch/dest/usr/share/man/man1/distill.1" ] &&
	[ -s "$scratch/dest/usr/share/bash-completion/completions/distill" ]; echo $?) \
	"make install puts the man page and the completion"

# 5. Ctrl-C typed at a download on a terminal (script gives distill one;
# env undoes the SIGINT that a background job ignores): exit 130, and
# the progress line cleared last.
start_httpd
cat > "$scratch/big.scm" <<EOS
(import (distill plan))
(make-plan name: "big"
  inputs: (list (remote-file "http://127.0.0.1:$port/huge/big" "sha256:$(printf '%064d' 0)" "/big" #o644)
                (interned "/build" #o755 "#!/bin/sh\n")))
EOS
ctrl_c_on_tty "$scratch/tty.out" 'fetching big' \
	"DISTILL_FETCH_MAX_SIZE=32G $distill --store $st fetch $scratch/big.scm"
ok $([ $rc = 130 ] && grep -q 'fetching big' "$scratch/tty.out" &&
	! printf '%s' "$last" | grep -q 'fetching'; echo $?) \
	"Ctrl-C during a download on a terminal: exit 130, the progress line cleared last (exit $rc)"
sed 's/\x1b/<ESC>/g; s/\r/<CR>/g' "$scratch/tty.out" | diag

# 4. docs/cli.md's environment table names every variable distill reads.
sed -n '/^## Environment/,/^## /p' "$top/docs/cli.md" > "$scratch/env.md"
missing=
for v in $(grep -ohE 'getenv *\(? *"[A-Za-z_]+"|"DISTILL_[A-Z_]+' "$top"/src/*.c "$top"/lib/distill/*.scm |
	grep -oE '[A-Za-z_]+"?$' | tr -d '"' | sort -u); do
	grep -q "\`$v" "$scratch/env.md" || missing="$missing $v"
done
ok $([ -z "$missing" ]; echo $?) "docs/cli.md's environment table names every getenv (missing:${missing:- none})"
done_testing
