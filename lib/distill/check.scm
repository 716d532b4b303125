;;; (distill check): recipe errors, and the checks of arguments that more
;;; than one module takes.  Every library module reports a bad recipe
;;; through recipe-error: a 'misc-error naming the procedure the recipe
;;; called wrongly (WHO), which (distill script) prints as one line
;;; FILE:LINE:COL: error: MESSAGE at the expression that names the culprit.
;;;
;;; The checks return the value they accept (a path in its normal form), so
;;; a caller writes (set! path (check-path 'who path)).  This module sits
;;; below every other module of the library: it imports only (distill core).
(define-module (distill check)
  #:use-module (distill core)
  #:export (recipe-error check-path check-mode check-list shell-word
            hash-string? pin-kind check-pin))

(define (recipe-error who fmt args)
  "Throw the recipe error of procedure WHO: the message FMT (a format
string, ~a and ~s) with ARGS, a list."
  (throw 'misc-error who fmt args #f))

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
