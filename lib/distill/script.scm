;;; (distill script): how distill runs scripts and reports their errors.
;;;
;;; The C side (src/main.c's table of commands, through src/glue.c) calls
;;; one procedure here per command, as (PROC ARGS SCRIPT-ARGS BACKTRACE?):
;;; the command's arguments, the arguments after "--" (a script's own), and
;;; whether --backtrace was given.  A script is read form by form (postfix keywords
;;; on, positions recorded) and evaluated in a fresh module where R7RS
;;; `import` and Guile's own forms work.  Its `import` also takes upstream
;;; distill's CHICKEN forms: `scheme` and the (chicken ...) modules whose
;;; names Guile has anyway are dropped, the others refused, naming why
;;; (script-import).  A script that defines `system` (and maybe
;;; `platform`) and ends with a definition is a system script: its value
;;; is that system, laid out on that platform or on the PLATFORM of
;;; `distill build PLATFORM SYSTEM` (and fetch, list sources, verify,
;;; boot).  A recipe error is printed on one
;;; line as FILE:LINE:COLUMN: error: MESSAGE (lines and columns counted
;;; from 1), with Guile's backtrace only when --backtrace was given.  Each
;;; procedure returns the process exit status (docs/cli.md).
(define-module (distill script)
  #:use-module (distill boot)
  #:use-module (distill plan)
  #:use-module (distill sbom)
  #:use-module (distill core)
  #:use-module (distill check)
  #:use-module (ice-9 format)
  #:use-module (ice-9 rdelim)
  #:use-module (ice-9 regex)
  #:use-module (ice-9 textual-ports)
  #:use-module ((ice-9 session) #:select (procedure-arguments))
  #:use-module ((ice-9 ftw) #:select (scandir))
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:export (run-script build-script pin-script sbom-script fetch-script list-sources-script
            list-packages-script verify-script boot-script init-script))

