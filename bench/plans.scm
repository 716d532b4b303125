;; Benchmark plans: COUNT independent plans over Debian's static busybox,
;; each with its own /build that writes one file to /out (after sleeping
;; SLEEP seconds, if SLEEP is not 0).  TAG goes into every /build, so a new
;; TAG makes plans that are not in the store yet and the same TAG makes
;; plans that are.  bench/run calls it as
;;   distill build bench/plans.scm -- DEB COUNT TAG SLEEP
(import (distill plan))

(define args (cdr (program-arguments)))
(define busybox (local-archive (list-ref args 0)))
(define count (string->number (list-ref args 1)))
(define tag (list-ref args 2))
(define sleep (list-ref args 3))

(define (build-script i)
  (interned "/build" #o755
            (string-append
             "#!/bin/busybox sh\n"
             (if (equal? sleep "0") "" (string-append "/bin/busybox sleep " sleep "\n"))
             "/bin/busybox echo " tag "-" (number->string i) " > /out/x\n")))

(map (lambda (i)
       (make-plan name: (string-append "bench-" (number->string i))
                  inputs: (list busybox (build-script i))))
     (iota count))
