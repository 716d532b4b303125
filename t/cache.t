#!/bin/sh
# A shared build cache over HTTP (docs/cache.md), on a real server: Debian's
# nginx with WebDAV on the loopback, run by this test with its own
# configuration.  Store A pushes what it builds, signed; a fresh store B
# that trusts A's key builds nothing; a store that trusts no such key, or
# finds tampered content, builds itself and stores nothing of it; a dead
# cache, one that never answers, one that answers 500 and one that cuts
# content short cost a bounded time, once a run, and leave nothing in the
# store.  Under make check-full: hello's whole toolchain from the cache.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || { echo "1..0 # SKIP no nginx (scripts/setup-debian installs it)"; exit 0; }

start_cache
trap 'kill $ngpid 2>/dev/null; kill $hangpid 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
hangpid=

plan_script "$scratch/tree.scm" tree-out '
mkdir -p /out/bin
echo "a tree from the cache test" > /out/hello
echo "a name that is not ASCII" > "/out/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt"
ln -s hello /out/link
echo "#!/bin/sh" > /out/bin/run; chmod 755 /out/bin/run
'
plan_script "$scratch/raw.scm" raw-out 'echo raw > /out/r.txt' 'raw-output: "/r.txt"'

cd "$scratch"
# 1. A's key; A builds and pushes.
export XDG_CONFIG_HOME="$scratch/cfgA"
"$distill" key generate > "$scratch/pubA" 2> "$scratch/keyerr"
ok $? "distill key generate makes a key pair"
ok $([ "$(stat -c %a "$XDG_CONFIG_HOME/distill/signing-key")" = 600 ] &&
	grep -qxF "$(cat "$scratch/pubA")" "$XDG_CONFIG_HOME/distill/trusted-keys" &&
	grep -qxF "$(cat "$scratch/pubA")" "$XDG_CONFIG_HOME/distill/signing-key.pub"; echo $?) \
	"the secret key is 0600; the public key is in signing-key.pub and trusted-keys"
"$distill" key generate > /dev/null 2>&1
ok $([ $? = 4 ]; echo $?) "a second key generate does not replace the key (exit 4)"

"$distill" --store "$scratch/A" --cache "$cache" --cache-push build tree.scm raw.scm \
	> "$scratch/outA" 2> "$scratch/errA" < /dev/null
ok $? "store A builds and pushes"
diag "$scratch/errA"
ok $([ "$(find "$ng/root/distill/ac" -type f | wc -l)" = 2 ] &&
	[ "$(find "$ng/root/distill/cas" -type f | wc -l)" = 2 ]; echo $?) \
	"the server holds two records and two contents"

# 2. A fresh store B that trusts A's key builds nothing.
mkdir -p "$scratch/cfgB/distill"
cp "$scratch/pubA" "$scratch/cfgB/distill/trusted-keys"
export XDG_CONFIG_HOME="$scratch/cfgB"
"$distill" --store "$scratch/B" --cache "$cache" -n build tree.scm raw.scm > "$scratch/dryB" 2>&1
ok $([ "$(grep -c ' (from a cache)$' "$scratch/dryB")" = 2 ]; echo $?) \
	"-n says both plans would come from the cache"
DISTILL_CACHE="http://127.0.0.1:1/nothing $cache" "$distill" --store "$scratch/B" \
	build tree.scm raw.scm > "$scratch/outB" 2> "$scratch/errB"
ok $? "store B builds the same targets (DISTILL_CACHE, a dead cache first)"
diag "$scratch/errB"
cut -d' ' -f1 "$scratch/outA" > "$scratch/hA"
cut -d' ' -f1 "$scratch/outB" > "$scratch/hB"
cmp -s "$scratch/hA" "$scratch/hB"
ok $? "with the same output hashes"
! grep -q '^building' "$scratch/errB" && [ "$(grep -c '^fetched' "$scratch/errB")" = 2 ]
ok $? "nothing was built in B: both outputs fetched"
tree=$(sed -n 1p "$scratch/outB" | cut -d' ' -f2)
ok $([ "$(cat "$tree/hello")" = "a tree from the cache test" ] && [ -L "$tree/link" ] &&
	[ -x "$tree/bin/run" ] && [ -f "$tree/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt" ]; echo $?) \
	"the fetched tree is the tree, link, modes and a name that is not ASCII too"
"$distill" --store "$scratch/B" fsck > "$scratch/fsckB" 2>&1
ok $? "store B passes fsck"
ok $([ "$(grep -c 'not asked again' "$scratch/errB")" = 1 ]; echo $?) \
	"the dead cache is said once"

