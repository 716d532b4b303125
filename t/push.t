#!/bin/sh
# distill push, and a shared cache with real packages (docs/cache.md): the
# ordinary user pushes the example system's packages and hello, with their
# whole toolchain (seed, musl, the compiler's wrapper), from the run's
# shared store (where t/guide.t and the package tests built them) to
# Debian's nginx with WebDAV on the loopback; then a fresh store, run by
# root and trusting that user's key, gets every one of them from the
# cache with zero local builds and the same output hashes.  push refuses
# to run without a cache.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || { echo "1..0 # SKIP no nginx (scripts/setup-debian installs it)"; exit 0; }

start_cache
use_mirror
cp -r "$top/pkg" "$scratch/pkg"
cat > "$scratch/pkgs.scm" <<'EOS'
(import (distill base) (distill package)
        (pkg hello) (pkg openssh) (pkg chrony) (pkg dhcpcd) (pkg wget) (pkg ca-certs))
(map (expander (default-config 'x86_64))
     (list hello busybox-core openssh chrony dhcpcd wget ca-certs))
EOS
mkdir -p "$scratch/cfgU"
chmod -R a+rwX "$scratch/cfgU"
chmod -R a+rX "$scratch"
u="XDG_CONFIG_HOME=$scratch/cfgU $mirror_env"

as_user "$u $distill --store $shared_store push pkgs.scm > out-nocache 2> err-nocache"
rc=$?
ok $([ $rc = 2 ] && grep -q 'push uploads to a cache: name one with --cache URL or DISTILL_CACHE' \
	"$scratch/err-nocache"; echo $?) "push without a cache is refused (exit $rc), naming the option"

as_user "$u $distill key generate > pubU 2> keyerr"
ok $? "the ordinary user makes a signing key"

t0=$(date +%s)
as_user "$u $distill --store $shared_store -j2 --cache $cache push pkgs.scm > outU 2> errU"
ok $? "the user pushes the packages and everything they need from the shared store"
built=$(grep -c '^building ' "$scratch/errU")
pushed=$(grep -c '^pushed ' "$scratch/errU")
echo "push: $pushed plans pushed, $built built first, $(($(date +%s) - t0)) s" | diag
grep -v '^;;;' "$scratch/errU" | grep -v '^pushed \|^built \|^building ' | tail -n 20 | diag
ok $([ "$pushed" -gt 7 ] && [ "$(find "$scratch/nginx/root/distill/ac" -type f | wc -l)" = "$pushed" ] &&
	grep -q '^pushed seed$' "$scratch/errU" && grep -q '^pushed musl-1.2.3$' "$scratch/errU" &&
	grep -q '^pushed openssh-' "$scratch/errU"; echo $?) \
	"every plan is pushed once, the seed and musl among them, and the server holds a record for each"

mkdir -p "$scratch/cfgB/distill"
cat "$scratch/pubU" > "$scratch/cfgB/distill/trusted-keys"
t0=$(date +%s)
XDG_CONFIG_HOME=$scratch/cfgB env $mirror_env "$distill" --store "$scratch/fresh" -j2 --cache "$cache" \
	build --no-link "$scratch/pkgs.scm" > "$scratch/outB" 2> "$scratch/errB"
ok $? "a fresh store that trusts the user's key builds the set"
echo "from the cache: $(grep -c '^fetched ' "$scratch/errB") plans in $(($(date +%s) - t0)) s" | diag
grep -v '^;;;' "$scratch/errB" | grep -v '^fetched ' | tail -n 20 | diag
ok $(! grep -q '^building ' "$scratch/errB" &&
	[ "$(grep -c '^fetched ' "$scratch/errB")" = "$pushed" ]; echo $?) \
	"with zero local builds: every plan fetched from the cache"
ok $([ -s "$scratch/outU" ] && [ "$(cut -d ' ' -f 1 "$scratch/outU")" = "$(cut -d ' ' -f 1 "$scratch/outB")" ]; echo $?) \
	"the same output hashes as the user's store"
hello=$(sed -n '1s/^[^ ]* //p' "$scratch/outB")
ok $("${hello:-/nonexistent}/usr/bin/hello" | grep -qx 'Hello, world!'; echo $?) "hello from the cache runs"

done_testing
