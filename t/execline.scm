;; Tests for (distill execline): exact layout of the documented example,
;; and quoting checked against the real execlineb: every word written
;; by write-exexpr must reach the program as exactly the original bytes,
;; at top level and inside (nested) blocks.
(use-modules (distill execline)
             (distill tap)
             (rnrs bytevectors)
             (ice-9 binary-ports)
             (ice-9 popen)
             (srfi srfi-1))

(define execlineb "/usr/bin/execlineb")
(define printf-nul '(/usr/bin/printf "%s\\0"))

(test-begin)

;; ---- layout -------------------------------------------------------

(define conf "/etc/sysctl.conf")

(define example
  `(if (sed -e s/foo/bar/g "s/foo = bar/bar = foo/g" file)
       ifelse (echo #u8(127 69 76 70)) (echo "echo failed")
       if (sysctl -p ,conf)
       forbacktickx file (pipeline
                          (elglob extra "/etc/sysctl.d/*.conf" echo $extra)
                          sort)
       importas file f
       echo $f))

(define example-text
  (string-append
   "#!/bin/execlineb -P\n"
   "if {\n"
   "\tsed -e s/foo/bar/g \"s/foo = bar/bar = foo/g\" file\n"
   "}\n"
   "ifelse {\n"
   "\techo \"\\0x7fELF\"\n"
   "} {\n"
   "\techo \"echo failed\"\n"
   "}\n"
   "if {\n"
   "\tsysctl -p /etc/sysctl.conf\n"
   "}\n"
   "forbacktickx file {\n"
   "\tpipeline {\n"
   "\t\telglob extra /etc/sysctl.d/*.conf echo $extra\n"
   "\t} sort\n"
   "}\n"
   "importas file f echo $f\n"))

(is (exexpr->string example) example-text "documented example, byte for byte")
(is (call-with-output-string (lambda (p) (write-exexpr example p)))
    example-text "write-exexpr to a port")
(is (with-output-to-string (lambda () (write-exexpr example)))
    example-text "write-exexpr to the current output port")
(is (call-with-output-string
      (lambda (p) (write-exexpr '(true) #:shebang "#!/bin/execlineb -S0" p)))
    "#!/bin/execlineb -S0\ntrue\n" "#:shebang before the port")
(is (call-with-output-string
      (lambda (p) (write-exexpr '(true) p #:shebang #f)))
    "true\n" "#:shebang #f after the port: no shebang line")
(is (exexpr->string '() #:shebang #f) "" "empty script")
(is (exexpr->string '(foreground () echo 1 2.5 -3) #:shebang #f)
    "foreground { } echo 1 2.5 -3\n" "empty block and numbers")
(is (exexpr->string '(a (b (c (d)) e) f) #:shebang #f)
    "a {\n\tb {\n\t\tc {\n\t\t\td\n\t\t}\n\t} e\n} f\n"
    "deep nesting indents with one tab per level")
(is (exexpr->string '(if (true) if (true) x y) #:shebang #f)
    "if {\n\ttrue\n}\nif {\n\ttrue\n} x y\n"
    "line breaks only before chaining programs")

(define (raises? thunk)
  (catch #t (lambda () (thunk) #f) (lambda _ #t)))

(ok (raises? (lambda () (exexpr->string '(echo "a\x00;b")))) "NUL in a string is an error")
(ok (raises? (lambda () (exexpr->string '(echo #u8(1 0))))) "NUL in a bytevector is an error")
(ok (raises? (lambda () (exexpr->string '(sed -i x)))) "complex number (-i) is an error")
(ok (raises? (lambda () (exexpr->string '(echo 'x)))) "quote form is an error")
(ok (raises? (lambda () (exexpr->string '((echo) x)))) "block in head position is an error")
(ok (raises? (lambda () (exexpr->string '(echo #t)))) "boolean is an error")
(let ((out (call-with-output-string
             (lambda (p)
               (catch #t
                 (lambda () (write-exexpr '(echo ok "bad\x00;") p))
                 (lambda _ #f))))))
  (is out "" "a failed write-exexpr writes nothing"))

;; ---- running scripts through the real execlineb ------------------

(define (run-script expr)
  "Write EXPR to a temporary file, run it with execlineb -P, and return
(exit-status . stdout-bytevector)."
  (let* ((tmp (mkstemp! (string-copy "/tmp/distill-execline-XXXXXX")))
         (name (port-filename tmp)))
    (write-exexpr expr tmp)
    (close-port tmp)
    (let* ((pipe (open-pipe* OPEN_READ execlineb "-P" name))
           (out (get-bytevector-all pipe))
           (status (close-pipe pipe)))
      (delete-file name)
      (cons (status:exit-val status)
            (if (eof-object? out) (make-bytevector 0) out)))))

(define (split-nul bv)
  "The NUL-terminated fields of BV, as a list of bytevectors."
  (let loop ((bytes (bytevector->u8-list bv)) (cur '()) (acc '()))
    (cond
     ((null? bytes)
      (reverse (if (null? cur) acc (cons (u8-list->bytevector (reverse cur)) acc))))
     ((zero? (car bytes))
      (loop (cdr bytes) '() (cons (u8-list->bytevector (reverse cur)) acc)))
     (else (loop (cdr bytes) (cons (car bytes) cur) acc)))))

(define (word->bytes w)
  (cond
   ((string? w) (string->utf8 w))
   ((symbol? w) (string->utf8 (symbol->string w)))
   ((number? w) (string->utf8 (number->string w)))
   (else w)))

(define (args-of expr)
  (let ((r (run-script expr)))
    (and (eqv? (car r) 0) (split-nul (cdr r)))))

(define (in-block words)
  `(foreground (,@printf-nul ,@words) /usr/bin/true))

(define (in-two-blocks words)
  `(if (foreground (,@printf-nul ,@words) /usr/bin/true) /usr/bin/true))

(define table
  (list ""
        " "
        "two words"
        "  leading spaces"
        "trailing "
        "tab\there"
        "new\nline"
        "\n"
        "cr\rx"
        "quote\"inside"
        "\""
        "back\\slash"
        "\\"
        "\\\\"
        "\\\"\\"
        "$x"
        "${x}"
        "$"
        "$@"
        "{"
        "}"
        "{ }"
        "{a"
        "a}"
        "#"
        "#comment"
        "a#b"
        ";"
        "a;b"
        "-"
        "--"
        "-n"
        "-e"
        "\\0x41"
        "\\0x7fELF"
        "\\0101"
        "\\101"
        "\\0"
        "\\n"
        "\\x41"
        "\\\n"
        "'single'"
        "`tick`"
        "*?[]"
        "~user"
        "a=b"
        "!&|<>()"
        "caf\u00e9"
        "\u65e5\u672c\u8a9e"
        (string #\e #\m #\o #\j #\i #\space (integer->char #x1f600))
        (string (integer->char 1))
        "\x7f;"
        "\x1b;[0m"
        "bell\a"
        "\v\f"
        "\u00a0nbsp"
        'sym
        '$var
        (string->symbol "symbol with space")
        (string->symbol "")
        42
        -7
        #u8()
        #u8(127 69 76 70)
        #u8(255 254)
        #u8(195 40)
        #u8(34 92 35 123 125 32)
        #u8(92 48 120 52 49)))

(ok (>= (length table) 30) "table has at least 30 words")

(for-each
 (lambda (w)
   (let ((want (list (word->bytes w)))
         (name (call-with-output-string (lambda (p) (write w p)))))
     (is (args-of `(,@printf-nul ,w)) want (string-append "top level: " name))
     (is (args-of (in-block (list w))) want (string-append "in a block: " name))))
 table)

