#!/bin/sh
# The seed: the tables of pinned Debian packages ((distill seed),
# (distill imagetools), (distill kernel), and the recipes' build tools
# and data, scripts/release.scm's) match seed/SHA256SUMS, the seed plan
# assembles the Debian packages into one tree, and that tree, as the only
# input of a second plan, compiles and runs C (dynamic and static),
# runs make, execline scripts and busybox's applets.
. "$(dirname "$0")/lib.sh"

mkdir -p "$scratch/debs"
cp "$top"/seed/debs/*.deb "$scratch/debs/"
chmod -R a+rX "$scratch/debs"

cat > "$scratch/table.scm" <<'EOS'
(import (distill seed) (distill imagetools) (distill kernel) (ice-9 match) (srfi srfi-1)
        (pkg linux) (pkg openssl) (pkg ca-certs) (pkg netbase) (pkg s6) (distill tcc-seed) (pkg u-boot)
        (distill autotools) (pkg libseccomp))
;; scripts/release.scm's table, read without running the script (it builds)
(define release-packages
  (call-with-input-file "release.scm"
    (lambda (port)
      (let loop ((form (read port)))
        (match form
          (('define 'release-packages ('quote table)) table)
          (_ (loop (read port))))))))
(for-each (match-lambda ((name version sha256 file)
                         (display (string-append sha256 "  " file "\n"))))
          (append seed-packages image-tool-packages kernel-packages
                  linux-build-packages openssl-build-packages uboot-build-packages
                  ca-certs-packages netbase-packages s6-packages tcc-seed-packages
                  autotools-build-packages libseccomp-build-packages
                  (append-map cdr cross-seed-packages)
                  (append-map cdr cross-linux-headers-packages)
                  release-packages))
EOS
cp "$top/scripts/release.scm" "$scratch/release.scm"
chmod a+r "$scratch/table.scm" "$scratch/release.scm"
as_user "$distill run table.scm > table.txt"
ok $? "the seed table loads"
missing=$(grep -v -x -F -f "$scratch/table.txt" "$top/seed/SHA256SUMS" | grep -v '^#'
	  grep -v -x -F -f "$top/seed/SHA256SUMS" "$scratch/table.txt")
ok $([ -z "$missing" ] && [ -s "$scratch/table.txt" ]; echo $?) \
	"seed-packages and seed/SHA256SUMS pin the same files"
[ -z "$missing" ] || echo "$missing" | diag

cat > "$scratch/seed.scm" <<'EOS'
(import (distill plan) (distill seed))
(define seed (seed-plan))
(list seed
      (make-plan name: "seed-use"
        inputs: (list seed
                      (interned "/src/hello.c" #o644 "#include <stdio.h>
int main(void) { puts(\"hello from gcc\"); return 0; }
")
                      (interned "/src/Makefile" #o644 "all: hello\n\t./hello > made\n")
                      (interned "/src/el" #o755 "#!/bin/execlineb -P
foreground { echo execline ok }
")
                      (interned "/build" #o755 (string-append "#!/bin/sh
set -eu
cd /tmp
cp /src/hello.c /src/Makefile .
gcc -O2 -o hello-dyn hello.c
cc -O2 -static -o hello-static hello.c
./hello-dyn > /out/dyn
./hello-static > /out/static
readelf -l hello-dyn | grep -c 'interpreter: /lib64/ld-linux-x86-64.so.2' > /out/interp || true
readelf -l hello-static | grep -c INTERP > /out/static-interp || true
rm hello-dyn hello-static
make -s > /out/make
cat made >> /out/make
/src/el > /out/execline
/usr/bin/env sh -c 'echo $0' > /out/sh
readlink /bin/sh >> /out/sh
# Each package's licence stays, and nothing else of the documentation.
for p in " (string-join (map car seed-packages) " ") "; do
	[ -s /usr/share/doc/$p/copyright ] || echo $p
done > /out/no-copyright
find /usr/share/doc -type f ! -name copyright > /out/other-docs
")))
        timeout: 600))
EOS
chmod a+r "$scratch/seed.scm"
t0=$(date +%s)
as_user "DISTILL_SEED=$scratch/debs $distill --store $scratch/store build seed.scm > out 2> err"
ok $? "the seed plan builds, and a plan with only the seed tree uses it"
echo "seed build and use: $(($(date +%s) - t0)) s" | diag
[ -s "$scratch/err" ] && diag < "$scratch/err"
seed_tree=$(sed -n 1p "$scratch/out" | cut -d ' ' -f 2)
use=$(sed -n 2p "$scratch/out" | cut -d ' ' -f 2)

ok $([ -x "$seed_tree/usr/bin/x86_64-linux-gnu-gcc-12" ] && [ -L "$seed_tree/bin/sh" ] &&
	[ -e "$seed_tree/lib64/ld-linux-x86-64.so.2" ] && [ ! -e "$seed_tree/usr/share/man" ] &&
	[ ! -e "$seed_tree/proc" ] && [ ! -e "$seed_tree/build" ] && [ ! -e "$seed_tree/out" ]; echo $?) \
	"the seed tree has gcc, /bin/sh and the loader, and no manuals or sandbox mounts"
ok $([ -f "$use/no-copyright" ] && [ ! -s "$use/no-copyright" ] &&
	[ -f "$use/other-docs" ] && [ ! -s "$use/other-docs" ]; echo $?) \
	"every seed package's copyright file is in the tree, and no other documentation"
cat "$use/no-copyright" "$use/other-docs" 2>/dev/null | head -n 5 | diag
ok $(grep -qx 'hello from gcc' "$use/dyn" && grep -qx 1 "$use/interp"; echo $?) \
	"gcc links and runs a dynamic program (interpreter /lib64/ld-linux-x86-64.so.2)"
ok $(grep -qx 'hello from gcc' "$use/static" && grep -qx 0 "$use/static-interp"; echo $?) \
	"cc links and runs a static program"
ok $(grep -qx 'hello from gcc' "$use/make"; echo $?) \
	"make runs a Makefile with its built-in rules (cc)"
ok $(grep -qx 'execline ok' "$use/execline"; echo $?) "an execline script runs (#!/bin/execlineb)"
ok $(printf 'sh\nbusybox\n' | cmp -s - "$use/sh"; echo $?) "/usr/bin/env and /bin/sh are busybox"

done_testing
