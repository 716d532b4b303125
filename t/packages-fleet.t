#!/bin/sh
# The packages a fleet image needs (issue 14): pcre2, expat, libffi,
# pkgconf, libsodium, jq, gdbm and libevent, built with (distill base)'s
# toolchain from sources that scripts/fill-mirror takes from Debian's
# source packages.  libmnl, libnftnl and nftables are not here: Debian's
# orig tarballs of them cannot be had on this machine's archive.
#
# make check: every package names its licence (evaluated only), and jq
# and pkgconf (the two programs; jq's build runs autoreconf, pkgconf's
# unpacks a tarball distill's unpacker refuses) are built as the ordinary
# user in the run's shared store (about 50 to 100 s for jq and 20 s for
# pkgconf here, under load); they are static and run on the host: jq
# filters a small JSON document, pkgconf reads its own libpkgconf.pc.
# make check-full (full_only): all eight are built, each gives its static
# libraries and headers, a program (t/fleet-link.c) links with six of them
# and runs in the sandbox, and the whole set built again in the run's
# second store (rebuild_fresh: another user, path and umask, offline)
# gives the same output hash for every package.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
use_mirror
names="pcre2 expat libffi pkgconf libsodium jq gdbm libevent"
env=$mirror_env

cat > "$scratch/licences.scm" <<EOS
(import (distill base) (distill package) (distill plan)
        $(for n in $names; do printf '(pkg %s) ' "$n"; done))
(for-each (lambda (name p)
            (format #t "~a ~a~%" name (or (plan-license ((expander (default-config 'x86_64)) p))
                                          "NONE")))
          '($names) (list $names))
EOS
"$distill" run "$scratch/licences.scm" > "$scratch/licences" 2> "$scratch/licences.err"
ok $([ "$(grep -c -v ' NONE$' "$scratch/licences")" = 8 ]; echo $?) \
	"each of the eight names its licence: $(cut -d ' ' -f 2- "$scratch/licences" | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
diag "$scratch/licences.err"

build_set programs "jq and pkgconf" jq pkgconf
jq_out=$(sed -n 1p "$scratch/programs.out" | cut -d ' ' -f 2)
pc_out=$(sed -n 2p "$scratch/programs.out" | cut -d ' ' -f 2)
jq=${jq_out:-/nonexistent}/usr/bin/jq
pkgconf=${pc_out:-/nonexistent}/usr/bin/pkgconf

ok $(static "$jq" && static "$pkgconf"; echo $?) "jq and pkgconf are static programs (no interpreter)"
ok $([ "$("$jq" --version)" = jq-1.6 ]; echo $?) "jq --version says jq-1.6: $("$jq" --version 2>&1)"
echo '{"hosts":[{"name":"a","up":true,"load":0.5},{"name":"b","up":false},{"name":"c","up":true,"load":2}]}' \
	> "$scratch/fleet.json"
got=$("$jq" -c '[.hosts[] | select(.up) | {(.name): (.load * 2)}] | add' "$scratch/fleet.json" 2>&1)
ok $([ "$got" = '{"a":1,"c":4}' ]; echo $?) "jq filters, builds objects and does arithmetic: $got"
got=$("$jq" -r '.hosts | map(.name) | join(",")' "$scratch/fleet.json" 2>&1)
ok $([ "$got" = a,b,c ] && ! echo '{' | "$jq" . > /dev/null 2>&1; echo $?) \
	"jq -r joins strings ($got) and fails on bad JSON"
got=$("$jq" -n '"x" | test("x")' 2>&1)
rc=$?
ok $([ $rc != 0 ] && echo "$got" | grep -q 'compiled without ONIGURUMA'; echo $?) \
	"jq's regular expressions say they are not there (no oniguruma): $got"
ok $([ "$("$pkgconf" --version)" = 1.8.1 ] && [ -L "$pc_out/usr/bin/pkg-config" ]; echo $?) \
	"pkgconf --version says 1.8.1; pkg-config links to it"
got=$(PKG_CONFIG_PATH=$pc_out/usr/lib/pkgconfig "$pkgconf" --cflags --libs libpkgconf 2>&1 | xargs)
ok $([ "$got" = "-I/usr/include/pkgconf -lpkgconf" ] &&
	PKG_CONFIG_PATH=$pc_out/usr/lib/pkgconfig "$pkgconf" --exists 'libpkgconf >= 1.8' &&
	! PKG_CONFIG_PATH=$pc_out/usr/lib/pkgconfig "$pkgconf" --exists 'libpkgconf > 1.8.1'; echo $?) \
	"pkgconf reads its own libpkgconf.pc (/usr/lib left out as the system's) and compares versions: $got"
