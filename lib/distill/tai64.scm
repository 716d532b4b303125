;;; (distill tai64): TAI64N time labels, as written by s6-log and
;;; s6-tai64n.  A TAI64N label is 12 bytes, big-endian: 8 bytes of
;;; seconds, 2^62 plus the seconds elapsed since 1970-01-01 00:00:00
;;; TAI, then 4 bytes of nanoseconds (0 to 999999999).  Labels are
;;; bytevectors here and are printed as 24 lowercase hex digits; s6-log
;;; puts "@" in front of them.
;;;
;;; Unix time counts UTC seconds and skips leap seconds, so converting
;;; adds TAI-UTC: 10 seconds plus one per leap second inserted since
;;; 1972, from the table below (last one: 2017-01-01, TAI-UTC = 37).
;;; This is what skalibs (hence s6-log) does; upstream distill added 0
;;; rather than 10 for times before 1972, the only place they differ.
;;; A new leap second needs a new table entry.
;;;
;;; Example: (tai64n->string (unix->tai64n 1700000000))
;;;          => "400000006553f12500000000"

(define-module (distill tai64)
  #:use-module (rnrs bytevectors)
  #:use-module (srfi srfi-1)
  #:export (tai64n-now
            unix->tai64n
            tai64n->unix
            tai64n-seconds
            tai64n-nanoseconds
            tai64n->string
            string->tai64n))

;; Unix times at which a leap second had just been inserted
;; (each adds one to TAI-UTC, which starts at 10).
(define leap-seconds
  '(78796800 94694400 126230400 157766400 189302400 220924800
    252460800 283996800 315532800 362793600 394329600 425865600
    489024000 567993600 631152000 662688000 709948800 741484800
    773020800 820454400 867715200 915148800 1136073600 1230768000
    1341100800 1435708800 1483228800))

(define tai-offset (expt 2 62))

(define (utc->tai secs)
  (+ secs 10 (count (lambda (l) (>= secs l)) leap-seconds)))

(define (tai->utc tai)
  ;; after leap second number n (Unix time l), TAI-UTC is 10 + n;
  ;; the inserted second itself (TAI l + 9 + n) maps onto l
  (let loop ((ls (reverse leap-seconds)) (n (length leap-seconds)))
    (cond
     ((null? ls) (- tai 10))
     ((>= tai (+ (car ls) 10 n)) (- tai 10 n))
     (else (loop (cdr ls) (- n 1))))))

(define (make-label tai-secs nsec)
  (unless (and (exact-integer? nsec) (<= 0 nsec 999999999))
    (error "tai64n: nanoseconds out of range:" nsec))
  (unless (and (exact-integer? tai-secs) (<= 0 tai-secs (- (expt 2 63) 1)))
    (error "tai64n: time out of the TAI64 range:" tai-secs))
  (let ((bv (make-bytevector 12)))
    (bytevector-u64-set! bv 0 tai-secs (endianness big))
    (bytevector-u32-set! bv 8 nsec (endianness big))
    bv))

(define* (unix->tai64n secs #:optional (nsec 0))
  "(unix->tai64n secs [nsec]) converts a Unix time (an exact integer of
seconds, plus optional nanoseconds, default 0) to a TAI64N label (a
12-byte bytevector), adding the leap seconds in effect at that time."
  (unless (exact-integer? secs)
    (error "unix->tai64n: expected an exact integer:" secs))
  (make-label (+ tai-offset (utc->tai secs)) nsec))

(define (tai64n-now)
  "(tai64n-now) is the current time as a TAI64N label.  The system
clock is read with gettimeofday, so the nanoseconds are a multiple of
1000."
  (let ((tv (gettimeofday)))
    (unix->tai64n (car tv) (* 1000 (cdr tv)))))

(define (check-label tm)
  (unless (and (bytevector? tm) (= (bytevector-length tm) 12))
    (error "tai64n: not a 12-byte TAI64N label:" tm)))

(define (tai64n-seconds tm)
  "(tai64n-seconds tm) is the seconds field of label @var{tm} as an
integer, 2^62 offset included (as upstream)."
  (check-label tm)
  (bytevector-u64-ref tm 0 (endianness big)))

(define (tai64n-nanoseconds tm)
  "(tai64n-nanoseconds tm) is the nanoseconds field of label @var{tm}."
  (check-label tm)
  (bytevector-u32-ref tm 8 (endianness big)))

(define (tai64n->unix tm)
  "(tai64n->unix tm) converts label @var{tm} back to whole Unix seconds
(leap seconds removed, nanoseconds dropped); the inverse of
unix->tai64n.  (Upstream forgot to remove the 2^62 offset.)"
  (tai->utc (- (tai64n-seconds tm) tai-offset)))

(define (tai64n->string tm)
  "(tai64n->string tm) is label @var{tm} as 24 lowercase hex digits,
the form s6-log prints after an \"@\"."
  (check-label tm)
  (string-concatenate
   (map (lambda (b)
          (string-append (if (< b 16) "0" "") (number->string b 16)))
        (bytevector->u8-list tm))))

(define (string->tai64n str)
  "(string->tai64n str) parses 24 hex digits (either case, optionally
preceded by the \"@\" that s6-log writes) into a TAI64N label; returns
#f if @var{str} is not of that form or the nanoseconds exceed
999999999."
  (let ((hex (if (string-prefix? "@" str) (substring str 1) str)))
    (and (= (string-length hex) 24)
         (string-every char-set:hex-digit hex)
         (let ((secs (string->number (substring hex 0 16) 16))
               (nsec (string->number (substring hex 16 24) 16)))
           (and (< secs (expt 2 63))
                (<= nsec 999999999)
                (make-label secs nsec))))))
