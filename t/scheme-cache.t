#!/bin/sh
# The built-in Scheme library, unpacked into the user's cache, is code
# distill runs: it is never taken from a directory another user can write
# (HOME unset means the passwd entry's home, never /tmp), a copy that is
# not the built-in library file for file is unpacked again, and Guile's own
# cache of compiled files is never loaded.  Planted code writes a marker;
# the marker must never appear.
. "$(dirname "$0")/lib.sh"

# The binary alone: no lib/ beside it, so it uses its built-in copy.
mkdir -p "$scratch/alone"
cp "$top/distill" "$scratch/alone/distill"
chmod -R a+rX "$scratch/alone"
alone="$scratch/alone/distill"
[ ! -e /usr/local/share/distill ] || echo "# /usr/local/share/distill exists: the built-in copy may not be used"
printf '(import (distill plan))\n(display "fine")\n' > "$scratch/ok.scm"
chmod a+r "$scratch/ok.scm"

# The name of the unpacked copy, and a good copy to plant altered.
XDG_CACHE_HOME="$scratch/probe" "$alone" --store "$scratch/st" run "$scratch/ok.scm" >/dev/null
h=$(ls "$scratch/probe/distill-scheme")
ok $([ -n "$h" ] && [ -f "$scratch/probe/distill-scheme/$h/lib/distill/plan.scm" ]; echo $?) \
	"the built-in library is unpacked into XDG_CACHE_HOME/distill-scheme/<hash>"

# plant DIR MARKER: a copy of the library in DIR whose (distill plan)
# writes MARKER when loaded.
plant() {
	mkdir -p "$1"
	cp -r "$scratch/probe/distill-scheme/$h/." "$1/"
	printf '\n(call-with-output-file "%s" (lambda (p) (display "planted" p)))\n' "$2" \
		>> "$1/lib/distill/plan.scm"
	chmod -R a+rX "$1"
}

other=distill-test2
if [ "$(id -u)" = 0 ]; then
	as_user true
	id "$other" >/dev/null 2>&1 || useradd -m -s /bin/sh "$other" >/dev/null 2>&1
	victim_home=$(getent passwd "$test_user" | cut -d: -f6)

	# 1. Another user's /tmp/.cache, with HOME and XDG_CACHE_HOME unset.
	if [ ! -e /tmp/.cache ]; then
		su "$other" -s /bin/sh -c "umask 022; mkdir -p /tmp/.cache/distill-scheme/$h"
		cp -r "$scratch/probe/distill-scheme/$h/." "$scratch/planted"
		plant "$scratch/planted" "$scratch/marker-tmp"
		cp -r "$scratch/planted/." "/tmp/.cache/distill-scheme/$h/"
		chown -R "$other" /tmp/.cache
		out=$(cd "$scratch" && env -u HOME -u XDG_CACHE_HOME "$alone" --store "$scratch/st-root" run ok.scm 2>"$scratch/err1")
		ok $([ "$out" = fine ] && [ ! -e "$scratch/marker-tmp" ]; echo $?) \
			"root with HOME unset does not run another user's /tmp/.cache copy"
		diag < "$scratch/err1"
		out=$(as_user "env -u HOME -u XDG_CACHE_HOME $alone --store $scratch/st-user run ok.scm" 2>"$scratch/err2")
		ok $([ "$out" = fine ] && [ ! -e "$scratch/marker-tmp" ] &&
			[ -d "$victim_home/.cache/distill-scheme/$h" ]; echo $?) \
			"nor does an ordinary user: the copy is under the home from passwd"
		diag < "$scratch/err2"
		rm -rf /tmp/.cache
	else
		ok 0 "# skip /tmp/.cache exists already"
		ok 0 "# skip /tmp/.cache exists already"
	fi

	# 2. A group-writable cache directory at the real path, and a copy in
	# it that another user planted: refused, with the directory named.
	rm -rf "$victim_home/.cache"
	mkdir -p "$victim_home/.cache/distill-scheme"
	plant "$victim_home/.cache/distill-scheme/$h" "$scratch/marker-group"
	chown -R "$other" "$victim_home/.cache/distill-scheme"
	chown "$test_user" "$victim_home/.cache"
	chmod 775 "$victim_home/.cache"
	as_user "$alone --store $scratch/st-user run ok.scm > out3 2> err3"
	rc=$?
	ok $([ $rc = 4 ] && [ ! -e "$scratch/marker-group" ] &&
		grep -q "^distill: error: .*$victim_home/.cache is owned by uid .* another user can change" "$scratch/err3"; echo $?) \
		"a group-writable ~/.cache is refused (exit $rc), the planted copy not run"
	diag < "$scratch/err3"
	chmod 755 "$victim_home/.cache"
	as_user "$alone --store $scratch/st-user run ok.scm > out4 2> err4"
	rc=$?
	ok $([ $rc = 4 ] && [ ! -e "$scratch/marker-group" ] &&
		grep -q "distill-scheme is owned by uid" "$scratch/err4"; echo $?) \
		"a cache directory of another user is refused (exit $rc)"
	diag < "$scratch/err4"
	chmod 775 "$victim_home/.cache"
	as_user "env -u XDG_CACHE_HOME $alone gc --dry-run > out5 2> err5"
	rc=$?
	ok $([ $rc = 4 ] && grep -q "$victim_home/.cache is owned by uid" "$scratch/err5"; echo $?) \
		"the default store under a group-writable ~/.cache is refused (exit $rc)"
	diag < "$scratch/err5"
	rm -rf "$victim_home/.cache"