ok $([ -z "$(find "$jq_out" "$pc_out" -path '*/share/man*' -o -path '*/share/doc*' -o -name '*.la')" ]; echo $?) \
	"no manual pages, documentation or .la files in their outputs"

# All eight, and the two-store check of each: the eight take about 470 s
# of build time here (libsodium 173 s, jq 104 s, pcre2 89 s, libevent
# 61 s, gdbm 49 s...), so about four minutes a store at -j2 and eight in
# all; the second store's build, with its toolchain, took 457 s.
if full_only 5 "the eight packages and their rebuild in a second store take about ten minutes"; then
	build_set fleet "all eight" $names
	set -- $(cut -d ' ' -f 2 "$scratch/fleet.out") /nonexistent /nonexistent /nonexistent \
		/nonexistent /nonexistent /nonexistent /nonexistent /nonexistent
	missing=
	for f in "$1/usr/lib/libpcre2-8.a" "$1/usr/include/pcre2.h" \
		"$2/usr/lib/libexpat.a" "$2/usr/include/expat.h" \
		"$3/usr/lib/libffi.a" "$3/usr/include/ffi.h" \
		"$4/usr/lib/libpkgconf.a" "$4/usr/include/pkgconf/libpkgconf/libpkgconf.h" \
		"$5/usr/lib/libsodium.a" "$5/usr/include/sodium.h" \
		"$6/usr/lib/libjq.a" "$6/usr/include/jq.h" \
		"$7/usr/lib/libgdbm.a" "$7/usr/include/gdbm.h" \
		"$8/usr/lib/libevent.a" "$8/usr/include/event2/event.h"; do
		[ -f "$f" ] || missing="$missing ${f#$shared_store/trees/}"
	done
	ok $([ -z "$missing" ]; echo $?) "each gives its static libraries and headers${missing:+ (missing:$missing)}"
	# A program linked against six of them, run in the sandbox.
	cp "$top/t/fleet-link.c" "$scratch/fleet-link.c"
	cat > "$scratch/link.scm" <<EOS
(import (distill base) (distill package) (distill plan)
        (pkg pcre2) (pkg expat) (pkg libffi) (pkg libsodium) (pkg gdbm) (pkg libevent))
((expander (default-config 'x86_64))
 (cc-package "fleet-link" "1" #f (local-file "$scratch/fleet-link.c" "/src/fleet-link/t.c")
  dir: "/src/fleet-link"
  libs: (list pcre2 expat libffi libsodium gdbm libevent)
  build: \`(if (mkdir -p /out)
           if (,\$CC ,\$CFLAGS -o t t.c -lsodium -lexpat -lpcre2-8 -lffi -levent -lgdbm ,\$LDFLAGS)
           redirfd -w 1 /out/result ./t)))
EOS
	chmod a+r "$scratch/link.scm" "$scratch/fleet-link.c"
	as_user "$env $distill --store $shared_store build link.scm > link.out 2> link.err"
	printf '%s\n' "sodium bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319" \
		"sodium-subgroup 0" "expat parsed 3 expat_2.5.0" "pcre2 2 bbb" "ffi 5" \
		"event 2.1.12-stable epoll" "gdbm up" > "$scratch/link.want"
	ok $(cmp -s "$scratch/link.want" "$(cut -d ' ' -f 2 "$scratch/link.out")/result"; echo $?) \
		"a program links with libsodium (BLAKE2b of abc; CVE-2025-69277's point refused), expat, pcre2, libffi, libevent and gdbm and runs"
	grep -v '^;;;' "$scratch/link.err" | grep -v '^built ' | grep -v '^building ' | grep -v '^result' | diag
	diff "$scratch/link.want" "$(cut -d ' ' -f 2 "$scratch/link.out")/result" 2>&1 | diag
	rebuild_fresh "the eight" "$scratch" fleet.scm "$scratch/fleet2.out"
	same_outputs "$scratch/fleet.out" "$scratch/fleet2.out" $names
	ok $? "every output hash is the same in both stores${differ:+ (not:$differ)}"
fi

echo "whole test: $(($(date +%s) - start)) s" | diag
done_testing
