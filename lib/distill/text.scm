;;; (distill text): building text files (configuration files, lists of
;;; names, tables) from Scheme data.  Every element is written with
;;; `display', so strings appear without quotes, symbols as their names
;;; and numbers in decimal.  These are the same four procedures, with the
;;; same meaning, as upstream distill's (distill text).
;;;
;;; Example:
;;;   (lines '("# ssh CA" (ecdsa-sha2-nistp256 AAAA...)))
;;;   => "# ssh CA\necdsa-sha2-nistp256 AAAA...\n"

(define-module (distill text)
  #:export (join-with
            tabular
            lines
            map-lines))

(define (display-interspersed lst sep)
  (let loop ((lst lst))
    (when (pair? lst)
      (display (car lst))
      (when (pair? (cdr lst))
        (display sep))
      (loop (cdr lst)))))

(define (join-with sep lst)
  "(join-with sep lst) is the string of the elements of @var{lst},
each displayed, with @var{sep} displayed between them (not after the
last): (join-with \", \" '(a 1 \"b\")) => \"a, 1, b\"."
  (with-output-to-string
    (lambda () (display-interspersed lst sep))))

(define (tabular op wsep lsep lst)
  "(tabular op wsep lsep lst) builds a string with one row for each
element of @var{lst}: the row is (op element); when that is a list its
items are displayed separated by @var{wsep}, otherwise it is displayed
as one field.  Every row, the last included, is followed by @var{lsep}."
  (with-output-to-string
    (lambda ()
      (for-each (lambda (x)
                  (let ((row (op x)))
                    (if (list? row)
                        (display-interspersed row wsep)
                        (display row))
                    (display lsep)))
                lst))))

(define (lines lst)
  "(lines lst) is a string with each element of @var{lst} on its own
line (each line ends in a newline); an element that is a list becomes
its items separated by single spaces.  (lines '()) => \"\"."
  (tabular identity " " "\n" lst))

(define (map-lines proc lst)
  "(map-lines proc lst) is (lines (map proc lst))."
  (tabular proc " " "\n" lst))
