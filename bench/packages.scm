;; Benchmark: evaluate COUNT synthetic packages to plan hashes, building
;; nothing.  Each is a cmmi-package with its own name, version and pin,
;; expanded for x86_64 and hashed (plan-encoding-hash: the bytes of
;; docs/formats.md's plan encoding, as the scheduler would hash them).  The
;; toolchain hooks are small stand-in artifacts, as in t/package.scm, so
;; the figure is evaluation alone.  bench/run calls it as
;;   distill run bench/packages.scm COUNT
(import (distill plan) (distill package) (distill core) (srfi srfi-1)
        (only (rnrs bytevectors) string->utf8))

(define count (string->number (cadr (program-arguments))))

(define (toolchain conf)
  (let ((t (symbol->string ($triple conf))))
    (make-cc-toolchain
     tools: (list (interned (string-append "/usr/bin/" t "-gcc") #o755 "#!/bin/sh\n"))
     libc: (list (interned "/usr/lib/libc.a" #o644 (string-append "libc for " t "\n"))))))

(define (base-tools conf)
  (list (interned "/bin/execlineb" #o755 "execline\n")))

(define packages
  (map (lambda (i)
         (let ((n (number->string i)))
           (cmmi-package (string-append "synthetic" n) (string-append "1." n)
                         "https://example.org/$name-$version.tar.gz"
                         (%hash-bytes (string->utf8 n))
                         extra-configure: (list (string-append "--with-n=" n)))))
       (iota count)))

(define hashes
  (parameterize ((base-tools-hook base-tools)
                 (cc-toolchain-hook toolchain)
                 (native-toolchain-hook toolchain))
    (let ((expand (expander (default-config 'x86_64))))
      (map (lambda (p) (plan-encoding-hash (expand p))) packages))))

(display (length (delete-duplicates hashes)))
(display " distinct plan hashes\n")
