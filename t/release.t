#!/bin/sh
# distill rebuilds itself: scripts/release.scm builds the committed source
# (git archive HEAD) in the sandbox from pinned Debian packages into an
# installable tree whose bin/distill runs on this host, evaluates a recipe
# and builds it; the binary names neither the build's path, time nor user.
# Under make check-full: a second build as another user, in another fresh
# store, is bit-identical, and the rebuilt distill builds (pkg hello).
. "$(dirname "$0")/lib.sh"

git -C "$top" rev-parse --verify -q HEAD >/dev/null ||
	{ echo "1..0 # SKIP $top is not a git checkout"; exit 0; }
mkdir -p "$scratch/debs"
cp "$top"/seed/debs/*.deb "$scratch/debs/"
chmod -R a+rX "$scratch/debs"
# The ordinary user reads the checkout, which root owns.
git_env="GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0=*"

# release N STORE: scripts/release.scm, as the user running the test, into
# STORE; its output line in rel-N.out, stderr in rel-N.err.
t0=$(date +%s)
(cd "$scratch" && DISTILL_SEED=$scratch/debs "$distill" --store "$scratch/store1" -j2 \
	run "$top/scripts/release.scm" > rel-1.out 2> rel-1.err)
rc=$?
ok $rc "scripts/release.scm builds distill from HEAD in the sandbox (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/rel-1.err" | tail -n 30 | diag
echo "release build: $(($(date +%s) - t0)) s" | diag
read -r hash1 tree1 < "$scratch/rel-1.out"
tree1=${tree1:-/nonexistent}

ok $([ -x "$tree1/bin/distill" ] && [ -f "$tree1/share/distill/lib/distill/plan.scm" ] &&
     [ -f "$tree1/share/distill/pkg/hello.scm" ] && [ -s "$tree1/share/man/man1/distill.1" ]
     echo $?) "the tree holds bin/distill, the Scheme library and the man page"

# Nothing of the build's circumstances in the binary: the host's store and
# checkout paths, the sandbox's source path (/src, mapped away), the user,
# today's date in __DATE__'s and ISO forms.  (The user, when it is root,
# is a word the binary has anyway; the check-full build as distill-test
# is the same bytes.)
built=$tree1/bin/distill
user=$(id -un); [ "$user" != root ] || user=$test_user
leaks=$(strings -a "$built" | grep -n -F -e "$scratch" -e "$top" -e /src/ -e "$user" \
	-e "$(LC_ALL=C date -u '+%b %e %Y')" -e "$(date -u +%F)"
	strings -a "$built" | grep -n -x /src)
ok $([ -f "$built" ] && [ -z "$leaks" ]; echo $?) \
	"the binary names neither the build's path, user nor date"
[ -z "$leaks" ] || echo "$leaks" | diag

# The rebuilt distill, run as it is on this host (its libraries are the
# host's), evaluates a recipe and builds it in its sandbox, as the
# ordinary user, in a store of its own.
cp -r "$tree1" "$scratch/inst"
chmod -R u+w,a+rX "$scratch/inst"
plan_script "$scratch/hello.scm" hello 'echo "hello from the rebuilt distill" > /out/hello'
as_user "$scratch/inst/bin/distill --store $scratch/store-hello build --no-link hello.scm > hello.out 2> hello.err"
rc=$?
read -r _ hello_tree < "$scratch/hello.out"
ok $([ $rc = 0 ] && grep -qx 'hello from the rebuilt distill' "${hello_tree:-/nonexistent}/hello"
     echo $?) "the rebuilt bin/distill evaluates a recipe and builds it (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$scratch/hello.err" | diag
as_user "$scratch/inst/bin/distill --version" > "$scratch/version" 2>&1
ok $? "the rebuilt bin/distill --version: $(cat "$scratch/version")"

if full_only 4 "a second release build and (pkg hello), several minutes"; then
	t0=$(date +%s)
	as_user "umask 077 && env $git_env DISTILL_SEED=$scratch/debs $distill --store $scratch/store2 -j2 \
		run $top/scripts/release.scm > rel-2.out 2> rel-2.err"
	ok $? "a second release build, as $test_user in a fresh store"
	echo "second release build: $(($(date +%s) - t0)) s" | diag
	read -r hash2 tree2 < "$scratch/rel-2.out"
	ok $([ "$hash1" = "${hash2:-}" ] && diff -r "$tree1" "${tree2:-/nonexistent}" >/dev/null
	     echo $?) "the two builds are bit-identical ($hash1 and ${hash2:-nothing})"
	cat > "$scratch/pkg-hello.scm" <<'EOS'
(import (distill base) (distill package) (pkg hello))
(map (expander (default-config 'x86_64)) (list hello))
EOS
	chmod a+r "$scratch/pkg-hello.scm"
	use_mirror
	as_user "env $mirror_env $scratch/inst/bin/distill --store $shared_store --offline -j2 \
		build --no-link pkg-hello.scm > pkg-hello.out 2> pkg-hello.err"
	[ -s "$scratch/pkg-hello.out" ] || tail -n 20 "$scratch/pkg-hello.err" | diag
	read -r _ ph < "$scratch/pkg-hello.out"
	ok $([ "$("${ph:-/nonexistent}/usr/bin/hello")" = "Hello, world!" ]; echo $?) \
		"the rebuilt distill builds (pkg hello), which greets"
fi
done_testing
