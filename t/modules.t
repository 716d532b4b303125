#!/bin/sh
# Where (pkg x), (distill x)... come from: the script's directory, then
# $DISTILL_PATH, then the library beside the binary or installed, then the
# copy built into the binary.  And the library's layers: what each module
# of lib/distill imports is what docs/architecture.md draws.
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
# The layers.  docs/architecture.md's drawing ("### The library's
# layers") gives each module its layer; a module may import only modules
# of lower layers, and never a recipe module ((pkg ...), (svc ...),
# (plat ...)).  Every module of lib/distill must be in the drawing.
# layers_check LIBDIR: prints one line per breach, nothing when all holds.
layers_check() {
	awk '/^### The library.s layers/ { on = 1; next }
	     on && /^```/ { if (++fence == 2) exit; next }
	     on && fence == 1 && /^  [0-9] / {
		n = split(substr($0, 10, 33), m, " ")
		for (i = 1; i <= n; i++) print m[i], substr($0, 3, 1)
	     }' "$top/docs/architecture.md" > "$scratch/layers"
	cat > "$scratch/layers.scm" <<'EOS'
(use-modules (ice-9 match) (ice-9 ftw) (srfi srfi-1))
(define layers
  (call-with-input-file (caddr (program-arguments))
    (lambda (port)
      (let loop ((acc '()))
        (let ((name (read port)))
          (if (eof-object? name)
              acc
              (loop (acons (symbol->string name) (read port) acc))))))))
(define dir (cadr (program-arguments)))
(define (imports form)
  ;; The modules a define-module form names in #:use-module.
  (let loop ((xs (cddr form)) (acc '()))
    (match xs
      ((#:use-module spec . rest)
       (loop rest (cons (match spec (((? symbol?) ...) spec) ((name . _) name)) acc)))
      ((_ . rest) (loop rest acc))
      (() acc))))
(for-each
 (lambda (file)
   (let* ((me (basename file ".scm"))
          (mine (assoc-ref layers me))
          (form (call-with-input-file (string-append dir "/" file) read)))
     (if (not mine)
         (format #t "~a: not in the drawing of docs/architecture.md~%" me)
         (for-each
          (lambda (m)
            (match m
              (((or 'pkg 'svc 'plat) . _)
               (format #t "~a imports the recipe module ~s~%" me m))
              (('distill name)
               (let ((theirs (assoc-ref layers (symbol->string name))))
                 (unless (and theirs (< theirs mine))
                   (format #t "~a (layer ~a) imports ~s (layer ~a)~%" me mine m
                           (or theirs "none")))))
              (_ #t)))
          (imports form)))))
 (scandir dir (lambda (f) (string-suffix? ".scm" f))))
EOS
	"$distill" run "$scratch/layers.scm" "$1" "$scratch/layers"
}
out=$(layers_check "$top/lib/distill")
ok $([ $? = 0 ] && [ -s "$scratch/layers" ] && [ -z "$out" ]; echo $?) \
	"every module of lib/distill imports only lower layers, and no recipe"
echo "$out" | diag
# The check sees a breach: a copy of the library where (distill system)
# imports (pkg busybox) and (distill plan) imports (distill image).
cp -r "$top/lib/distill" "$scratch/lib"
sed -i 's/^  #:use-module (distill service)$/&\n  #:use-module (pkg busybox)/' "$scratch/lib/system.scm"
sed -i 's/^  #:use-module (distill check)$/&\n  #:use-module (distill image)/' "$scratch/lib/plan.scm"
echo '(define-module (distill stray))' > "$scratch/lib/stray.scm"
out=$(layers_check "$scratch/lib")
echo "$out" | diag
ok $(echo "$out" | grep -q '^system imports the recipe module (pkg busybox)$' &&
	echo "$out" | grep -q '^plan (layer 2) imports (distill image) (layer 5)$' &&
	echo "$out" | grep -q '^stray: not in the drawing'; echo $?) \
	"a recipe import, an import of a higher layer and a module not drawn are each reported"
done_testing
