#!/bin/sh
# Terminal and parser packages of issue 14: ncurses (static libncursesw,
# libtinfo, libtic, headers, tic/infocmp/tput/clear and a terminfo
# database of a few entries), libedit against that ncurses, and bison
# (with pkg/m4.scm), built with (distill base)'s toolchain from Debian 12's
# orig tarballs (scripts/fill-mirror).  gperf is not here: it is C++ and
# the toolchain has no C++ compiler (no libstdc++ for musl).
#
# make check: each names its licence; ncurses and libedit are built as
# the ordinary user in the run's shared store (about 380 s and 110 s of
# build here under a load of 12 to 13 on two cores: an estimated minute
# and a quarter on the idle machine, which is what CI's warm store pays
# once); their files are there; tic compiles an entry of the test's own,
# which tput reads through TERMINFO as root and as the ordinary user, but
# not when setuid (CVE-2023-29491); and a plan in the sandbox (its root:
# the seed and the toolchain, no terminfo database of the host's) runs
# them: infocmp prints the linux entry of the built database, tput with
# TERM=xterm prints ESC [ 1 m for bold, and a program linked with libedit
# and ncurses reads a line from its stdin (not a terminal) with
# readline() and finds xterm's bold.
# make check-full (full_only): bison is built, turns a calculator's
# grammar into C that the toolchain compiles in the sandbox and that
# computes 2+3*4 = 14 and (2+3)*4 = 20; and the three built again in the
# run's second store (rebuild_fresh) give the same output hashes.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
use_shared_store
names="ncurses libedit bison"
cat > "$scratch/licences.scm" <<EOS
(import (distill base) (distill package) (distill plan)
        (pkg ncurses) (pkg libedit) (pkg bison))
(for-each (lambda (name p)
            (format #t "~a ~a~%" name (or (plan-license ((expander (default-config 'x86_64)) p))
                                          "NONE")))
          '($names) (list $names))
EOS
chmod a+r "$scratch/licences.scm"
"$distill" run "$scratch/licences.scm" > "$scratch/licences" 2> "$scratch/licences.err"
ok $([ "$(cat "$scratch/licences" | tr '\n' ' ')" = "ncurses MIT libedit BSD-3-Clause bison GPL-3.0-or-later " ]; echo $?) \
	"each names its licence: $(tr '\n' ',' < "$scratch/licences" | sed 's/,$//; s/,/, /g')"
diag < "$scratch/licences.err"