(read-set! keywords 'postfix)

;; Exit statuses (docs/cli.md): src/exitcode.h's table, through (distill core).
(define exit-build %exit-build)
(define exit-usage %exit-usage)
(define exit-recipe %exit-recipe)
(define exit-system %exit-system)

(define (arity-text proc)
  "How PROC is called, e.g. \"(f a b #:key c)\"."
  (let ((a (procedure-arguments proc)))
    (format #f "(~a~{ ~a~}~a~a~a)" (or (procedure-name proc) "procedure")
            (assq-ref a 'required)
            (if (null? (assq-ref a 'optional)) ""
                (format #f " #:optional~{ ~a~}" (assq-ref a 'optional)))
            (if (null? (assq-ref a 'keyword)) ""
                (format #f " #:key~{ ~a~}"
                        (map (lambda (k) (keyword->symbol (car k))) (assq-ref a 'keyword))))
            (if (assq-ref a 'rest) (format #f " . ~a" (assq-ref a 'rest)) ""))))

(define (message-of key args)
  "The text of a Guile error (KEY . ARGS), first letter in lower case."
  (let ((text
         (cond
          ((and (eq? key 'wrong-number-of-args) (= (length args) 4)
                (pair? (caddr args)) (procedure? (car (caddr args))))
           (format #f "wrong number of arguments: ~a is called as ~a"
                   (or (procedure-name (car (caddr args))) "the procedure")
                   (arity-text (car (caddr args)))))
          ((and (eq? key 'keyword-argument-error) (= (length args) 4)
                (pair? (cadddr args)) (keyword? (car (cadddr args))))
           (format #f "~a ~a:" (cadr args) (keyword->symbol (car (cadddr args)))))
          ((and (eq? key 'misc-error) (= (length args) 4)
                (equal? (cadr args) "no code for module ~S") (pair? (caddr args)))
           (let ((name (car (caddr args))))
             (format #f "no module ~s: no ~a.scm beside the script, in $DISTILL_PATH or in the library"
                     name (string-join (map symbol->string name) "/"))))
          ((and (eq? key 'syntax-error) (= (length args) 5) (string? (cadr args)))
           ;; (WHO MESSAGE SOURCE FORM SUBFORM), the forms syntax objects.
           (let ((form (or (list-ref args 4) (list-ref args 3))))
             (if form
                 (format #f "~a: ~a" (cadr args) (describe (syntax->datum form)))
                 (cadr args))))
          ((and (pair? args) (= (length args) 4) (string? (cadr args)))
           (apply format #f (cadr args)
                  (if (list? (caddr args)) (map described (caddr args)) '())))
          ((and (pair? args) (string? (car args))) (car args))
          ((and (pair? args) (symbol? (car args)) (pair? (cdr args))
                (string? (cadr args)))
           (apply format #f (cadr args) (map described (cddr args))))
          (else (format #f "~a ~a" key (describe args))))))
    (if (and (> (string-length text) 1)
             (char-upper-case? (string-ref text 0))
             (char-lower-case? (string-ref text 1)))
        (string-append (string (char-downcase (string-ref text 0)))
                       (substring text 1))
        text)))

(define (innermost-with form pred)
  "The innermost pair of FORM satisfying PRED and carrying a position."
  (let walk ((x form) (best #f))
    (if (pair? x)
        (let ((best (if (and (pred x) (source-properties x)
                             (assq 'line (source-properties x)))
                        x best)))
          (let loop ((y x) (best best))
            (cond ((pair? y) (loop (cdr y) (walk (car y) best)))
                  (else best))))
        best)))

(define (contains? x sym)
  (or (eq? x sym)
      (and (pair? x) (or (contains? (car x) sym) (contains? (cdr x) sym)))))

(define (culprit key args)
  "What to look for in the form: a symbol the error names, or #f."
  (case key
    ((unbound-variable)
     (and (pair? args) (pair? (cddr args)) (pair? (caddr args))
          (symbol? (car (caddr args))) (car (caddr args))))
    (else
     (let ((who (and (pair? args) (car args))))
       (cond ((symbol? who) who)
             ((and (string? who) (not (string-null? who))) (string->symbol who))
             ((procedure? who) (procedure-name who))
             (else
              ;; "Wrong number of arguments to #<procedure foo ...>"
              (and (pair? args) (pair? (cddr args)) (pair? (caddr args))
                   (procedure? (car (caddr args)))
                   (procedure-name (car (caddr args))))))))))

(define (location file form key args)
  "FILE:LINE:COL of the error: the innermost part of the top-level FORM
that names the culprit, else FORM itself."
  (let* ((sym (culprit key args))
         (x (or (and sym
                     (innermost-with
                      form
                      (lambda (p)
                        (if (eq? key 'unbound-variable)
                            (memq sym p)
                            (eq? (car p) sym)))))
                ;; the call with an unknown keyword, the name of a missing module
                (and (eq? key 'keyword-argument-error) (= (length args) 4)
                     (pair? (cadddr args))
                     (innermost-with form (lambda (p) (memq (car (cadddr args)) p))))
                (and (eq? key 'misc-error) (= (length args) 4)
                     (equal? (cadr args) "no code for module ~S") (pair? (caddr args))
                     (innermost-with form (lambda (p) (equal? p (car (caddr args))))))
                (and (pair? form) (source-properties form)
                     (assq 'line (source-properties form)) form)))
         (props (and x (source-properties x))))
    (if props
        (format #f "~a:~a:~a" file (+ 1 (assq-ref props 'line))
                (+ 1 (assq-ref props 'column)))
        file)))

(define (missing-seed message)
  "When MESSAGE is the fetcher's failure to copy a seed package from the
seed directory, one line saying where the seed is looked for and what to
run; else #f."
  ;; (distill seed) is loaded by then, by the plans that need the seed.
  (let* ((dir ((module-ref (resolve-interface '(distill seed)) 'seed-directory)))
         (m (and dir (string-match
                      (string-append "^cannot fetch file://" (regexp-quote dir)
                                     "/([^ /]+) ")
                      message))))
    (and m
         (format #f "the seed package ~a is not in ~a, where this distill looks for the seed ($DISTILL_SEED, else seed/debs beside its Scheme library): run scripts/fetch-seed in distill's checkout, and set DISTILL_SEED to that checkout's seed/debs when distill runs from elsewhere"
                 (match:substring m 1) dir))))

(define (report file form key args stack)
  (cond
   ((eq? key 'quit)                     ; (exit N) from the script
    (let ((v (if (pair? args) (car args) 0)))
      (cond ((integer? v) v) ((eq? v #f) 1) (else 0))))
   ((eq? key 'distill-build-failed) exit-build)
   ((eq? key 'distill-fetch-error)
    (format (current-error-port) "distill: error: ~a~%"
            (or (missing-seed (car args)) (car args)))
    exit-build)
   ((eq? key 'distill-system-error)
    (format (current-error-port) "distill: error: ~a~%" (car args))
    exit-system)
   ((memq key '(read-error distill-toml-error))
    ;; Guile's reader and (distill toml) already say "FILE:LINE:COL: what".
    (let* ((text (message-of key args))
           (m (string-match "^(.*:[0-9]+:[0-9]+): (.*)$" text)))
      (if m
          (format (current-error-port) "~a: error: ~a~%"
                  (match:substring m 1) (match:substring m 2))
          (format (current-error-port) "~a: error: ~a~%" file text)))
    exit-recipe)
   (else
    (when stack
      (display-backtrace stack (current-error-port)))
    (format (current-error-port) "~a: error: ~a~%"
            (location file form key args) (message-of key args))
    exit-recipe)))

(define (script-problem file)
  "Why FILE cannot be read as a script (a strerror text), or #f."
  (catch 'system-error
    (lambda ()
      (cond ((eq? (stat:type (stat file)) 'directory) (strerror EISDIR))
            ((not (access? file R_OK)) (strerror EACCES))
            (else #f)))
    (lambda args (strerror (system-error-errno args)))))

(define (skip-blanks port)
  "Read the white space and line comments before PORT's next datum."
  (let ((c (peek-char port)))
    (cond ((eof-object? c))
          ((char-whitespace? c) (read-char port) (skip-blanks port))
          ((char=? c #\;) (read-line port) (skip-blanks port)))))

(define (positioned x line column)
  "X, or when it carries no position (an atom), a form holding it at
LINE:COLUMN (from 0), for the error's location."
  (if (and (pair? x) (source-properties x) (assq 'line (source-properties x)))
      x
      (let ((form (list x)))
        (set-source-properties! form `((line . ,line) (column . ,column)))
        form)))

;;; upstream's imports

(define chicken-harmless
  ;; (chicken NAME) modules whose names a recipe uses are Guile's too.
  '((base) (module) (syntax) (keyword)))

(define chicken-refused
  ;; Why the other (chicken NAME) modules are refused.
  '(((foreign) . "it calls C from Scheme, which no recipe can do here")
    ((process) . "it runs programs as the script is evaluated: a recipe names what to run in a plan's /build, in the sandbox")
    ((process-context) . "it reads the environment and arguments of the machine evaluating the script; a recipe must mean the same everywhere (a script's own arguments are (program-arguments))")
    ((string) . "its string-split and friends take other arguments than Guile's procedures of the same names: use (srfi srfi-13) or (distill text)")
    ((file) . "its file procedures differ from Guile's of the same names: use Guile's, or (distill filepath)")
    ((file posix) . "its file procedures differ from Guile's of the same names: use Guile's, or (distill filepath)")
    ((eval) . "distill evaluates the script itself, in Guile")))

(define (chicken-spec spec)
  "#f for the (chicken ...) library SPEC when Guile has its names anyway;
otherwise a recipe error saying why it is refused."
  (unless (member (cdr spec) chicken-harmless)
    (recipe-error 'chicken "~s is CHICKEN Scheme's, and distill evaluates scripts with Guile: ~a"
                  (list spec (or (assoc-ref chicken-refused (cdr spec))
                                 "it has no counterpart here that means the same: take what you need from Guile's modules ((srfi srfi-1), (ice-9 ...))"))))
  #f)

(define (import-spec spec)
  "What Guile's import is given for upstream's import SPEC: SPEC itself,
a library renamed (chicken.base, srfi-1), or #f for nothing to import
(scheme, whose names every script has)."
  (cond ((eq? spec 'scheme) #f)
        ((and (symbol? spec) (string-prefix? "chicken." (symbol->string spec)))
         (chicken-spec (map string->symbol (string-split (symbol->string spec) #\.))))
        ((and (symbol? spec) (string-prefix? "srfi-" (symbol->string spec)))
         (list 'srfi spec))
        ((symbol? spec)
         (recipe-error 'import "~a is no library: a library's name is a list, as (distill plan)"
                       (list spec)))
        ((and (pair? spec) (eq? (car spec) 'chicken)) (chicken-spec spec))
        ((and (pair? spec) (memq (car spec) '(only except prefix rename)) (pair? (cdr spec)))
         (let ((lib (import-spec (cadr spec))))
           (and lib (cons* (car spec) lib (cddr spec)))))
        (else spec)))

(define-syntax script-import
  ;; A script's import: Guile's, on the specs import-spec gives.
  (lambda (x)
    (syntax-case x ()
      ((kw spec ...)
       (with-syntax (((kept ...)
                      (filter-map (lambda (s)
                                    (let ((d (import-spec (syntax->datum s))))
                                      (and d (datum->syntax #'kw d))))
                                  #'(spec ...))))
         #'(import kept ...))))))

(define (script-module)
  "A fresh module for a script, with script-import as its import."
  (let ((module (make-fresh-user-module)))
    (module-add! module 'import (module-variable (resolve-module '(distill script)) 'script-import))
    module))

;;; system scripts

(define-record-type <system-script>
  (system-script system platform)
  system-script?
  (system system-script-system)         ; a (distill system) system
  (platform system-script-platform))    ; its platform, or #f

(define (local-value module name)
  (let ((v (module-local-variable module name)))
    (and v (variable-bound? v) (variable-ref v))))

(define (system-value? v)
  "Is V a (distill system) system?  (Only a script that loaded (distill
system) can give one: the module is not loaded to ask.)"
  (let ((m (resolve-module '(distill system) #f #:ensure #f)))
    ;; eval, not module-ref: a record predicate is an inlinable macro
    (and m ((eval 'system? m) v))))

(define (script-value module last)
  "A script's value: LAST, its last value, unless the script defines a
system `system` and ends with a definition (or with that system): then
a system script, with the platform `platform` when it defines one."
  (let ((sys (local-value module 'system)))
    (if (and sys (or (unspecified? last) (eq? last sys))
             (system-value? sys))
        (let ((plat (local-value module 'platform)))
          (when (and plat (not ((eval 'platform? (resolve-module '(distill platform))) plat)))
            (recipe-error 'platform "the script's platform is ~s, not a platform (make-platform)"
                          (list plat)))
          (system-script sys plat))
        last)))

(define (eval-script file args backtrace? then)
  "Evaluate FILE in a fresh module, then call THEN with the last value;
returns an exit status."
  (let ((module (script-module))
        (problem (script-problem file))
        (form #f)
        (stack #f))
    (set-program-arguments (cons file args))
    ;; Output is UTF-8 whatever the locale, as the script text is.
    (set-port-encoding! (current-output-port) "UTF-8")
    (set-port-encoding! (current-error-port) "UTF-8")
    (if problem
        (usage-error "cannot read the script ~a: ~a" file problem)
        (let ((dir (dirname (canonicalize-path file))))
          ;; (pkg x) and friends are found first beside the script.
          (set! %load-path (cons dir %load-path))
          (catch #t
            (lambda ()
              (let ((port (open-input-file file #:encoding "UTF-8")))
                (set-port-filename! port file)
                (let loop ((last *unspecified*))
                  (skip-blanks port)
                  (let* ((line (port-line port))
                         (column (port-column port))
                         (x (read port)))
                    (if (eof-object? x)
                        (begin (close-port port) (then (script-value module last)))
                        (begin (set! form (positioned x line column))
                               (loop (parameterize ((current-script-directory dir))
                                       (save-module-excursion
                                        (lambda ()
                                          (set-current-module module)
                                          (eval x module)))))))))))
            (lambda (key . args)
              (report file form key args stack))
            (lambda (key . args)
              (when backtrace?
                (set! stack (make-stack #t 2)))))))))

(define (package-names)
  "The names of the modules of pkg/ in the directories of the load path,
sorted, each once."
  (sort (delete-duplicates
         (append-map
          (lambda (dir)
            (filter-map (lambda (f)
                          (and (string-suffix? ".scm" f)
                               (string-drop-right f 4)))
                        (or (scandir (string-append dir "/pkg")) '())))
          %load-path))
        string<?))

(define (edit-distance a b)
  "The Levenshtein distance between the strings A and B."
  (let loop ((i 0) (row (iota (+ 1 (string-length b)))))
    (if (= i (string-length a))
        (last row)
        (loop (+ i 1)
              (reverse
               (fold (lambda (j up-left up acc)
                       (cons (min (+ 1 up) (+ 1 (car acc))
                                  (+ up-left (if (char=? (string-ref a i)
                                                         (string-ref b j))
                                                 0 1)))
                             acc))
                     (list (+ i 1))
                     (iota (string-length b)) row (cdr row)))))))

(define (did-you-mean name names)
  "\"; did you mean X?\" for the NAMES closest to NAME (a few edits away,
fewer than NAME has characters), or \"\"."
  (let* ((near (filter-map (lambda (n)
                             (let ((d (edit-distance name n)))
                               (and (<= d (max 2 (quotient (string-length name) 3)))
                                    (< d (string-length name))
                                    (cons d n))))
                           names))
         (best (and (pair? near) (apply min (map car near)))))
    (if best
        (format #f "; did you mean ~a?"
                (string-join (filter-map (lambda (x) (and (= (car x) best) (cdr x))) near)
                             " or "))
        "")))

(define (no-package name mod)
  "Say that there is no package NAME (MOD: its module, when there is one);
the exit status of bad usage."
  (format (current-error-port) "distill: error: ~a~a~%"
          (if mod
              (format #f "(pkg ~a) exports no package ~a; it exports ~a" name name
                      (string-join (sort (map symbol->string
                                              (module-map (lambda (sym var) sym)
                                                          (module-public-interface mod)))
                                         string<?)
                                   ", "))
              (format #f "no package ~a: no pkg/~a.scm on the load path (~a)~a"
                      name name (string-join %load-path ":")
                      (did-you-mean name (package-names))))
          (if (file-exists? name)
              (format #f " (a script is named with a / or .scm: ./~a)" name)
              ""))
  exit-usage)

(define (target-arch)
  "The architecture packages named on the command line are built for: the
command's --arch, default x86_64."
  (string->symbol (or (%command-option "arch") "x86_64")))

(define (package-value name)
  "The package NAME of (pkg NAME) configured for the command's --arch
(target-arch) with default-config of (distill base), or NAME's module (#f
when there is none) when it exports no NAME."
  (let* ((sym (string->symbol name))
         (mod (resolve-module `(pkg ,sym) #:ensure #f))
         (iface (and mod (module-public-interface mod))))
    (if (and iface (module-variable iface sym))
        (let ((conf ((module-ref (resolve-interface '(distill base)) 'default-config)
                     (target-arch)))
              (configure (module-ref (resolve-interface '(distill package)) 'configure)))
          (configure (module-ref iface sym) conf))
        (throw 'distill-no-target name (and iface mod)))))

(define (package-target name backtrace? then)
  "TARGET NAME, a name without / or .scm: the package NAME of (pkg NAME),
expanded for the command's --arch (package-value); call THEN with the result and return
its exit status."
  (let ((stack #f))
    (catch #t
      (lambda () (then (package-value name)))
      (lambda (key . args)
        (if (eq? key 'distill-no-target)
            (apply no-package args)
            (report name #f key args stack)))
      (lambda (key . args)
        (when backtrace?
          (set! stack (make-stack #t 2)))))))

(define (usage-error fmt . args)
  "Say what is wrong with the command line; the exit status of bad usage."
  (format (current-error-port) "distill: error: ~a~%" (apply format #f fmt args))
  exit-usage)

(define (script-name? name)
  "Does the TARGET NAME name a script (with a / or .scm), not a package?"
  (or (string-index name #\/) (string-suffix? ".scm" name)))

(define (toml-target file args backtrace? then)
  "The TOML description FILE ((distill toml), loaded only for one): call
THEN with its plans and return its exit status.  Each component of caching
= \"aggressive\" that THEN built is kept: the gc root toml-NAME holds it
(distill cache remove NAME drops it)."
  (let ((problem (script-problem file))
        (kept '())
        (stack #f))
    (cond
     (problem (usage-error "cannot read the description ~a: ~a" file problem))
     ((pair? args)
      (usage-error "~a is a TOML description: it takes no arguments (~{~a~^ ~})" file args))
     (else
      (catch #t
        (lambda ()
          (let ((status
                 (then ((module-ref (resolve-interface '(distill toml)) 'toml-plans)
                        file
                        package: (lambda (name)
                                   (catch 'distill-no-target
                                     (lambda () (package-value name))
                                     (lambda _ #f)))
                        keep: (lambda (name plan) (set! kept (acons name plan kept)))
                        system: toml-system))))
            (for-each (lambda (k)
                        (when (plan-built? (cdr k))
                          (%add-root (string-append "toml-" (car k)) (plan-hash (cdr k)))))
                      kept)
            status))
        (lambda (key . args) (report file #f key args stack))
        (lambda (key . args)
          (when backtrace?
            (set! stack (make-stack #t 2)))))))))

(define (service-named name args)
  "The service NAME of (svc NAME): its value NAME; given ARGS (keywords
and values), what the one procedure of the module whose name ends in
-service makes of them."
  (let* ((mod (resolve-module `(svc ,(string->symbol name)) #:ensure #f))
         (iface (and mod (module-public-interface mod)))
         (makers (if iface
                     (filter (lambda (s) (string-suffix? "-service" (symbol->string s)))
                             (module-map (lambda (k v) k) iface))
                     '())))
    (cond ((not iface)
           (recipe-error 'system "no service ~s (no module (svc ~a))" (list name name)))
          ((null? args)
           (if (module-variable iface (string->symbol name))
               (module-ref iface (string->symbol name))
               (recipe-error 'system "(svc ~a) exports no service ~a" (list name name))))
          ((not (= (length makers) 1))
           (recipe-error 'system "service ~s takes no settings ((svc ~a) has no one NAME-service procedure)"
                         (list name name)))
          (else
           (catch 'keyword-argument-error
             (lambda () (apply (module-ref iface (car makers)) args))
             (lambda (key . a)
               (recipe-error 'system "service ~s: ~a is called as ~a"
                             (list name (message-of key a) (arity-text (module-ref iface (car makers)))))))))))

(define (toml-system platform hostname packages services files)
  "The boot spec of a TOML [system]: make-system of (distill system) with
the services of (svc NAME) by name, on the platform (plat PLATFORM), as
distill boot PLATFORM SYSTEM lays a script's system out."
  (let ((plat (platform-named platform)))
    (unless plat
      (recipe-error 'system "platform: no platform ~s (no module (plat ~a))" (list platform platform)))
    (platform-system-spec
     plat
     ((module-ref (resolve-interface '(distill system)) 'make-system)
      #:hostname hostname #:packages packages #:files files
      #:services (map (lambda (s) (service-named (car s) (cdr s))) services)))))

(define (target name args backtrace? then)
  "A command's TARGET NAME: a TOML description (NAME.toml), a script file,
evaluated with ARGS as its arguments, or the name of a package (which takes
none)."
  (cond ((string-suffix? ".toml" name)
         (toml-target name args backtrace? then))
        ((script-name? name)
         (eval-script name args backtrace? then))
        ((pair? args)
         (usage-error "~a is a package, not a script: it takes no arguments (~{~a~^ ~})"
                      name args))
        (else (package-target name backtrace? then))))

(define (with-targets names args backtrace? then)
  "A command's TARGETs, NAMES, each evaluated with ARGS, in turn; then
THEN with all their plans, in order, and those of them that are system
images.  NAMES may be a PLATFORM and at most one SYSTEM script instead:
the image of the system (default: the minimal system) on the platform.
Returns the exit status of THEN, or that of the first target that fails."
  (let ((plat (platform-or-failed (car names))))
    (cond
     ((eq? plat 'failed) exit-recipe)
     (plat
      (platform-system (car names) plat (cdr names) args backtrace?
                       (lambda (system)
                         (let ((disk (list ((platform-ref 'platform-disk) plat system))))
                           (then disk disk)))))
     (else
      (let loop ((names names) (plans '()) (images '()))
        (if (null? names)
            (then plans images)
            (target (car names) args backtrace?
                    (lambda (v)
                      (let ((ps (script-plans v)))
                        (loop (cdr names) (append plans ps)
                              (if (system-script? v) (append images ps) images)))))))))))

(define (platform-system name plat system args backtrace? then)
  "THEN with the system of the script SYSTEM (a list of one name, or '():
the minimal system), evaluated with ARGS, to lay out on the platform PLAT
named NAME; the exit status of THEN, or of the failure."
  (cond ((and (pair? system) (pair? (cdr system)))
         (usage-error "~a is a platform: it takes one SYSTEM, not ~{~a~^ ~}" name system))
        ((and (pair? system) (not (script-name? (car system))))
         (usage-error "~a is a platform, and ~a is no script to lay out on it (a script is named with a / or .scm)"
                      name (car system)))
        ((null? system)
         (if (pair? args)
             (usage-error "the minimal system of ~a is no script: it takes no arguments" name)
             (catch #t
               (lambda () (then ((platform-ref 'minimal-system))))
               (lambda (key . args) (report name #f key args #f)))))
        (else
         (eval-script (car system) args backtrace?
                      (lambda (v)
                        (then (if (system-script? v) (system-script-system v) v)))))))

(define (run-script argv args backtrace?)
  "distill run [SCRIPT ARGS... [-- ARGS...]]: evaluate SCRIPT with all the
ARGS, or start a REPL."
  (if (null? argv)
      (begin
        (set-current-module (script-module))
        ((module-ref (resolve-interface '(ice-9 top-repl)) 'top-repl))
        0)
      (eval-script (car argv) (append (cdr argv) args) backtrace? (lambda (v) 0))))

(define (script-plans v)
  "The plans a script's value V names: a plan or a list of plans, a boot
spec's plans (a TOML [system]), or the image of a system script on its
platform."
  (cond ((plan? v) (list v))
        ((boot-spec? v) (boot-spec-plans v))
        ((and (system-script? v) (system-script-platform v))
         (list ((platform-ref 'platform-disk) (system-script-platform v)
                (system-script-system v))))
        ((or (system-script? v) (system-value? v))
         (recipe-error 'system "the script gives ~s and no platform to lay it out on: name one before it (as in distill build qemu-system-x86_64 FILE), or define platform in it"
                       (list (if (system-script? v) (system-script-system v) v))))
        ((and (list? v) (every plan? v)) v)
        (else (error "the script must end with a plan or a list of plans, not" v))))

(define (fetch-script argv args backtrace?)
  "distill fetch TARGET...: fetch every source the plans of the TARGETs need."
  (with-targets
   argv args backtrace?
   (lambda (plans . _)
     (fetch-sources! plans)
     (format #t "~a sources present~%" (length (plan-sources plans)))
     0)))

(define (list-sources-script argv args backtrace?)
  "distill list sources TARGET...: print each source's pin and URL."
  (with-targets
   argv args backtrace?
   (lambda (plans . _)
     (for-each (lambda (a)
                 (format #t "~a ~a~%" (artifact-pin a) (artifact-source a)))
               (plan-sources plans))
     0)))

(define (package-version name)
  "The version of the package NAME, from the name of the plan it gives
(\"NAME-VERSION\", as cc-package names it), or #f."
  (catch 'distill-no-target
    (lambda ()
      (let ((p (package-value name))
            (prefix (string-append name "-")))
        (and (plan? p) (string-prefix? prefix (plan-name p))
             (string-drop (plan-name p) (string-length prefix)))))
    (lambda _ #f)))

(define (list-packages-script argv args backtrace?)
  "distill list packages: each module of pkg/ on the load path, sorted, with
the version of the package of its name when it has one."
  (let ((name #f))
    (catch #t
      (lambda ()
        (for-each (lambda (n)
                    (set! name n)
                    (let ((v (package-version n)))
                      (format #t "~a~@[ ~a~]~%" n v)))
                  (package-names))
        0)
      (lambda (key . args) (report name #f key args #f)))))

(define (tree-entries root)
  "The entries under ROOT (a directory, or one file) as an alist of
relative path (\"\" for ROOT itself) to (TYPE MODE SIZE TARGET), TARGET
being a symlink's target."
  (let walk ((rel "") (acc '()))
    (let* ((path (if (string-null? rel) root (string-append root "/" rel)))
           (st (lstat path))
           (type (stat:type st))
           (acc (cons (list rel type (stat:perms st) (stat:size st)
                            (and (eq? type 'symlink) (readlink path)))
                      acc)))
      (if (eq? type 'directory)
          (fold (lambda (name acc)
                  (walk (if (string-null? rel) name (string-append rel "/" name)) acc))
                acc (scandir path (lambda (n) (not (member n '("." ".."))))))
          acc))))

(define (differing-files a b)
  "The paths that differ between the outputs A and B (type, mode, link
target or bytes), each as (PATH SIZE-A SIZE-B), a size #f where the path
is missing, sorted."
  (let ((ea (tree-entries a)) (eb (tree-entries b)))
    (define (at root rel) (if (string-null? rel) root (string-append root "/" rel)))
    (define (same? x y)
      (and (equal? (cdr x) (cdr y))
           (or (not (eq? (cadr x) 'regular))
               (equal? (%hash-file (at a (car x))) (%hash-file (at b (car y)))))))
    (sort (filter-map
           (lambda (rel)
             (let ((x (assoc rel ea)) (y (assoc rel eb)))
               (and (not (and x y (same? x y)))
                    (list rel (and x (list-ref x 3)) (and y (list-ref y 3))))))
           (delete-duplicates (map car (append ea eb))))
          (lambda (x y) (string<? (car x) (car y))))))

(define (report-difference name a b dir)
  "Name the files of outputs A and B of plan NAME that differ, with their
sizes; with diffoscope on PATH, write its report under DIR and name it."
  (for-each (lambda (d)
              (format #t "  differs: /~a (~a -> ~a)~%" (car d)
                      (if (cadr d) (format #f "~a bytes" (cadr d)) "missing")
                      (if (caddr d) (format #f "~a bytes" (caddr d)) "missing")))
            (differing-files a b))
  (when (search-path (parse-path (getenv "PATH")) "diffoscope")
    (let ((out (string-append dir "/diffoscope-" name ".txt")))
      (system* "diffoscope" "--no-progress" "--text" out a b)
      (format #t "  diffoscope: ~a~%" out))))

(define (verify-script argv args backtrace?)
  "distill verify TARGET...: build the TARGETs' plans, then build every plan
again in a fresh temporary store with the build's environment varied
(vary.h: umask, TZ, locale, -j and CPUs, build id, directory order), and
report plan by plan whether the outputs are bit-identical and, when not,
which files differ."
  (with-targets
   argv args backtrace?
   (lambda (plans . _)
     (let* ((tmpdir (or (getenv "TMPDIR") "/tmp"))
            (fresh (mkdtemp (string-append tmpdir "/distill-verify.XXXXXX"))))
       (build-plans! plans)
       (let* ((all (delete-duplicates   ; a plan made twice is one plan
                    (plan-closure plans)
                    (lambda (a b) (equal? (plan-hash a) (plan-hash b)))))
              (first (map (lambda (p) (list (plan-hash p) (plan-outputs p)
                                            (plan-output-path p)))
                          all))
              (local (plan-local-blobs plans))
              (varied #f)
              (second (%call-with-store
                       fresh
                       (lambda ()
                         (for-each %intern-file local)
                         (build-plans! plans)
                         (set! varied (%varied))
                         (map (lambda (p) (list (plan-outputs p) (plan-output-path p)))
                              all))))
              (bad (begin
                     (format #t "second build ~a~%" varied)
                     (filter-map
                      (lambda (p a b)
                        (if (equal? (cadr a) (car b))
                            (begin (format #t "reproducible ~a ~a~%" (plan-name p) (cadr a))
                                   #f)
                            (begin (format #t "DIFFERS ~a: ~a in the store, ~a rebuilt: diff -r ~a ~a~%"
                                           (plan-name p) (cadr a) (car b) (caddr a) (cadr b))
                                   (report-difference (plan-name p) (caddr a) (cadr b) fresh)
                                   p)))
                      all first second))))
         (format #t "~a of ~a plans reproducible~%" (- (length all) (length bad)) (length all))
         (if (null? bad)
             (begin (%remove-tree fresh) 0)
             (begin (format #t "the fresh store is kept at ~a~%" fresh) exit-build)))))))

(define (json-string s)
  "S as a JSON string: quote, backslash and control characters escaped."
  (call-with-output-string
    (lambda (port)
      (write-char #\" port)
      (string-for-each
       (lambda (c)
         (cond ((memv c '(#\" #\\)) (write-char #\\ port) (write-char c port))
               ((char<? c #\space) (format port "\\u~4,'0x" (char->integer c)))
               (else (write-char c port))))
       s)
      (write-char #\" port))))

(define (tree-size path)
  "The bytes of the file PATH, or of the files under the directory PATH."
  (let ((st (lstat path)))
    (if (eq? (stat:type st) 'directory)
        (fold (lambda (name sum) (+ sum (tree-size (string-append path "/" name))))
              0 (scandir path (lambda (n) (not (member n '("." ".."))))))
        (stat:size st))))

(define (print-json plans)
  "--json: one JSON document on stdout, a result per plan of PLANS:
plan hash, name, output hash, store path and size (null when there is
none), status (built, cached, failed or skipped)."
  (define (str-or-null x) (if x (json-string x) "null"))
  (display "{\"results\": [")
  (let loop ((ps plans) (sep ""))
    (unless (null? ps)
      (let* ((p (car ps))
             (path (and (plan-built? p) (plan-output-path p))))
        (format #t "~a~%  {\"plan\": ~a, \"name\": ~a, \"output\": ~a, \"path\": ~a, \"size\": ~a, \"status\": ~a}"
                sep (str-or-null (plan-hash p)) (json-string (plan-name p))
                (str-or-null (plan-outputs p)) (str-or-null path)
                (if path (tree-size path) "null")
                (json-string (symbol->string (or (plan-state p) 'skipped))))
        (loop (cdr ps) ","))))
  (display "\n]}\n"))

(define (build-script argv args backtrace?)
  "distill build TARGET...: build the plans, or lists of plans, the TARGETs
end with, or the images of the systems; distill build PLATFORM [SYSTEM]:
the image of SYSTEM on PLATFORM.  An image's line also gives its size in
bytes."
  (with-targets
   argv args backtrace?
   (lambda (plans images)
     (cond ((%dry-run?) (build-plans! plans))
           ((%json?)
            (catch 'distill-build-failed
              (lambda () (build-plans! plans))
              (lambda (key . rest)
                (print-json plans)
                (apply throw key rest)))
            (print-json plans))
           (else
            (build-plans! plans)
            (print-outputs plans images)
            (%result-links (map (lambda (p) (cons (plan-output-kind p) (plan-outputs p)))
                                plans))))
     0)))

(define (print-outputs plans images)
  "Print \"<output-hash> <store path>\" for each of PLANS, built, and
the size in bytes of those that are IMAGES of systems (of their files,
for an image that is a tree: an OCI layout and its tar)."
  (for-each
   (lambda (p)
     ;; display, not format: this loop runs once per target
     (display (plan-outputs p))
     (display " ")
     (display (plan-output-path p))
     (when (memq p images)              ; a system's image: its size too
       (display " ")
       (display (tree-size (plan-output-path p))))
     (newline))
   plans))

(define (pin-script argv args backtrace?)
  "distill pin TARGET...: build as build-script does, then write the pins
file (--pins, default distill.pins) of every plan the TARGETs need."
  (with-targets
   argv args backtrace?
   (lambda (plans images)
     (build-plans! plans)
     (unless (%dry-run?)
       (print-outputs plans images)
       (let ((n (%write-pins)))
         (format (current-error-port) "pinned the outputs of ~a plan~a~%"
                 n (if (= n 1) "" "s"))))
     0)))

(define (sbom-script argv args backtrace?)
  "distill sbom TARGET...: build as build-script does, then print the SPDX
2.3 document (JSON) of the TARGETs' plans and everything they need."
  (with-targets
   argv args backtrace?
   (lambda (plans images)
     (build-plans! plans)
     (unless (%dry-run?)
       (write-json (plans->spdx plans))
       (newline))
     0)))

(define (platform-named name)
  "The platform NAME of (plat NAME), or #f when there is no such module."
  (and (not (script-name? name))
       (let* ((sym (string->symbol name))
              (mod (resolve-module `(plat ,sym) #:ensure #f))
              (iface (and mod (module-public-interface mod))))
         (and iface (module-variable iface sym)
              (module-ref iface sym)))))

(define (platform-ref name)
  ;; (distill platform) is loaded only to boot on a platform: it pulls in
  ;; the toolchain and packages, which other commands need not load.
  (module-ref (resolve-interface '(distill platform)) name))

(define (platform-or-failed name)
  "The platform NAME (platform-named), #f, or 'failed when loading (plat
NAME) failed (reported)."
  (catch #t
    (lambda () (platform-named name))
    (lambda (key . args)
      (report name #f key args #f)
      'failed)))

(define (platform-system-spec plat system)
  "The boot spec of SYSTEM (a system, or a script's last value: a plan
or list of root items) on PLAT."
  ((platform-ref 'platform-boot-spec) plat (if (plan? system) (list system) system)))

(define (script-boot-spec v)
  "The boot spec of a script's value V: a system script's on its
platform, else (distill boot)'s ->boot-spec."
  (if (system-script? v)
      (begin
        (script-plans v)                ; the error of a system without platform
        (platform-system-spec (system-script-platform v) (system-script-system v)))
      (->boot-spec v)))

(define (boot-script argv args backtrace?)
  "distill boot TARGET: build the boot spec, or disk image plan, TARGET ends
with (or the system it defines, on its platform) and run it in QEMU
((distill boot), src/boot.c).  distill boot PLATFORM [SYSTEM]: boot the
system SYSTEM defines or ends with (or the items of its root file
system), or the minimal system, on the platform (plat PLATFORM).  ARGS
are the script's own arguments."
  (let ((plat (platform-or-failed (car argv))))
    (cond ((eq? plat 'failed) exit-recipe)
          ((and (not plat) (pair? (cdr argv)))
           (usage-error "~a is not a platform, so it takes no SYSTEM ~a (a script's own \
arguments come after --)" (car argv) (cadr argv)))
          ((not plat)
           (target (car argv) args backtrace? (lambda (v) (boot! (script-boot-spec v)))))
          (else
           (platform-system (car argv) plat (cdr argv) args backtrace?
                            (lambda (system) (boot! (platform-system-spec plat system))))))))

(define (init-script argv args backtrace?)
  "distill init [FILE]: write the starter system, examples/system.scm of
the library's root, to FILE (system.scm), never over an existing file."
  (let ((file (if (null? argv) "system.scm" (car argv)))
        (starter (search-path %load-path "examples/system.scm")))
    (if (not starter)
        (begin
          (format (current-error-port) "distill: error: examples/system.scm is not in \
distill's library (looked in ~a); reinstall distill~%" (string-join %load-path " "))
          exit-system)
        (write-starter (call-with-input-file starter get-string-all #:encoding "UTF-8")
                       file))))

(define (write-starter text file)
  "Write TEXT to FILE, a new file, and say what to do next."
  (catch 'system-error
    (lambda ()
      (let ((port (open file (logior O_WRONLY O_CREAT O_EXCL) #o644)))
        (set-port-encoding! port "UTF-8")
        (display text port)
        (close-port port)
        (format #t "wrote ~a: a system with DHCP, chrony and SSH certificate logins.
Make its CA beside it, then boot it:
  ssh-keygen -t ed25519 -N '' -f ~a/ca
  distill boot qemu-system-x86_64 ~a --forward 2222:22 --state var.qcow2~%"
                file (dirname file) file)
        0))
    (lambda (key . args)
      (format (current-error-port) "distill: error: cannot write ~a: ~a~a~%"
              file (strerror (system-error-errno (cons key args)))
              (if (file-exists? file) " (distill init never writes over a file)" ""))
      exit-usage)))
