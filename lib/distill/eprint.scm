;;; (distill eprint): messages on stderr, as upstream distill's scripts
;;; print them.  The module reference lists none of its names; these are
;;; upstream's: info, fatal, trace and the trace-log parameter.
(define-module (distill eprint)
  #:export (info fatal trace trace-log))

(define (info . args)
  "Print ARGS on stderr, separated by spaces, then a newline."
  (let ((port (current-error-port)))
    (let loop ((xs args) (first #t))
      (unless (null? xs)
        (unless first (display " " port))
        (display (car xs) port)
        (loop (cdr xs) #f)))
    (newline port)))

(define (fatal . args)
  "Print ARGS as info does, then exit with status 1."
  (apply info args)
  (exit 1))

(define trace-log
  ;; #t: trace prints its arguments as info does; #f (the default): nothing.
  (make-parameter #f))

(define (trace . args)
  "info, when (trace-log) is true."
  (when (trace-log) (apply info args)))