# check_plan NAME LIBS TOOLS: the script NAME.scm of a plan that runs
# $scratch/NAME/check.sh (with the other files of that directory beside
# it) in the sandbox with the toolchain, the packages LIBS in the sysroot
# and TOOLS at /; its results are files of /out.
check_plan() {
	cat > "$scratch/$1.scm" <<EOS
(import (distill base) (distill package) (distill plan)
        $(for n in $2 $3; do printf '(pkg %s) ' "$n"; done))
((expander (default-config 'x86_64))
 (cc-package "$1" "1" #f (local-file "$scratch/$1/check.sh" "/src/$1/check.sh")
  dir: "/src/$1"
  extra-src: (list $(cd "$scratch/$1" && for f in *; do
	[ "$f" = check.sh ] || printf '(local-file "%s" "%s") ' "$scratch/$1/$f" "/src/$1/$f"; done))
  env: (list \$cc-env)
  libs: (list $2)
  tools: (list $3)
  build: '(sh ./check.sh)))
EOS
	chmod -R a+rX "$scratch/$1" "$scratch/$1.scm"
}

# ncurses and libedit: about 380 s and 110 s of build here under a load
# of 13 on two cores (an estimated minute and a quarter unloaded).
build_set set "ncurses and libedit" ncurses libedit
set -- $(cut -d ' ' -f 2 "$scratch/set.out") /nonexistent /nonexistent
nc=$1 edit=$2
missing=
for f in "$nc/usr/lib/libncursesw.a" "$nc/usr/lib/libtinfo.a" "$nc/usr/lib/libtic.a" \
	"$nc/usr/lib/libncurses.a" "$nc/usr/include/curses.h" "$nc/usr/include/term.h" \
	"$edit/usr/lib/libedit.a" "$edit/usr/include/histedit.h" \
	"$edit/usr/include/editline/readline.h" "$edit/usr/lib/pkgconfig/libedit.pc"; do
	[ -f "$f" ] || missing="$missing ${f#$st/trees/}"
done
for p in tic infocmp tput clear; do
	static "$nc/usr/bin/$p" || missing="$missing $p(static)"
done
ok $([ -z "$missing" ]; echo $?) \
	"static libraries, headers and static tic, infocmp, tput, clear are there${missing:+ (missing:$missing)}"
entries=$(cd "$nc/usr/share/terminfo" 2>/dev/null && find . -type f | sed 's|.*/||' | sort | tr '\n' ' ')
ok $([ "$entries" = "dumb linux screen screen-256color tmux-256color vt100 vt100-am vt200 vt220 xterm xterm-256color " ]; echo $?) \
	"the terminfo database holds only the chosen entries (and their aliases): $entries"
ok $([ -z "$(ls "$nc/usr/bin" | grep -v -x -e tic -e infocmp -e tput -e clear -e ncursesw6-config)" ] &&
	[ -z "$(find "$nc" "$edit" -path '*/share/man*' -o -path '*/share/doc*' -o -name '*.la' -o -name '*.so*')" ]; echo $?) \
	"no other programs, shared libraries, manual pages or .la files: $(ls "$nc/usr/bin" 2>&1 | tr '\n' ' ')"

# tic compiles an entry of the test's own; tput finds it through
# TERMINFO, for root too (Debian's debian-env-access.diff: upstream's
# --disable-root-environ would ignore it for root), and a setuid copy of
# tput ignores it (CVE-2023-29491: --disable-root-environ).
mkdir -p "$scratch/own-ti"
printf '%s\n' 'distill-term|a terminal of the test,' '	cols#77, bold=\E[9m,' > "$scratch/own.src"
"$nc/usr/bin/tic" -o "$scratch/own-ti" "$scratch/own.src" 2>&1 | diag
chmod -R a+rX "$scratch/own-ti"
me=$(TERMINFO=$scratch/own-ti "$nc/usr/bin/tput" -T distill-term cols 2>&1)
user=$(as_user "TERMINFO=$scratch/own-ti $nc/usr/bin/tput -T distill-term cols" 2>&1)
ok $([ "$me" = 77 ] && [ "$user" = 77 ]; echo $?) \
	"tic compiles an entry; tput reads it through TERMINFO as $(id -un) ($me) and as the ordinary user ($user)"
if [ "$(id -u)" = 0 ]; then
	cp "$nc/usr/bin/tput" "$scratch/tput-setuid"
	chmod 4755 "$scratch/tput-setuid"
	got=$(as_user "TERMINFO=$scratch/own-ti ./tput-setuid -T distill-term cols" 2>&1)
	ok $([ "$got" != 77 ] && echo "$got" | grep -q 'unknown terminal'; echo $?) \
		"a setuid tput ignores TERMINFO: $got"
else
	ok 0 "# SKIP a setuid copy of tput needs root"
fi

# Run in the sandbox (its root: the seed and the toolchain, no terminfo
# database of the host's), ncurses and libedit in the sysroot.
mkdir -p "$scratch/term-check"
cat > "$scratch/term-check/edit.c" <<'EOS'
/* A line read with libedit's readline() from a stdin that is not a
 * terminal, kept in its history; and xterm's bold from ncurses. */
#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>
#include <curses.h>
#include <term.h>

int main(void)
{
	char *line = readline("");
	int err;
	const char *bold;

	if (!line)
		return 1;
	add_history(line);
	printf("line %s\nhistory %d %s\n", line, history_length, history_get(history_base)->line);
	free(line);
	if (setupterm("xterm", 1, &err) != OK)
		return 2;
	bold = tigetstr("bold");
	printf("bold %s\n", bold && bold != (char *)-1 && bold[0] == 033 ? bold + 1 : "none");
	return 0;
}
EOS
cat > "$scratch/term-check/check.sh" <<'EOS'
set -e
sys=/sysroot/x86_64-linux-musl
mkdir -p /out
for d in /etc/terminfo /lib/terminfo /usr/share/terminfo /usr/lib/terminfo; do
	if [ -e "$d" ]; then echo "$d"; fi
done > /out/hostdb
export TERMINFO=$sys/usr/share/terminfo
$sys/usr/bin/infocmp linux > /out/infocmp
TERM=xterm $sys/usr/bin/tput bold | od -An -tx1 | tr -d ' \n' > /out/bold
$CC $CFLAGS -o edit edit.c -ledit -lncursesw -ltinfo $LDFLAGS
echo 'hello, libedit' | TERM=dumb ./edit > /out/edit
EOS
check_plan term-check "ncurses libedit" ""
run build term-check.scm > "$scratch/check.out" 2> "$scratch/check.err"
ok $? "the plan running them builds in the sandbox"
build_log "$scratch/check.err"
res=$(cut -d ' ' -f 2 "$scratch/check.out")
res=${res:-/nonexistent}
ok $([ -f "$res/hostdb" ] && [ ! -s "$res/hostdb" ]; echo $?) \
	"the sandbox has no terminfo database but the built one: $(cat "$res/hostdb" 2>&1 | tr '\n' ' ')"
ok $(head -n 2 "$res/infocmp" 2>/dev/null | grep -q '^linux|Linux console,$' &&
	grep -q 'cup=\\E\[%i%p1%d;%p2%dH' "$res/infocmp"; echo $?) \
	"infocmp prints the linux entry from the built database: $(sed -n 2p "$res/infocmp" 2>&1)"
got=$(cat "$res/bold" 2>&1)
ok $([ "$got" = 1b5b316d ]; echo $?) "TERM=xterm tput bold prints ESC [ 1 m: $got"
printf '%s\n' "line hello, libedit" "history 1 hello, libedit" "bold [1m" > "$scratch/edit.want"
ok $(cmp -s "$scratch/edit.want" "$res/edit"; echo $?) \
	"a program linked with libedit and ncurses reads a line from a non-terminal stdin and finds xterm's bold"
diff "$scratch/edit.want" "$res/edit" 2>&1 | diag

# bison (205 s of build here under a load of 12 on two cores, with m4
# 100 s more where the store lacks it) and its calculator; then the three
# built again in the run's second store, its toolchain first (512 s here).
if full_only 6 "bison and the second store's build of the three take about fifteen minutes"; then
	build_set bison "bison" bison
	bison=$(cut -d ' ' -f 2 "$scratch/bison.out")
	bison=${bison:-/nonexistent}
	ok $([ -f "$bison/usr/lib/liby.a" ] && [ -f "$bison/usr/share/bison/skeletons/yacc.c" ] &&
		static "$bison/usr/bin/bison" &&
		[ -z "$(find "$bison" -path '*/share/man*' -o -path '*/share/doc*' -o -path '*/share/info*')" ]; echo $?) \
		"bison is a static program with its skeletons and liby.a, no manual or documentation"
	mkdir -p "$scratch/calc"
	cat > "$scratch/calc/calc.y" <<'EOS'
%{
#include <ctype.h>
#include <stdio.h>
int yylex(void);
void yyerror(const char *);
%}
%token NUM
%left '+' '-'
%left '*' '/'
%%
line: expr '\n' { printf("%d\n", $1); } ;
expr: NUM
    | expr '+' expr { $$ = $1 + $3; }
    | expr '-' expr { $$ = $1 - $3; }
    | expr '*' expr { $$ = $1 * $3; }
    | expr '/' expr { $$ = $3 ? $1 / $3 : 0; }
    | '(' expr ')' { $$ = $2; }
    ;
%%
int yylex(void)
{
	int c = getchar();

	while (c == ' ')
		c = getchar();
	if (isdigit(c)) {
		int v = 0;

		for (; isdigit(c); c = getchar())
			v = v * 10 + (c - '0');
		ungetc(c, stdin);
		yylval = v;
		return NUM;
	}
	return c == EOF ? 0 : c;
}
void yyerror(const char *s) { fprintf(stderr, "calc: %s\n", s); }
int main(void) { return yyparse(); }
EOS
	cat > "$scratch/calc/check.sh" <<'EOS'
set -e
mkdir -p /out
bison -o calc.c calc.y
$CC $CFLAGS -o calc calc.c $LDFLAGS
echo '2+3*4' | ./calc > /out/calc
echo '(2+3)*4' | ./calc >> /out/calc
EOS
	check_plan calc "" "bison m4"
	run build calc.scm > "$scratch/calc.out" 2> "$scratch/calc.err"
	ok $? "the calculator's plan builds in the sandbox"
	build_log "$scratch/calc.err"
	got=$(cat "$(cut -d ' ' -f 2 "$scratch/calc.out")/calc" 2>&1 | tr '\n' ' ')
	ok $([ "$got" = "14 20 " ]; echo $?) \
		"bison's calculator, compiled by the toolchain, computes 2+3*4 and (2+3)*4: $got"
	set_of all.scm $names
	run build all.scm > "$scratch/all.out" 2> "$scratch/all.err"
	rebuild_fresh "ncurses, libedit and bison" "$scratch" all.scm "$scratch/all2.out"
	same_outputs "$scratch/all.out" "$scratch/all2.out" $names
	ok $? "every output hash is the same in both stores${differ:+ (not:$differ)}"
fi

echo "whole test: $(($(date +%s) - start)) s" | diag
done_testing
