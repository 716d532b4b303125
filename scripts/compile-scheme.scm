;; Compiles distill's Scheme library to Guile bytecode: every .scm under
;; lib/distill, pkg, svc and plat whose .go under go/ is missing or older.
;; Loading compiled modules is several times faster than interpreting them.
;; compile-file registers each module it compiles, without its bindings;
;; a module compiled later that imports a not yet compiled one loads it
;; from source, running its body, which would then find those modules
;; empty (pkg/openssl's body uses pkg/busybox's linux-uapi-headers).  So
;; each module is loaded from its new bytecode once compiled, unless it
;; was loaded already (from source, as an import of one compiled before):
;; running its body twice would make two of its record types, and values
;; made with the first would fail the second's predicates.
;;   ./distill run scripts/compile-scheme.scm     (make does this)
(use-modules (system base compile) (ice-9 ftw) (srfi srfi-1))

(read-set! keywords 'postfix)
(define top (dirname (dirname (canonicalize-path (car (command-line))))))

(define (sources dir)
  "Relative names (under DIR's parent) of the .scm files in DIR."
  (let ((full (string-append top "/" dir)))
    (if (file-exists? full)
        (map (lambda (f) (string-append dir "/" f))
             (filter (lambda (f) (string-suffix? ".scm" f)) (scandir full)))
        '())))

(define (module-rel src)
  "lib/distill/x.scm -> distill/x; pkg/x.scm -> pkg/x."
  (let ((rel (if (string-prefix? "lib/" src) (substring src 4) src)))
    (substring rel 0 (- (string-length rel) 4))))

(define (loaded? src)
  "Has the module of SRC run its body already?  (compile-file registers
a module with its exports unbound; its body binds them.)"
  (let* ((m (resolve-module (map string->symbol (string-split (module-rel src) #\/))
                            #:ensure #f))
         (i (and m (module-public-interface m))))
    (and i (any (lambda (sym)
                  (let ((v (module-local-variable m sym)))
                    (and v (variable-bound? v) (not (macro? (variable-ref v))))))
                (module-map (lambda (sym var) sym) i)))))

(define (mtime file)
  "FILE's modification time in nanoseconds: a source saved in the same
second as its bytecode is still seen as newer."
  (let ((st (stat file)))
    (+ (* (stat:mtime st) 1000000000) (stat:mtimensec st))))

(define (stale? src go)
  (or (not (file-exists? go))
      (< (mtime go) (mtime src))))

(for-each
 (lambda (src)
   (let* ((in (string-append top "/" src))
          (out (string-append top "/go/" (module-rel src) ".go")))
     (when (stale? in out)
       (format #t "compiling ~a~%" src)
       (compile-file in #:output-file out #:opts '(#:warnings ()))
       ;; Its bindings, which compile-file does not make, for a module
       ;; loaded from source later that uses them.
       (unless (loaded? src)
         (load-compiled out)))))
 (append-map sources '("lib/distill" "pkg" "svc" "plat")))
