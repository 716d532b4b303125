;; Tests for (distill tai64): known labels, leap-second boundaries,
;; round trips and parsing.
(use-modules (distill tai64)
             (distill tap)
             (rnrs bytevectors))

(test-begin)

(define (label secs . nsec) (tai64n->string (apply unix->tai64n secs nsec)))

;; 2^62 + unix time + TAI-UTC, in hex
(is (label 1700000000) "400000006553f12500000000" "2023: TAI-UTC is 37")
(is (label 1483228800) "40000000586846a500000000" "2017-01-01 00:00:00: 37")
(is (label 1483228799) "40000000586846a300000000" "2016-12-31 23:59:59: 36")
(is (label 63072000) "4000000003c2670a00000000" "1972-01-01: 10")
(is (label 78796800) "4000000004b2580b00000000" "1972-07-01: 11")
(is (label 0) "400000000000000a00000000" "1970: 10, as skalibs")
(is (label 1700000000 123456789) "400000006553f125075bcd15" "nanoseconds field")

(for-each
 (lambda (t)
   (is (tai64n->unix (unix->tai64n t)) t
       (string-append "round trip " (number->string t))))
 '(0 63072000 78796799 78796800 1483228799 1483228800 1700000000 4102444800))

(let ((tm (unix->tai64n 1700000000 42)))
  (is (tai64n-seconds tm) (+ (expt 2 62) 1700000037) "tai64n-seconds keeps the 2^62 offset")
  (is (tai64n-nanoseconds tm) 42 "tai64n-nanoseconds")
  (is (bytevector-length tm) 12 "a label is 12 bytes")
  (is (string->tai64n (tai64n->string tm)) tm "string->tai64n inverts tai64n->string")
  (is (string->tai64n (string-append "@" (tai64n->string tm))) tm "leading @ accepted"))

(is (string->tai64n "400000006553F12500000000") (unix->tai64n 1700000000) "upper-case hex")
(is (string->tai64n "4000") #f "too short")
(is (string->tai64n "400000006553f1250000000g") #f "not hex")
(is (string->tai64n "400000006553f1253b9aca00") #f "nanoseconds over 999999999")

(let* ((before (car (gettimeofday)))
       (now (tai64n-now))
       (after (car (gettimeofday))))
  (ok (<= before (tai64n->unix now) after) "tai64n-now is the current time")
  (ok (< (tai64n-nanoseconds now) 1000000000) "tai64n-now nanoseconds in range"))

(ok (catch #t (lambda () (unix->tai64n 0 1000000000) #f) (lambda _ #t))
    "nanoseconds out of range is an error")

(test-end)
