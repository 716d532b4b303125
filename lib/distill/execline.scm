;;; (distill execline): writing execline scripts from s-expressions.
;;;
;;; A script is a list of words.  Symbols are written as their names,
;;; strings as their text, exact integers and finite inexact reals in
;;; decimal, bytevectors as a quoted string of exactly those bytes, and
;;; a sub-list is a block: "{", its words indented by one more tab, "}".
;;; Lines break before the name of a known execline chaining program
;;; (if, foreground, importas, ...; see `separators' below) and at the
;;; end of each block's contents, as in upstream distill:
;;;
;;;   (write-exexpr `(if (sysctl -p ,conf)
;;;                   forbacktickx file (pipeline (cat "a b") sort)
;;;                   importas file f echo $f))
;;;   prints
;;;   #!/bin/execlineb -P
;;;   if {
;;;   	sysctl -p /etc/sysctl.conf
;;;   }
;;;   forbacktickx file {
;;;   	pipeline {
;;;   		cat "a b"
;;;   	} sort
;;;   }
;;;   importas file f echo $f
;;;
;;; Quoting: execlineb reads back exactly the word given.  A string or
;;; symbol made only of printable ASCII other than '"', '\', '#', '{' and
;;; '}' is written bare; anything else (the empty string, whitespace,
;;; those five characters, control characters, non-ASCII text) is
;;; written between double quotes, with '"' and '\' backslashed, tab,
;;; newline and carriage return as \t, \n, \r, and every other byte
;;; outside printable ASCII (UTF-8 included) as \0xHH.  The script text
;;; is therefore pure ASCII whatever the port's encoding.  Bytevectors
;;; are always quoted.  A NUL cannot be in an argument, so a NUL
;;; character or byte is an error.
;;;
;;; Dollar signs: execlineb -P does no substitution; "$x" reaches the
;;; program as the two bytes "$x", quoted or not, so `$' is never a
;;; reason to quote and a symbol $x and a string "$x" produce the same
;;; word.  Substitution happens later, on argv, in importas, define,
;;; elglob, forx and friends (or with execlineb -s/-S shebangs), and
;;; applies to every word after them, so quoting could not protect a
;;; dollar sign anyway.  To pass a literal "$x" past such a program,
;;; write it the way execline's substitution rules require ("\\$x" in
;;; Scheme) or put the value where no substitution follows.
;;;
;;; Templates: elexpand, el=, elconc, elpath, eltemplate, elif and elif*
;;; follow upstream distill.  A "config procedure" is any procedure of
;;; one argument (the configuration); elexpand calls those found in a
;;; script and splices in their results.  Upstream also expanded its
;;; kvector records into KEY=value words; this port has no kvector type,
;;; so a procedure must return a word, a list of words or '().

(define-module (distill execline)
  #:use-module (rnrs bytevectors)
  #:use-module (ice-9 textual-ports)
  #:use-module (srfi srfi-1)
  #:use-module (distill text)
  #:use-module (distill filepath)
  #:export (execline-shebang
            write-exexpr
            exexpr->string
            elexpand
            eltemplate
            el=
            elconc
            elpath
            elif
            elif*))

;; execline-shebang is the first line write-exexpr writes by default:
;; run the script with execlineb, ignoring positional parameters.
(define execline-shebang "#!/bin/execlineb -P")

;; Chaining programs: a line break goes before each of these
;; (purely cosmetic; execlineb treats all whitespace alike).
(define separators
  '(background backtick case cd chroot define dollarat elgetopt
    elgetpositionals elglob emptyenv envfile exec execline-cd
    execline-umask export exportall fdblock fdclose fdmove fdreserve
    fdswap forbacktickx foreground forstdin forx getcwd getpid gptimage
    heredoc homeof if ifelse ifte ifthenelse importas loopwhilex
    multidefine multisubstitute nice pipeline piperw posix-cd
    posix-umask redirfd runblock shift su sudo trap tryexec umask
    unexport unshare wait withstdinas xargs))

(define (separator? x)
  (and (symbol? x) (memq x separators) #t))

;; Bytes that may appear in an unquoted word: printable ASCII except
;; '"' (starts a quoted part), '\' (escapes), '#' (comment), '{' '}'.
(define (bare-byte? b)
  (and (< 32 b 127) (not (memv b '(34 35 92 123 125)))))

(define hex-digits "0123456789abcdef")

(define (write-quoted bv obj port)
  (put-char port #\")
  (for-each
   (lambda (b)
     (case b
       ((0) (error "execline: a NUL cannot be part of an argument:" obj))
       ((34) (put-string port "\\\""))
       ((92) (put-string port "\\\\"))
       ((9) (put-string port "\\t"))
       ((10) (put-string port "\\n"))
       ((13) (put-string port "\\r"))
       (else
        (if (<= 32 b 126)
            (put-char port (integer->char b))
            (begin
              (put-string port "\\0x")
              (put-char port (string-ref hex-digits (quotient b 16)))
              (put-char port (string-ref hex-digits (remainder b 16))))))))
   (bytevector->u8-list bv))
  (put-char port #\"))

(define (write-text str port)
  (let ((bv (string->utf8 str)))
    (if (and (positive? (bytevector-length bv))
             (every bare-byte? (bytevector->u8-list bv)))
        (put-string port str)
        (write-quoted bv str port))))

(define (write-word x port)
  (cond
   ((string? x) (write-text x port))
   ((symbol? x) (write-text (symbol->string x) port))
   ((bytevector? x) (write-quoted x x port))
   ((exact-integer? x) (put-string port (number->string x 10)))
   ((and (real? x) (inexact? x) (not (nan? x)) (not (inf? x)))
    (put-string port (number->string x 10)))
   ((and (number? x) (not (real? x)))
    ;; '-i reads as a complex number; this shows up in 'sed -i'
    (error "execline: you almost certainly didn't mean to print:" x))
   (else (error "execline: cannot serialize:" x))))

(define (tabs n port)
  (put-string port (make-string n #\tab)))

;; Write the words of 'lst' (a block's contents or the whole script)
;; at indentation 'indent'; the first word is in head position.
(define (write-words lst indent port)
  (let loop ((lst lst) (head? #t))
    (let ((x (car lst)) (rest (cdr lst)))
      (cond
       ((null? x)
        (when head?
          (error "execline: unexpected empty block in head position" lst))
        (put-string port "{ }"))
       ((pair? x)
        (when head?
          (error "execline: unexpected block in head position" x))
        (unless (list? x)
          (error "execline: improper list:" x))
        (when (memq (car x) '(quote quasiquote unquote unquote-splicing))
          (error "execline: not a deliberate execline form:" x))
        (put-string port "{\n")
        (tabs (+ indent 1) port)
        (write-words x (+ indent 1) port)
        (tabs indent port)
        (put-char port #\}))
       (else (write-word x port)))
      (cond
       ((null? rest) (newline port))
       ((not (pair? rest)) (error "execline: improper list:" lst))
       ((separator? (car rest))
        (newline port)
        (tabs indent port)
        (loop rest #t))
       (else
        (put-char port #\space)
        (loop rest #f))))))

(define (render expr shebang)
  (unless (list? expr)
    (error "execline: a script must be a list:" expr))
  (unless (or (not shebang) (string? shebang))
    (error "execline: #:shebang must be a string or #f:" shebang))
  (call-with-output-string
    (lambda (port)
      (when shebang
        (put-string port shebang)
        (newline port))
      (unless (null? expr)
        (write-words expr 0 port)))))

(define (write-exexpr expr . args)
  "(write-exexpr expr [#:shebang line] [port]) writes the execline
script @var{expr} to @var{port} (default: the current output port): the
shebang line (default execline-shebang, \"#!/bin/execlineb -P\"; #f
for none) and then the words of @var{expr}, laid out and quoted as the
module comment describes, ending with a newline.  The whole text is
built before anything is written, so a script that cannot be rendered
raises an error and writes nothing."
  (let loop ((args args) (port (current-output-port)) (shebang execline-shebang))
    (cond
     ((null? args) (put-string port (render expr shebang)))
     ((eq? (car args) #:shebang)
      (when (null? (cdr args))
        (error "write-exexpr: #:shebang needs a value"))
      (loop (cddr args) port (cadr args)))
     ((output-port? (car args)) (loop (cdr args) (car args) shebang))
     (else (error "write-exexpr: unexpected argument:" (car args))))))

(define* (exexpr->string expr #:key (shebang execline-shebang))
  "(exexpr->string expr [#:shebang line]) is the text write-exexpr
would write for @var{expr}, as a string."
  (render expr shebang))

(define (word? x)
  (or (symbol? x) (string? x) (number? x) (bytevector? x)))

(define (elexpand conf lst)
  "(elexpand conf lst) expands the template @var{lst} for configuration
@var{conf}: words (symbols, strings, numbers, bytevectors) stay, '()
elements disappear, sub-lists are expanded in turn, and each procedure
is called as (proc conf) and replaced by its result: nothing for '(),
one word for a word, the elements of a list spliced in place.  Any
other element is an error."
  (append-map
   (lambda (x)
     (cond
      ((null? x) '())
      ((word? x) (list x))
      ((pair? x) (list (elexpand conf x)))
      ((procedure? x)
       (let ((v (x conf)))
         (cond
          ((null? v) '())
          ((word? v) (list v))
          ((list? v) v)
          (else (error "elexpand: cannot splice the result of a config procedure:" v)))))
      (else (error "elexpand: unexpected form in execline template:" x))))
   lst))

(define (eltemplate form)
  "(eltemplate form) is the config procedure (lambda (conf) (elexpand
conf form))."
  (lambda (conf) (elexpand conf form)))

(define (el->string x)
  (cond
   ((string? x) x)
   ((symbol? x) (symbol->string x))
   ((number? x) (number->string x 10))
   (else (error "execline template: cannot turn into text:" x))))

(define (el= head . rest)
  "(el= head rest ...) is a config procedure giving one string: @var{head}
(a string or symbol) directly followed by the expanded @var{rest}
separated by spaces.  Example: ((el= 'CFLAGS= \"-O2\" $arch-flag) conf)
=> \"CFLAGS=-O2 -march=...\"."
  (unless (or (string? head) (symbol? head))
    (error "el=: unexpected head element:" head))
  (lambda (conf)
    (string-append (el->string head)
                   (join-with " " (map el->string (elexpand conf rest))))))

(define (elconc . args)
  "(elconc arg ...) is a config procedure giving the concatenation of
the expanded @var{arg}s (strings, symbols, numbers): with $CC giving
\"gcc\", ((elconc \"foo\" $CC \"bar\") conf) => \"foogccbar\"."
  (lambda (conf)
    (string-concatenate (map el->string (elexpand conf args)))))

(define (elpath . args)
  "(elpath arg ...) is a config procedure giving (apply filepath-join
(elexpand conf (list arg ...)))."
  (lambda (conf)
    (apply filepath-join (elexpand conf args))))

(define (elif head body)
  "(elif head body) runs script @var{head} before script @var{body}:
(if head . body), or just @var{body} when @var{head} is #f.
@var{body} must be a non-empty list."
  (unless (pair? body)
    (error "elif: unexpected tail form:" body))
  (cond
   ((not head) body)
   ((list? head) (cons* 'if head body))
   (else (error "elif: unexpected head form:" head))))

(define (elif* head . rest)
  "(elif* s1 s2 ... sn) chains scripts in order, each inside an if
block except the last: (elif s1 (elif s2 ... sn)).  #f arguments are
skipped, so optional steps can be written (and cond (step))."
  (let loop ((head head) (rest rest))
    (if (null? rest)
        head
        (elif head (loop (car rest) (cdr rest))))))
