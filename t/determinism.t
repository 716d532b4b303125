#!/bin/sh
# One plan whose /build writes files in a random order, with random mtimes
# and modes set through random umasks, gives the same output hash in two
# fresh stores under different users, umasks, time zones and store paths.
. "$(dirname "$0")/lib.sh"

plan_script "$scratch/random.scm" random '
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
names="alpha beta gamma delta epsilon zeta eta theta iota kappa"
# a random order: tag each name with a random key and sort
order=$(for n in $names; do echo "$(rand 1000) $n"; done | sort -n | cut -d" " -f2)
mkdir -p /out/d/sub
for n in $order; do
	umask 0$(rand 8)$(rand 8)$(rand 8)
	echo "content of $n" > /out/d/$n
	# a+x: a bare +x obeys the umask, which is random here
	[ $n = zeta ] && chmod a+x /out/d/$n
	touch -d "@$(rand 2000000000)" /out/d/$n
	mkdir -p /out/d/sub/$n
done
umask 022
ln /out/d/alpha /out/d/alpha-hardlink
ln -s alpha /out/d/alpha-symlink
chmod 600 /out/d/beta
chmod 0 /out/d/gamma
dd if=/dev/zero of=/out/sparse bs=1 count=1 seek=1048576 2>/dev/null
'
cp "$scratch/random.scm" "$scratch/random2.scm"; chmod a+r "$scratch/random2.scm"

# Store A: the invoking user (root in CI), umask 077, Tokyo time, one path.
(umask 077; TZ=Asia/Tokyo "$distill" --store "$scratch/a/store-one" build "$scratch/random.scm" > "$scratch/outa" 2> "$scratch/erra")
ok $? "first build"
# Store B: an ordinary user, umask 002, New York time, another path, -j1.
as_user "umask 002; TZ=America/New_York $distill -j1 --store $scratch/b/elsewhere/store-two build random2.scm > outb 2> errb"
ok $? "second build, elsewhere, by someone else"
ha=$(cut -d' ' -f1 "$scratch/outa") hb=$(cut -d' ' -f1 "$scratch/outb")
ok $([ -n "$ha" ] && [ "$ha" = "$hb" ]; echo $?) "both give the same output hash ($ha)"

# The same plan, whoever evaluates it ...
pa=$(sed -n 's/^building random //p' "$scratch/erra") pb=$(sed -n 's/^building random //p' "$scratch/errb")
ok $([ -n "$pa" ] && [ "$pa" = "$pb" ]; echo $?) "and the plan hashes agree too"
# ... and a third build in store A (forced by `again`) agrees with the first.
"$distill" --store "$scratch/a/store-one" again "$pa" > "$scratch/again" 2>&1
ok $? "a rebuild in store A (distill again) yields the same bytes"
o=$(cut -d' ' -f2 "$scratch/outa")
ok $([ "$(stat -c %a "$o/d/gamma")" = 444 ] && [ "$(stat -c %a "$o/d/zeta")" = 555 ] &&
	[ "$(stat -c %h "$o/d/alpha")" = 1 ] && [ "$(stat -c %Y "$o/d/beta")" = 0 ]; echo $?) \
	"the stored output is normalised: modes from the x bit, no hard links, mtime 0"
done_testing
