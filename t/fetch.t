#!/bin/sh
# Pinned sources: mirrors, mismatches, offline builds, HTTP with redirects
# and retries, sha256 pins, the fetch hook, distill fetch and list sources.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
mkdir -p "$scratch/www" "$scratch/mirror"
printf 'the source, version 1\n' > "$scratch/www/src.txt"
pin=$("$distill" sum "$scratch/www/src.txt" | cut -d' ' -f1)
sha=$("$distill" sum "$scratch/www/src.txt" | cut -d' ' -f2)
cp "$scratch/www/src.txt" "$scratch/mirror/src.txt"

start_httpd

# script NAME URL PIN: a plan that copies the remote file to /out.
script() {
	cat > "$scratch/$1.scm" <<EOS
(import (distill plan))
(make-plan name: "$1"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (remote-file "$2" "$3" "/src.txt" #o644)
                (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox cp /src.txt /out/\n")))
EOS
}

# 1. From a mirror directory, offline: the origin is never asked.
script m "https://origin.invalid/dist/src.txt" "$pin"
"$distill" --store "$st" list sources "$scratch/m.scm" > "$scratch/list"
ok $([ "$(cat "$scratch/list")" = "$pin https://origin.invalid/dist/src.txt" ]; echo $?) \
	"list sources prints the pin and the URL"
DISTILL_MIRRORS="$scratch/mirror" "$distill" --store "$st" --offline build "$scratch/m.scm" > "$scratch/out" 2> "$scratch/err"
ok $? "offline, a source comes from a mirror directory"
ok $(cmp -s "$(cut -d' ' -f2 "$scratch/out")/src.txt" "$scratch/www/src.txt"; echo $?) "with the right bytes"

# 1b. The sources in the current directory: DISTILL_MIRRORS=. (a mirror
# directory relative to the current directory, not a host name), and
# (distill fetch)'s user-fetch-hook with symlink-from-directory.
(cd "$scratch/mirror" && DISTILL_MIRRORS=. "$distill" --store "$scratch/store-dot" --offline \
	build "$scratch/m.scm" > "$scratch/out" 2> "$scratch/err")
ok $? "DISTILL_MIRRORS=. serves the sources in the current directory"
diag < "$scratch/err"
{ echo '(import (distill plan) (distill fetch))'
  echo '(user-fetch-hook (symlink-from-directory "."))'
  sed 1d "$scratch/m.scm"; } > "$scratch/mirror/here.scm"
(cd "$scratch/mirror" && "$distill" --store "$scratch/store-here" --offline \
	build here.scm > "$scratch/out" 2> "$scratch/err")
ok $([ $? = 0 ] && cmp -s "$(cut -d' ' -f2 "$scratch/out")/src.txt" "$scratch/www/src.txt"; echo $?) \
	"user-fetch-hook with symlink-from-directory \".\" takes the source from the current directory"
diag < "$scratch/err"
rm "$scratch/mirror/here.scm"

# 2. A mirror file altered by one byte: the documented error, nothing stored.
st2="$scratch/store2"
printf 'the source, version 2\n' > "$scratch/mirror/src.txt"
DISTILL_MIRRORS="$scratch/mirror" TMPDIR="$scratch" "$distill" --store "$st2" --offline build "$scratch/m.scm" > /dev/null 2> "$scratch/err"
rc=$?
bad=$("$distill" sum "$scratch/mirror/src.txt" | cut -d' ' -f1)
ok $([ $rc = 1 ] && grep -q "pin $pin, but what arrived is $bad" "$scratch/err" &&
	grep -q "https://origin.invalid/dist/src.txt" "$scratch/err" && grep -q '22 bytes' "$scratch/err" &&
	grep -q "kept at $scratch/distill-mismatch-$bad" "$scratch/err"; echo $?) \
	"a mismatch names the URL, the pin, what arrived, its size and where it was kept"
diag < "$scratch/err"
ok $([ -e "$scratch/distill-mismatch-$bad" ] && [ -z "$(ls "$st2/blobs" | grep -v -F -x -e "$(ls "$st/blobs")")" ] &&
	[ ! -e "$st2/blobs/$bad" ] && [ -z "$(ls -A "$st2/tmp")" ] && [ -z "$(ls "$st2/trees")" ]; echo $?) \
	"the bad file is kept aside and nothing of it is stored"
cp "$scratch/www/src.txt" "$scratch/mirror/src.txt"
DISTILL_MIRRORS="$scratch/mirror" "$distill" --store "$st2" --offline build "$scratch/m.scm" > /dev/null 2>&1
ok $? "with the file restored the build succeeds"

# 3. Offline without the file: named as missing, no connection opened.
script h "http://127.0.0.1:$port/files/src.txt" "$pin"
: > "$scratch/requests"
"$distill" --store "$scratch/store3" --offline build "$scratch/h.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q "http://127.0.0.1:$port/files/src.txt: not fetched: --offline" "$scratch/err" &&
	[ ! -s "$scratch/requests" ]; echo $?) "--offline names what is missing and opens no connection"

# 4. Over HTTP; then `distill fetch` makes an offline build possible.
"$distill" --store "$scratch/store3" fetch "$scratch/h.scm" > /dev/null 2>&1
ok $? "distill fetch over HTTP"
"$distill" --store "$scratch/store3" --offline build "$scratch/h.scm" > /dev/null 2>&1
ok $? "then the build runs offline"
: > "$scratch/requests"
"$distill" --store "$scratch/store3" build "$scratch/h.scm" > /dev/null 2>&1
ok $([ ! -s "$scratch/requests" ]; echo $?) "a source in the store is not fetched again"

# 5. Redirects, a transient 503 retried, and a sha256 pin.
script r "http://127.0.0.1:$port/redirect/src.txt" "$pin"
"$distill" --store "$scratch/store4" build "$scratch/r.scm" > /dev/null 2>&1
ok $? "a redirect is followed"
script f "http://127.0.0.1:$port/flaky/src.txt" "$sha"
: > "$scratch/requests"
"$distill" --store "$scratch/store5" build "$scratch/f.scm" > "$scratch/out5" 2> "$scratch/err"
ok $([ $? = 0 ] && [ "$(grep -c flaky "$scratch/requests")" = 2 ]; echo $?) \
	"a 503 is retried, and a sha256 pin is checked"
"$distill" --store "$scratch/store5" --offline build "$scratch/f.scm" > "$scratch/out5b" 2>&1
ok $? "a sha256-pinned source found again in the store, offline"

# 6. A 404 at the origin: clear error, exit 1.
script n "http://127.0.0.1:$port/files/nothing.txt" "$pin"
"$distill" --store "$scratch/store6" build "$scratch/n.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q 'cannot fetch http://127.0.0.1:.*/files/nothing.txt' "$scratch/err"; echo $?) \
	"a missing source is an error naming it"

# 7. The fetch hook supplies a URL when the origin is unreachable.
cat > "$scratch/hook.scm" <<EOS
(import (distill plan))
(fetch-hook (lambda (url pin) (list "http://127.0.0.1:$port/files/src.txt")))
(make-plan name: "hooked"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (remote-file "http://127.0.0.1:1/unreachable/src.txt" "$pin" "/src.txt" #o644)
                (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox cp /src.txt /out/\n")))
EOS
"$distill" --store "$scratch/store7" build "$scratch/hook.scm" > /dev/null 2> "$scratch/err"
ok $? "the fetch hook's URL is used"
diag < "$scratch/err"

# 7b. mirror://NAME/PATH: PATH on the base URLs of $DISTILL_MIRROR_NAME
# (for debian, else apt's Debian archives); none known: the error says so.
script deb "mirror://debian/pool/main/s/src/src.txt" "$pin"
DISTILL_MIRROR_DEBIAN="http://127.0.0.1:$port/files/" "$distill" --store "$scratch/store7b" \
	build "$scratch/deb.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 0 ] && grep -q '^/files/pool/main/s/src/src.txt$' "$scratch/requests"; echo $?) \
	"a mirror://debian URL is fetched from \$DISTILL_MIRROR_DEBIAN"
script nob "mirror://nobody/src2.txt" "$pin"
"$distill" --store "$scratch/store7c" build "$scratch/nob.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q "mirror://nobody/src2.txt: no base URL known for its mirror: set DISTILL_MIRROR_NOBODY to" "$scratch/err"; echo $?) \
	"a mirror with no base URL: the error says which variable to set"
diag < "$scratch/err"

# 7c. A mismatch is kept owner-only (mode 0600) whatever the umask, from a
# private file:// source and over HTTP, moved on this file system or
# copied to another (/dev/shm); in a shared $TMPDIR, a symlink another
# user planted at its name is neither followed nor replaced.
shm=$(mktemp -d /dev/shm/distill-fetch.XXXXXX)
trap 'kill $httpd 2>/dev/null; rm -rf "$shm"; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/shared" "$scratch/user"
chmod 1777 "$shm" "$scratch/shared" "$scratch/user"
printf 'private, not the source\n' > "$scratch/private.txt"
chmod 600 "$scratch/private.txt"
priv=$("$distill" sum "$scratch/private.txt" | cut -d' ' -f1)
script p "file://$scratch/private.txt" "$pin"
printf 'served, not the source\n' > "$scratch/www/other.txt"
served=$("$distill" sum "$scratch/www/other.txt" | cut -d' ' -f1)
script o "http://127.0.0.1:$port/files/other.txt" "$pin"
# aside SCRIPT TMPDIR: build it (a mismatch) with umask 022; prints the
# path it was kept at.
aside() {
	(umask 022 && TMPDIR=$2 "$distill" --store "$scratch/store9" build "$scratch/$1.scm") \
		> /dev/null 2> "$scratch/err"
	[ $? = 1 ] && sed -n 's/.*; kept at \(.*\); nothing was stored$/\1/p' "$scratch/err" | head -n 1
}
for d in "$scratch/shared" "$shm"; do
	kept=$(aside p "$d")
	ok $([ "$kept" = "$d/distill-mismatch-$priv" ] && [ "$(stat -c %a "$kept")" = 600 ]; echo $?) \
		"a mismatch from a private file:// source is kept with mode 0600 in $d"
	kept=$(aside o "$d")
	ok $([ "$kept" = "$d/distill-mismatch-$served" ] && [ "$(stat -c %a "$kept")" = 600 ]; echo $?) \
		"a mismatch over HTTP is kept with mode 0600 in $d"
done
as_user "umask 022 && TMPDIR=$scratch/user $distill --store $scratch/store9u build $scratch/o.scm" > /dev/null 2>&1
ok $([ "$(stat -c '%a %U' "$scratch/user/distill-mismatch-$served")" = "600 $test_user" ]; echo $?) \
	"so it is for an ordinary user"
printf 'precious\n' > "$scratch/victim"
for d in "$scratch/shared" "$shm"; do
	rm -f "$d/distill-mismatch-$served"
	as_user "ln -s $scratch/victim $d/distill-mismatch-$served"
	kept=$(aside o "$d")
	ok $([ "$(cat "$scratch/victim")" = precious ] && [ -L "$d/distill-mismatch-$served" ] &&
		[ "$(readlink "$d/distill-mismatch-$served")" = "$scratch/victim" ] &&
		case $kept in "$d/distill-mismatch-$served".??????) true;; *) false;; esac &&
		[ "$(stat -c %a "$kept")" = 600 ] && cmp -s "$kept" "$scratch/www/other.txt"; echo $?) \
		"a symlink planted at the name in $d is left alone; the mismatch is kept beside it"
done
[ -z "$(ls "$scratch/store9/blobs" | grep -v -F -x -e "$(ls "$st/blobs")")" ]
ok $? "nothing of the mismatches is stored"

# 7d. A download has a deadline and a size cap: a body trickling forever
# ends at $DISTILL_FETCH_TIMEOUT, an endless one at $DISTILL_FETCH_MAX_SIZE,
# an announced Content-Length beyond the cap before its body, and a pin
# fetched before (its size recorded, kept by gc) at exactly that size.
# Each is an error (exit 1) naming the URL and the limit; nothing is
# stored.  (`timeout` only tells "stopped" from "never ends".)
# limited NAME URL STORE [VAR=VALUE...]: a build of URL that must fail.
limited() {
	name=$1 url=$2 store=$3
	shift 3
	script "$name" "$url" "$sha"
	t0=$(date +%s)
	env "$@" timeout 60 "$distill" --store "$store" build "$scratch/$name.scm" > /dev/null 2> "$scratch/err"
	rc=$?
	echo "$url: exit $rc after $(($(date +%s) - t0)) s" | diag
	[ $rc = 1 ] && [ -z "$(ls "$store/blobs" | grep -v -F -x -e "$(ls "$st/blobs")")" ] &&
		[ -z "$(ls -A "$store/tmp")" ] &&
		[ "$(grep -c "^  $url: .*: stopped; " "$scratch/err")" = 1 ]
}
limited t "http://127.0.0.1:$port/trickle/src.txt" "$scratch/store10" DISTILL_FETCH_TIMEOUT=3
ok $([ $? = 0 ] && grep -q ': not done after 3 s, the deadline of a download: stopped; .* set DISTILL_FETCH_TIMEOUT' "$scratch/err"; echo $?) \
	"a body trickling forever is stopped at the deadline"
diag < "$scratch/err"
limited e "http://127.0.0.1:$port/endless/src.txt" "$scratch/store10" DISTILL_FETCH_MAX_SIZE=1M
ok $([ $? = 0 ] && grep -q ': more than 1048576 bytes, the most a download may be: stopped; .* set DISTILL_FETCH_MAX_SIZE' "$scratch/err"; echo $?) \
	"an endless body is stopped at the size cap"
limited g "http://127.0.0.1:$port/huge/src.txt" "$scratch/store10"
ok $([ $? = 0 ] && grep -q ': more than 8589934592 bytes, the most a download may be' "$scratch/err"; echo $?) \
	"a Content-Length beyond the default cap (8 GiB) is refused before the body"
script s "http://127.0.0.1:$port/files/src.txt" "$sha"
"$distill" --store "$scratch/store11" fetch "$scratch/s.scm" > /dev/null 2>&1 &&
	"$distill" --store "$scratch/store11" gc > /dev/null 2>&1
limited k "http://127.0.0.1:$port/endless/src.txt" "$scratch/store11"
ok $([ $? = 0 ] && grep -q ': more than 22 bytes, the size of the pinned content when it was fetched before: stopped' "$scratch/err"; echo $?) \
	"a pin fetched before (then collected) is capped at its recorded size"
diag < "$scratch/err"
mkdir -p "$scratch/fifo-mirror" && mkfifo "$scratch/fifo-mirror/src.txt"
DISTILL_MIRRORS="$scratch/fifo-mirror" timeout 60 "$distill" --store "$scratch/store12" --offline \
	build "$scratch/m.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q "fifo-mirror/src.txt: not a regular file" "$scratch/err"; echo $?) \
	"a FIFO in a mirror directory is refused, not read forever"
DISTILL_FETCH_TIMEOUT=soon timeout 60 "$distill" --store "$scratch/store11" build "$scratch/s.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q 'DISTILL_FETCH_TIMEOUT=soon: expected a number of seconds' "$scratch/err"; echo $?) \
	"a malformed limit is named"
"$distill" --store "$scratch/store11" fsck > /dev/null 2> "$scratch/err"
ok $? "a store with size records is consistent"
diag < "$scratch/err"

# 9. Several sources are fetched at once: at most 4 to one host, and
# $DISTILL_FETCH_JOBS at once in all; one that fails is named, the others
# are still fetched.
for i in 1 2 3 4 5 6; do printf 'source %s\n' $i > "$scratch/www/s$i.txt"; done
many() { # many NAME URL-KIND...: a plan with one source per KIND (s1.txt...)
	name=$1; shift
	{
		echo '(import (distill plan))'
		echo "(make-plan name: \"$name\" inputs: (list (local-archive \"$scratch/busybox.deb\")"
		i=0
		for kind; do
			i=$((i + 1))
			echo "  (remote-file \"http://127.0.0.1:$port/$kind/s$i.txt\" \"$("$distill" sum "$scratch/www/s$i.txt" | cut -d' ' -f1)\" \"/s$i.txt\" #o644)"
		done
		echo '  (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox cat /s*.txt > /out/all\n")))'
	} > "$scratch/$name.scm"
}
at_once() { grep '^at once ' "$scratch/requests" | cut -d' ' -f3 | sort -n | tail -n 1; }
many par slow slow slow slow slow slow
: > "$scratch/requests"
"$distill" --store "$scratch/store13" fetch "$scratch/par.scm" > /dev/null 2> "$scratch/err"
rc=$? most=$(at_once)
ok $([ $rc = 0 ] && [ "$most" -ge 2 ] && [ "$most" -le 4 ] &&
	[ "$(grep -c '^/slow/' "$scratch/requests")" = 6 ]; echo $?) \
	"six sources from one host: fetched at once, at most 4 at a time (exit $rc, $most at once)"
diag < "$scratch/err"
: > "$scratch/requests"
DISTILL_FETCH_JOBS=1 "$distill" --store "$scratch/store14" fetch "$scratch/par.scm" > /dev/null 2> "$scratch/err"
rc=$? most=$(at_once)
ok $([ $rc = 0 ] && [ "$most" = 1 ]; echo $?) "DISTILL_FETCH_JOBS=1: one at a time (exit $rc, $most at once)"
many parfail slow fail slow slow
: > "$scratch/requests"
"$distill" --store "$scratch/store15" fetch "$scratch/parfail.scm" > /dev/null 2> "$scratch/err"
rc=$?
ok $([ $rc = 1 ] && grep -q "cannot fetch http://127.0.0.1:$port/fail/s2.txt" "$scratch/err" &&
	[ "$(grep -c '^/slow/' "$scratch/requests")" = 3 ]; echo $?) \
	"one source failing among four: exit $rc, it is named, the other three are fetched"
diag < "$scratch/err"
: > "$scratch/requests"
"$distill" --store "$scratch/store15" fetch "$scratch/parfail.scm" > /dev/null 2>&1
ok $([ $? = 1 ] && ! grep -q '^/slow/' "$scratch/requests" && grep -q '^/fail/s2.txt' "$scratch/requests"; echo $?) \
	"and kept: the next run asks only for the one that failed"
DISTILL_FETCH_JOBS=many "$distill" --store "$scratch/store16" fetch "$scratch/par.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 1 ] && grep -q 'DISTILL_FETCH_JOBS=many: expected a positive whole number' "$scratch/err"; echo $?) \
	"a malformed DISTILL_FETCH_JOBS is named"
diag < "$scratch/err"

# 8. A malformed pin is a recipe error at its place.
script bad "https://origin.invalid/x" "not-a-pin"
"$distill" --store "$scratch/store8" build "$scratch/bad.scm" > /dev/null 2> "$scratch/err"
ok $([ $? = 3 ] && grep -q "bad.scm:4:[0-9]*: error: malformed pin \"not-a-pin\"" "$scratch/err"; echo $?) \
	"a malformed pin: file:line:col and exit 3"
diag < "$scratch/err"
"$distill" --store "$st" fsck > /dev/null 2>&1
ok $? "the store is consistent"
done_testing