(define every-char
  (append-map (lambda (c)
                (let ((ch (integer->char c)))
                  (list (string ch) (string #\a ch #\b))))
              (iota 127 1)))
(define high-bytes
  (map (lambda (b) (u8-list->bytevector (list b))) (iota 128 128)))
(define all-bytes (u8-list->bytevector (iota 255 1)))
(define all-words (append table every-char high-bytes (list all-bytes)))
(define all-want (map word->bytes all-words))

(is (args-of `(,@printf-nul ,@all-words)) all-want
    "every table word, every ASCII char alone and between letters, every high byte: top level")
(is (args-of (in-block all-words)) all-want "the same inside a block")
(is (args-of (in-two-blocks all-words)) all-want "the same two blocks deep")

;; a script exercising several block-taking programs at once
(define chained
  `(foreground (,@printf-nul "fg" "{" "")
    if (if (,@printf-nul "if in if" "}") /usr/bin/true)
    pipeline (,@printf-nul "piped" " x" "" "#")
    ifelse (/usr/bin/false) (,@printf-nul "wrong branch")
    /usr/bin/cat))
(is (args-of chained)
    (map string->utf8 '("fg" "{" "" "if in if" "}" "piped" " x" "" "#"))
    "foreground, nested if, pipeline and ifelse blocks")

(is (args-of '(if (/usr/bin/false) /usr/bin/printf "not reached")) #f
    "a failing if block stops the script")

;; the same text through execlineb -c (no shebang line)
(let* ((text (exexpr->string (in-block table) #:shebang #f))
       (pipe (open-pipe* OPEN_READ execlineb "-P" "-c" text))
       (out (get-bytevector-all pipe)))
  (close-pipe pipe)
  (is (split-nul out) (map word->bytes table) "execlineb -c reads the same words"))

;; ---- templates -------------------------------------------------

(define ($cc conf) (assq-ref conf 'cc))
(define ($flags conf) (assq-ref conf 'flags))
(define ($none conf) '())
(define cfg '((cc . "gcc") (flags . ("-O2" "-g"))))

(is (elexpand cfg `(make ,$cc ,$flags ,$none (sub ,$cc) ()))
    '(make "gcc" "-O2" "-g" (sub "gcc"))
    "elexpand calls, splices and drops")
(is ((elconc "foo" $cc "bar") cfg) "foogccbar" "elconc concatenates")
(is ((el= 'CFLAGS= $flags "-pipe") cfg) "CFLAGS=-O2 -g -pipe" "el= joins with spaces")
(is ((elpath "/usr" $cc "../lib" 'x) cfg) "/usr/lib/x" "elpath joins and normalizes")
(is ((eltemplate `(echo ,$cc)) cfg) '(echo "gcc") "eltemplate")
(is (elif* '(mkdir -p /x) #f '(cd /x) '(make))
    '(if (mkdir -p /x) if (cd /x) make)
    "elif* chains with if and skips #f")
(is (exexpr->string (elexpand cfg `(if (,$cc ,(elconc "-o" "out")) echo done)) #:shebang #f)
    "if {\n\tgcc -oout\n} echo done\n" "expanded template renders")

(test-end)
