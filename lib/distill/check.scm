;;; (distill check): recipe errors, and the checks of arguments that more
;;; than one module takes.  Every library module reports a bad recipe
;;; through recipe-error: a 'misc-error naming the procedure the recipe
;;; called wrongly (WHO), which (distill script) prints as one line
;;; FILE:LINE:COL: error: MESSAGE at the expression that names the culprit.
;;;
;;; No message prints a record or a huge value: message-of in (distill
;;; script) formats every argument of an error through `described', whose
;;; text (describe) names what the value is ("a system", "a service
;;; \"sshd\"", "a bytevector of 1234 bytes") and keeps short values as
;;; they are.
;;;
;;; The checks return the value they accept (a path in its normal form), so
;;; a caller writes (set! path (check-path 'who path)).  This module sits
;;; below every other module of the library: of them it imports only
;;; (distill core).
(define-module (distill check)
  #:use-module (distill core)
  #:use-module (rnrs bytevectors)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:use-module (srfi srfi-9 gnu)
  #:export (recipe-error describe described check-path check-mode check-list shell-word
            hash-string? pin-kind check-pin))

(define (recipe-error who fmt args)
  "Throw the recipe error of procedure WHO: the message FMT (a format
string, ~a and ~s) with ARGS, a list."
  (throw 'misc-error who fmt args #f))

;; The longest written form an error message shows as it is.
(define short 100)

(define (article word)
  (if (memv (string-ref word 0) '(#\a #\e #\i #\o #\u)) "an " "a "))

(define (record-label v)
  "A record's kind and, when it has one, its name: \"a service \\\"sshd\\\"\"."
  (let* ((rtd (record-type-descriptor v))
         (kind (string-trim-both (symbol->string (record-type-name rtd)) (char-set #\< #\>)))
         (field (find (lambda (f) (memq f (record-type-fields rtd)))
                      '(name hostname label path)))
         (name (and field ((record-accessor rtd field) v))))
    (string-append (article kind) kind
                   (if (string? name) (string-append " " (written name)) ""))))

(define (written v)
  (call-with-output-string (lambda (port) (write v port))))

(define (plain? v)
  "Is V shown as it is: written short, no record, procedure or bytevector in it?"
  (and (not (record? v)) (not (procedure? v)) (not (bytevector? v))
       (or (not (pair? v)) (and (list? v) (every plain? v)))
       (or (not (vector? v)) (every plain? (vector->list v)))
       (<= (string-length (written v)) short)))

(define (describe v)
  "One short line saying what V is: V written as it is when it is short and
plain, else its kind (a record's type and name, a bytevector's size, a
list's length and first element, a long string's beginning)."
  (cond ((plain? v) (written v))
        ((record? v) (record-label v))
        ((procedure? v)
         (if (procedure-name v) (format #f "the procedure ~a" (procedure-name v)) "a procedure"))
        ((bytevector? v) (format #f "a bytevector of ~a bytes" (bytevector-length v)))
        ((string? v)
         (format #f "a string of ~a characters, ~a..." (string-length v)
                 (written (substring v 0 (quotient short 2)))))
        ((and (list? v) (pair? v))
         (format #f "a list of ~a (the first: ~a)"
                 (if (null? (cdr v)) "one" (length v)) (describe (car v))))
        ((vector? v) (format #f "a vector of ~a" (vector-length v)))
        (else (let ((w (written v)))
                (if (<= (string-length w) short) w
                    (string-append (substring w 0 short) "..."))))))

(define-record-type <described> (%described text) described? (text described-text))
(set-record-type-printer! <described>
                          (lambda (d port) (display (described-text d) port)))

(define (described v)
  "V when it is shown as it is, else what prints as (describe V) with both
~a and ~s."
  (if (plain? v) v (%described (describe v))))

(define (check-path who p)
  "P in the form plans hold it: absolute and normalised (\"//\" and \"/./\"
folded, a trailing \"/\" dropped, \"..\" resolved); a \"..\" that climbs
above / is an error, reported at the recipe's line."
  (unless (and (string? p) (> (string-length p) 0)
               (char=? (string-ref p 0) #\/))
    (recipe-error who "~s is not an absolute path" (list p)))
  (%normpath who p))

(define (check-mode who what mode)
  "MODE, when it is a file mode (0 to #o7777); else an error naming WHAT."
  (unless (and (exact-integer? mode) (<= 0 mode #o7777))
    (recipe-error who "~a ~s is not a file mode (0 to #o7777)" (list what mode)))
  mode)

(define (check-list who what x)
  "X, when it is a list; else an error naming WHAT (e.g. \"inputs:\")."
  (unless (list? x)
    (recipe-error who "~a must be a list, not ~s" (list what x)))
  x)

(define (shell-word s)
  "S quoted as one word for the shell."
  (string-append "'" (string-join (string-split s #\') "'\\''") "'"))

;;; Hashes and pins (docs/formats.md).  Their syntax is src/hash.c's
;;; (pin_parse), asked through %pin-kind, never spelled again here.

(define (hash-string? x)
  "(hash-string? x): is @var{x} a hash in distill's form (44 characters of
padded base64url encoding 32 bytes)?"
  (eq? (%pin-kind x) 'blake2b))

(define (pin-kind x)
  "(pin-kind x) is 'blake2b for a hash in distill's form, 'sha256 for
\"sha256:<64 lower-case hex digits>\", and #f for anything else."
  (%pin-kind x))

(define (check-pin who pin)
  "PIN's kind (pin-kind), when it is a pin; else an error."
  (or (pin-kind pin)
      (recipe-error who "malformed pin ~s: expected 44 characters of base64url with padding (BLAKE2b-256) or sha256:<64 hex digits>"
                    (list pin))))