# 3. Signed by a key B does not trust: ignored, built here.
export XDG_CONFIG_HOME="$scratch/cfgC"
"$distill" key generate > /dev/null 2>&1
"$distill" -v --store "$scratch/C" --cache "$cache" build tree.scm > "$scratch/outC" 2> "$scratch/errC"
ok $? "store C, trusting another key only, builds"
grep -q '^building tree-out' "$scratch/errC" && grep -q 'signed by no key of trusted-keys' "$scratch/errC"
ok $? "the untrusted record is ignored (said with -v) and the plan built"
[ "$(cut -d' ' -f1 "$scratch/outC")" = "$(sed -n 1p "$scratch/hA")" ]
ok $? "to the same output"

# 4. Tampered content on the server: refused, nothing stored, built here.
export XDG_CONFIG_HOME="$scratch/cfgB"
rawcas=$(grep -l . $(find "$ng/root/distill/cas" -type f) | while read -r f; do
	[ "$(cat "$f")" = raw ] && echo "$f"; done)
echo forged > "$rawcas"
# The tree's record keeps its signature, but its (unsigned) cas line now
# names another tree's archive, whose bytes match that line.
mkdir -p "$scratch/forged/bin" && echo forged > "$scratch/forged/hello"
tar -C "$scratch/forged" -cf "$scratch/forged.tar" .
fsha=$(sha256sum "$scratch/forged.tar" | cut -d' ' -f1)
cp "$scratch/forged.tar" "$ng/root/distill/cas/$fsha"
treerec=$(grep -l '^tree ' $(find "$ng/root/distill/ac" -type f))
sed -i "s/^cas .*/cas $fsha $(stat -c %s "$scratch/forged.tar")/" "$treerec"
"$distill" --store "$scratch/D" --cache "$cache" build tree.scm raw.scm > "$scratch/outD" 2> "$scratch/errD"
ok $? "store D builds though the cache's content is tampered with"
diag "$scratch/errD"
[ "$(grep -c 'refused, nothing stored' "$scratch/errD")" = 2 ] &&
	[ "$(grep -c '^building' "$scratch/errD")" = 2 ]
ok $? "both contents are refused and both plans built"
forged=$(printf 'forged\n' | "$distill" sum | cut -d' ' -f1)
ftree=$(sed -n 's/.*its content is \([^ ]*\), not the tree.*/\1/p' "$scratch/errD")
ok $([ -n "$ftree" ] && [ ! -e "$scratch/D/trees/$ftree" ] && [ ! -e "$scratch/D/blobs/$forged" ] &&
	[ -z "$(ls "$scratch/D/tmp")" ]; echo $?) \
	"nothing of it is in the store"
cut -d' ' -f1 "$scratch/outD" | cmp -s - "$scratch/hA"
ok $? "the outputs are those of the build"

# 5. A dead cache (a closed port) and one that accepts and never answers:
# one bounded delay a run, and the build succeeds.  distill push, whose
# job is the upload, fails on the dead one and says how far it got.
dead=$(free_port)
XDG_CONFIG_HOME=$scratch/cfgA "$distill" --store "$scratch/A" --cache "http://127.0.0.1:$dead" push tree.scm \
	> /dev/null 2> "$scratch/errP"
rc=$?
ok $([ $rc = 1 ] && grep -q 'pushed 0 of the 1 plans the targets need: the caches took no more' "$scratch/errP" &&
	grep -q 'not asked again' "$scratch/errP"; echo $?) "distill push to a dead cache fails, saying so (exit $rc)"
diag "$scratch/errP"
XDG_CONFIG_HOME=$scratch/cfgA "$distill" --store "$scratch/A" --cache "$cache" push tree.scm raw.scm > /dev/null 2> "$scratch/errP2"
rc=$?
ok $([ $rc = 0 ] && grep -qx 'pushed tree-out' "$scratch/errP2" && grep -qx 'pushed raw-out' "$scratch/errP2"; echo $?) \
	"distill push of what the store holds says each plan it pushed (exit $rc)"
diag "$scratch/errP2"
t0=$(date +%s)
"$distill" --store "$scratch/E" --cache "http://127.0.0.1:$dead" build tree.scm raw.scm \
	> /dev/null 2> "$scratch/errE"
ok $? "a build with a dead cache succeeds"
ok $([ "$(grep -c 'not asked again' "$scratch/errE")" = 1 ] && [ $(($(date +%s) - t0)) -lt 60 ]; echo $?) \
	"the dead cache is said once, and costs no time to speak of"
hang=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$hang" &
hangpid=$!
sleep 0.5
t0=$(date +%s)
DISTILL_CACHE_TIMEOUT=2 "$distill" --store "$scratch/F" --cache "http://127.0.0.1:$hang" \
	build tree.scm raw.scm > /dev/null 2> "$scratch/errF"
ok $? "a build with a cache that never answers succeeds"
took=$(($(date +%s) - t0))
ok $([ "$(grep -c 'not asked again' "$scratch/errF")" = 1 ] && [ $took -lt 60 ]; echo $?) \
	"the silent cache is said once and skipped after (took ${took} s)"
