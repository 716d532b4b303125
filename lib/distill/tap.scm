;;; (distill tap): a minimal Test Anything Protocol writer for the
;;; Scheme tests under t/.  Results go to the current output port:
;;; "ok N - name" or "not ok N - name" (followed, for `is', by "# got:"
;;; and "# want:" lines written with `write'), then the plan "1..N" from
;;; test-end, which exits with status 1 if any test failed.

(define-module (distill tap)
  #:export (test-begin ok is test-end))

(define count 0)
(define failed 0)

(define (test-begin)
  "(test-begin) resets the test counter and the failure count."
  (set! count 0)
  (set! failed 0))

(define (ok cond name)
  "(ok cond name) records one test that passes when @var{cond} is true,
printing \"ok N - name\" or \"not ok N - name\".  Returns @var{cond}."
  (set! count (+ count 1))
  (unless cond
    (set! failed (+ failed 1)))
  (format #t "~aok ~a - ~a\n" (if cond "" "not ") count name)
  cond)

(define (is got want name)
  "(is got want name) is (ok (equal? got want) name), and on failure
also prints @var{got} and @var{want} as TAP diagnostics."
  (let ((pass (equal? got want)))
    (ok pass name)
    (unless pass
      (format #t "# got:  ~s\n# want: ~s\n" got want))
    pass))

(define (test-end)
  "(test-end) prints the plan line \"1..N\" and exits with status 1
if any test failed; otherwise it returns."
  (format #t "1..~a\n" count)
  (force-output)
  (unless (zero? failed)
    (exit 1)))
