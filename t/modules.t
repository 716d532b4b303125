#!/bin/sh
# Where (pkg x), (distill x)... come from: the script's directory, then
# $DISTILL_PATH, then the library beside the binary or installed, then the
# copy built into the binary.
. "$(dirname "$0")/lib.sh"

mkdir -p "$scratch/proj/pkg" "$scratch/extra/pkg" "$scratch/solo"
cat > "$scratch/proj/pkg/foo.scm" <<'EOS'
(define-module (pkg foo) #:export (foo))
(define foo "foo from the script's directory")
EOS
cat > "$scratch/extra/pkg/foo.scm" <<'EOS'
(define-module (pkg foo) #:export (foo))
(define foo "foo from DISTILL_PATH")
EOS
cat > "$scratch/extra/pkg/bar.scm" <<'EOS'
(define-module (pkg bar) #:export (bar))
(define bar "bar from DISTILL_PATH")
EOS
cat > "$scratch/proj/use.scm" <<'EOS'
(import (scheme base) (pkg foo) (pkg bar) (distill execline))
(display foo) (newline)
(display bar) (newline)
(write-exexpr '(echo hi) #:shebang #f)
EOS
out=$(cd / && DISTILL_PATH="$scratch/extra" "$distill" run "$scratch/proj/use.scm")
ok $? "a script imports modules from its directory, DISTILL_PATH and the library"
echo "$out" | diag
ok $([ "$(echo "$out" | sed -n 1p)" = "foo from the script's directory" ]; echo $?) \
	"the script's directory comes before DISTILL_PATH"
ok $([ "$(echo "$out" | sed -n 2p)" = "bar from DISTILL_PATH" ]; echo $?) "DISTILL_PATH is searched"

# The binary alone, with no library beside it or installed.
cp "$distill" "$scratch/solo/distill"
cp "$scratch/proj/use.scm" "$scratch/solo/use.scm"
rm -rf "$scratch/proj/pkg"
mkdir -p "$scratch/solo/pkg" && cp "$scratch/extra/pkg/foo.scm" "$scratch/solo/pkg/"
out=$(cd / && XDG_CACHE_HOME="$scratch/cache" DISTILL_PATH="$scratch/extra" "$scratch/solo/distill" run "$scratch/solo/use.scm")
ok $? "a lone binary runs scripts with its built-in library"
ok $([ -e "$(ls -d "$scratch"/cache/distill-scheme/*/lib/distill/execline.scm | head -n 1)" ] &&
	[ "$(echo "$out" | sed -n 3p)" = "echo hi" ]; echo $?) \
	"the built-in library was unpacked once into the cache and used"
done_testing