diag "$scratch/errF"
kill $hangpid

# 6. As an ordinary user: a fresh store that trusts A fetches.
rm -rf "$ng/root/distill"
XDG_CONFIG_HOME="$scratch/cfgA" "$distill" --store "$scratch/A2" --cache "$cache" --cache-push \
	build tree.scm raw.scm > /dev/null 2> "$scratch/errA2"
ok $? "A pushes again from a fresh store of its own"
diag "$scratch/errA2"
chmod a+r "$scratch/pubA"
as_user "mkdir -p cfgU/distill && cp pubA cfgU/distill/trusted-keys &&
	XDG_CONFIG_HOME=$scratch/cfgU $distill --store $scratch/U --cache $cache build tree.scm raw.scm > outU 2> errU"
ok $? "an ordinary user's fresh store builds the targets"
diag "$scratch/errU"
! grep -q '^building' "$scratch/errU" && cut -d' ' -f1 "$scratch/outU" | cmp -s - "$scratch/hA"
ok $? "from the cache, with the same hashes"

# 7. A cache that answers 500, and one whose content is cut short (its
# Content-Length promises more than it sends): said once, not asked
# again, nothing partial stored, and the build succeeds.
mkdir -p "$scratch/www"
cp $(find "$ng/root/distill" -type f) "$scratch/www/"
python3 "$top/t/httpd.py" "$scratch/www" "$scratch/port" "$scratch/requests" &
hangpid=$!
for i in $(seq 50); do [ -s "$scratch/port" ] && break; sleep 0.1; done
hport=$(cat "$scratch/port")
export XDG_CONFIG_HOME="$scratch/cfgB"
for mode in fail short; do
	: > "$scratch/requests"
	"$distill" --store "$scratch/S$mode" --cache "http://127.0.0.1:$hport/$mode" \
		build tree.scm raw.scm > "$scratch/out$mode" 2> "$scratch/err$mode"
	ok $? "a build with a cache that answers '$mode' succeeds"
	diag "$scratch/err$mode"
	ok $([ "$(grep -c 'not asked again' "$scratch/err$mode")" = 1 ] &&
		[ "$(grep -c '^building' "$scratch/err$mode")" = 2 ] &&
		! grep -q '^fetched' "$scratch/err$mode"; echo $?) \
		"'$mode': the cache is said once and both plans are built here"
	ok $([ "$(wc -l < "$scratch/requests")" -le 4 ]; echo $?) \
		"'$mode': the cache is not asked again ($(wc -l < "$scratch/requests") requests)"
	cut -d' ' -f1 "$scratch/out$mode" | cmp -s - "$scratch/hA" &&
		[ -z "$(ls "$scratch/S$mode/tmp")" ] &&
		[ "$(ls "$scratch/S$mode/trees" | wc -l)" = "$(ls "$scratch/A2/trees" | wc -l)" ] &&
		[ "$(ls "$scratch/S$mode/blobs" | wc -l)" = "$(ls "$scratch/A2/blobs" | wc -l)" ]
	ok $? "'$mode': the outputs are the build's, and nothing partial is in the store"
done
kill $hangpid

# 8. hello's whole toolchain (the seed, musl from source, gcc's wrapper,
# hello) built and pushed by one store, then taken by a fresh store with
# no local build and the same hash.  Minutes: it builds musl.
if full_only 5 "hello and its toolchain through the cache (builds musl)"; then
	use_mirror
	cp -r "$top/pkg" "$scratch/pkg"
	cat > "$scratch/hello.scm" <<'EOS'
(import (distill base) (distill package) (pkg hello))
(map (expander (default-config 'x86_64)) (list hello))
EOS
	export XDG_CONFIG_HOME="$scratch/cfgA"
	env $mirror_env "$distill" --store "$scratch/H1" --cache "$cache" --cache-push -j2 \
		build hello.scm > "$scratch/outH1" 2> "$scratch/errH1"
	ok $? "store H1 builds hello with its toolchain and pushes it ($(grep -c '^built ' "$scratch/errH1") plans)"
	export XDG_CONFIG_HOME="$scratch/cfgB"
	env $mirror_env "$distill" --store "$scratch/H2" --cache "$cache" -j2 \
		build hello.scm > "$scratch/outH2" 2> "$scratch/errH2"
	ok $? "a fresh store H2 builds hello from the cache"
	grep -v '^;;;' "$scratch/errH2" | grep -v '^fetched' | diag
	! grep -q '^building' "$scratch/errH2" && grep -q '^fetched' "$scratch/errH2"
	ok $? "with zero local builds ($(grep -c '^fetched' "$scratch/errH2") plans fetched)"
	[ -s "$scratch/outH1" ] && [ "$(cut -d' ' -f1 "$scratch/outH1")" = "$(cut -d' ' -f1 "$scratch/outH2")" ]
	ok $? "and the same output hash"
fi

done_testing
