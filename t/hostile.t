#!/bin/sh
# Hostile archives used as plan inputs are refused with a message naming
# the member, and nothing outside the store changes.
. "$(dirname "$0")/lib.sh"

st="$scratch/store"
victim="$scratch/victim"     # what the archives aim at
mkdir -p "$victim" && echo original > "$victim/target" && chmod -R a+rwX "$victim"

python3 - "$scratch" "$victim" <<'EOF2'
import io, sys, tarfile
scratch, victim = sys.argv[1], sys.argv[2]
def tar(name, members):
    with tarfile.open(f"{scratch}/{name}.tar.gz", "w:gz") as t:
        for m, data in members:
            t.addfile(m, io.BytesIO(data) if data is not None else None)
def reg(path, data=b"pwned\n"):
    m = tarfile.TarInfo(path); m.size = len(data); return (m, data)
def link(path, target, kind):
    m = tarfile.TarInfo(path); m.type = kind; m.linkname = target; return (m, None)
tar("dotdot", [reg("ok"), reg("../../../../../.." + victim + "/dotdot")])
tar("absolute", [reg(victim + "/absolute")])
tar("symlink", [link("a", "/", tarfile.SYMTYPE), reg("a" + victim + "/through")])
tar("hardlink", [link("h", "../../../../../.." + victim + "/target", tarfile.LNKTYPE)])
dev = tarfile.TarInfo("dev/null2"); dev.type = tarfile.CHRTYPE; dev.devmajor = 1; dev.devminor = 3
tar("device", [(dev, None)])
EOF2

for kind in dotdot absolute symlink hardlink device; do
	cat > "$scratch/$kind.scm" <<EOS
(import (distill plan))
(make-plan name: "$kind"
  inputs: (list (local-archive "$scratch/busybox.deb")
                (local-archive "$scratch/$kind.tar.gz" "/x")
                (interned "/build" #o755 "#!/bin/busybox sh\n/bin/busybox touch /out/ran\n")))
EOS
	chmod a+r "$scratch/$kind.scm" "$scratch/$kind.tar.gz"
	as_user "$distill --store $st build $kind.scm > $kind.out 2> $kind.err"
	rc=$?
	ok $([ $rc = 1 ] && grep -q "archive .*/$kind.tar.gz: .*member '" "$scratch/$kind.err"; echo $?) \
		"$kind: refused, naming the archive and the member"
	head -n 2 "$scratch/$kind.err" | diag
done
ok $([ "$(ls "$victim")" = target ] && [ "$(cat "$victim/target")" = original ] &&
	[ "$(stat -c %h "$victim/target")" = 1 ]; echo $?) "nothing outside the store changed"
ok $([ -z "$(ls "$st/trees" | while read -r t; do [ -e "$st/trees/$t/ran" ] && echo "$t"; done)" ]; echo $?) \
	"no build ran on a hostile input"
ok $([ -z "$(ls -A "$st/tmp")" ]; echo $?) "no partial tree is left in the store's tmp/"
done_testing