fi

# 3. The user's own copy, altered or half there: unpacked again, so the
# altered code never runs.
xc="$scratch/xc-$(id -u)"
XDG_CACHE_HOME="$xc" "$alone" --store "$scratch/st" run "$scratch/ok.scm" >/dev/null
plant "$xc/distill-scheme/$h" "$scratch/marker-own"
out=$(cd "$scratch" && XDG_CACHE_HOME="$xc" "$alone" --store "$scratch/st" run ok.scm 2>"$scratch/err6")
ok $([ "$out" = fine ] && [ ! -e "$scratch/marker-own" ]; echo $?) \
	"an altered copy is replaced by the built-in library, not run"
diag < "$scratch/err6"
rm "$xc/distill-scheme/$h/lib/distill/script.scm"
mkdir -p "$xc/distill-scheme/$h/go/distill" && echo x > "$xc/distill-scheme/$h/go/distill/plan.go"
out=$(cd "$scratch" && XDG_CACHE_HOME="$xc" "$alone" --store "$scratch/st" run ok.scm 2>"$scratch/err7")
ok $([ "$out" = fine ] && [ -f "$xc/distill-scheme/$h/lib/distill/script.scm" ] &&
	[ ! -e "$xc/distill-scheme/$h/go" ]; echo $?) \
	"a half copy, or one with files added (go/), is replaced"
diag < "$scratch/err7"

# 4. Guile's cache of compiled files is not loaded, even though the
# unpacked sources are older than anything in it.
if command -v guild >/dev/null; then
	src="$xc/distill-scheme/$h/lib/distill/plan.scm"
	ccache=$(guile -c '(display (basename %compile-fallback-path))')
	printf '(define-module (distill plan))\n(call-with-output-file "%s" (lambda (p) (display "planted" p)))\n' \
		"$scratch/marker-ccache" > "$scratch/evil.scm"
	guild compile -o "$xc/guile/ccache/$ccache$src.go" "$scratch/evil.scm" >/dev/null 2>&1
	out=$(cd "$scratch" && XDG_CACHE_HOME="$xc" "$alone" --store "$scratch/st" run ok.scm 2>"$scratch/err8")
	ok $([ -f "$xc/guile/ccache/$ccache$src.go" ] && [ "$out" = fine ] &&
		[ ! -e "$scratch/marker-ccache" ]; echo $?) \
		"a compiled file in Guile's cache (~/.cache/guile) is not loaded"
	diag < "$scratch/err8"
fi
done_testing
