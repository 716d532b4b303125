;;; (distill package): packages, configs, and how one becomes the other.
;;;
;;; A package is a procedure of one argument, a config, that returns a
;;; plan (or an artifact, an input, or a list of those).  A config says
;;; what machine the package is built for (the host): its architecture,
;;; its triple, where its libraries go (the sysroot, /sysroot/<triple>) and
;;; its C environment (CC, CFLAGS, LD, AR...), and, unless it is itself the
;;; build machine's config, the config of the machine doing the build.
;;; Every package keeps two kinds of dependencies apart, as upstream distill
;;; does, so that cross-compiling needs no change to a package:
;;;
;;;   tools:   built for the build machine, placed at /
;;;   cross:   built for the host config but placed at / (the compiler
;;;            that runs on the build machine and targets the host)
;;;   libs:    built for the host, placed in its sysroot /sysroot/<triple>
;;;
;;; Config expansion: in build scripts, env: values and the other templates
;;; below, any procedure found inside a datum is called with the current
;;; config and its result put in its place (a list result is spliced, '()
;;; disappears), again and again until no procedure is left.  By
;;; convention such procedures are named $NAME ($CC, $triple, $cc-env...).
;;; A C environment ($cc-env, $make-overrides...) expands to KEY=value
;;; words in a script, and to one `export KEY value` each in env:.
;;;
;;; The build script of a package is execline (#!/bin/execlineb -P),
;;; written by (distill execline)'s exexpr->string: cd into the source
;;; directory, apply the patches, export the environment, run the body.
;;;
;;; The toolchain (compilers, libc, execline itself) is not defined here:
;;; three parameters, each a procedure of a config, supply it, and the
;;; toolchain's own module sets them.  Until then each one raises "no
;;; toolchain configured for <triple> yet"; tests parameterize them with
;;; small real artifacts.
;;;
;;;   base-tools-hook        (conf) -> what every build needs at / on the
;;;                          build machine CONF: execline, a shell, tools
;;;   cc-toolchain-hook      (conf) -> a cc-toolchain whose tools (at /)
;;;                          compile for CONF and whose libc goes in CONF's
;;;                          sysroot
;;;   native-toolchain-hook  (conf) -> a cc-toolchain for build = host =
;;;                          CONF (plain gcc, --sysroot=/), all placed at /
;;;
;;; Hooks and packages are called once per config (results are memoized
;;; on the procedure and the config, compared with eq?), so a package used
;;; twice under one config is one plan.
(define-module (distill package)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill execline)
  #:use-module (distill text)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:export (*this-machine*
            ;; C environments and toolchains
            make-cc-env cc-env? cc-env-ref cc-env->alist
            make-cc-toolchain cc-toolchain? cc-toolchain-tools cc-toolchain-libc
            base-tools-hook cc-toolchain-hook native-toolchain-hook
            ;; configs
            make-config config? default-config default-build-config build-config
            config-arch config-triple config-sysroot config-build
            config-cc-env config-native-cc-env
            triple->arch triple->sysroot
            $arch $triple $sysroot $build $native? $leaf $build-triple
            $cross-compile $cc-env $cc-toolchain $native-toolchain
            $cc-tools $libc $native-tools $native-libc
            $CC $CXX $CFLAGS $CXXFLAGS $LD $LDFLAGS $AR $ARFLAGS $AS $NM
            $RANLIB $STRIP $READELF $OBJCOPY
            $build-CC $build-LD $build-CFLAGS
            $make-overrides cc-env/build $cc-env/for-build $cc-env/for-kbuild
            $strip-cmd
            ;; expansion
            configure expander expand-datum spaced k=v* exports->script elpatch
            ;; packages
            package-template cc-package cmmi-package subpackage libs binaries
            url-translate patchfiles* config->builder debian-patch-steps)
  ;; upstream's name; Guile's core `bind' (sockets) is not for recipes
  #:replace (bind))

;; *this-machine* is the architecture distill runs on.
(define *this-machine*
  (string->symbol (car (string-split %host-type #\-))))

(define known-arches '(x86_64 aarch64 armv7 ppc64le ppc64 riscv64))

;;; C environments

;; The variables of a C environment, in the order they are exported.
(define cc-env-keys
  '(CC CFLAGS CXX CXXFLAGS LD LDFLAGS AS AR ARFLAGS NM RANLIB STRIP READELF
    OBJCOPY CBUILD CHOST))

(define-record-type <cc-env>
  (%cc-env alist)
  cc-env?
  (alist cc-env->alist))          ; ((SYMBOL . value) ...), in order

(define (key->symbol who k)
  (cond ((keyword? k) (keyword->symbol k))
        ((symbol? k) k)
        (else (recipe-error who "~s is not a variable name" (list k)))))

(define (make-cc-env . kvs)
  "(make-cc-env CC: \"gcc\" CFLAGS: '(-O2) ...) is a C environment.  Values
are strings, symbols, numbers, lists of those (exported separated by
spaces) or #f (not exported).  The variables are those of upstream's
<cc-env>: CC CFLAGS CXX CXXFLAGS LD LDFLAGS AS AR ARFLAGS NM RANLIB STRIP
READELF OBJCOPY CBUILD CHOST."
  (let loop ((kvs kvs) (alist '()))
    (cond
     ((null? kvs)
      (%cc-env (filter-map (lambda (k) (assq k alist)) cc-env-keys)))
     ((null? (cdr kvs))
      (recipe-error 'make-cc-env "~s has no value" (list (car kvs))))
     (else
      (let ((k (key->symbol 'make-cc-env (car kvs))))
        (unless (memq k cc-env-keys)
          (recipe-error 'make-cc-env "unknown variable ~a (known: ~a)"
                        (list k (join-with " " cc-env-keys))))
        (loop (cddr kvs) (cons (cons k (cadr kvs)) alist)))))))

(define (cc-env-ref env key)
  "The value of KEY (a symbol or keyword) in C environment ENV, or #f."
  (let ((p (assq (key->symbol 'cc-env-ref key) (cc-env->alist env))))
    (and p (cdr p))))

(define (cc-env-append env key extra)
  (%cc-env (map (lambda (p)
                  (if (eq? (car p) key)
                      (cons key (append (if (list? (cdr p)) (cdr p) (list (cdr p))) extra))
                      p))
                (cc-env->alist env))))

(define-record-type <cc-toolchain>
  (%cc-toolchain tools libc)
  cc-toolchain?
  (tools cc-toolchain-tools)      ; packages/artifacts placed at /
  (libc cc-toolchain-libc))       ; packages/artifacts placed in the sysroot

(define* (make-cc-toolchain #:key (tools '()) (libc '()))
  "A C toolchain: TOOLS (the compiler and binutils, placed at /) and LIBC
(the C library, placed in the host's sysroot)."
  (unless (and (list? tools) (list? libc))
    (recipe-error 'make-cc-toolchain "tools: and libc: must be lists" '()))
  (%cc-toolchain tools libc))

;;; Configs

(define-record-type <config>
  (%config arch triple sysroot cc-env native-cc-env build)
  config?
  (arch config-arch)                  ; symbol: x86_64, aarch64...
  (triple config-triple)              ; symbol: x86_64-linux-musl
  (sysroot config-sysroot)            ; "/sysroot/x86_64-linux-musl"
  (cc-env config-cc-env)              ; <cc-env> compiling for this machine
  (native-cc-env config-native-cc-env) ; <cc-env> of its native toolchain
  (build config-build))               ; the build machine's config, or #f

(define (no-toolchain hook)
  (lambda (conf)
    (recipe-error hook "no toolchain configured for ~a yet (~a is not set)"
                  (list (config-triple conf) hook))))

(define base-tools-hook (make-parameter (no-toolchain 'base-tools-hook)))
(define cc-toolchain-hook (make-parameter (no-toolchain 'cc-toolchain-hook)))
(define native-toolchain-hook (make-parameter (no-toolchain 'native-toolchain-hook)))

(define (triple->sysroot triple)
  "Where the libraries of TRIPLE's packages are placed: /sysroot/TRIPLE."
  (string-append "/sysroot/" (if (symbol? triple) (symbol->string triple) triple)))

(define (triple->arch triple)
  "The architecture of TRIPLE (its first component), a symbol."
  (string->symbol (car (string-split (if (symbol? triple) (symbol->string triple) triple)
                                     #\-))))

(define* (make-config #:key arch triple sysroot cc-env native-cc-env build)
  "A config: ARCH (a symbol), TRIPLE (a symbol; default ARCH-linux-musl),
SYSROOT (default /sysroot/TRIPLE), CC-ENV and NATIVE-CC-ENV (C
environments for the host and for its native toolchain) and BUILD (the
build machine's config, or #f when this config is the build machine)."
  (unless (memq arch known-arches)
    (recipe-error 'make-config "unknown architecture ~s (known: ~a)"
                  (list arch (join-with " " known-arches))))
  (let ((triple (or triple (symbol-append arch '-linux-musl))))
    (unless (and (cc-env? cc-env) (cc-env? native-cc-env))
      (recipe-error 'make-config "cc-env: and native-cc-env: must be C environments (make-cc-env)" '()))
    (unless (or (not build) (config? build))
      (recipe-error 'make-config "build: must be a config or #f, not ~s" (list build)))
    (%config arch triple (or sysroot (triple->sysroot triple)) cc-env native-cc-env build)))

(define (gcc-env triple build-triple flags)
  (let ((tool (lambda (name) (string-append (symbol->string triple) "-" name)))
        (sysroot (string-append "--sysroot=" (triple->sysroot triple))))
    (make-cc-env
     #:CBUILD build-triple #:CHOST triple
     #:CC (tool "gcc") #:CFLAGS (cons* sysroot '-fPIE '-static-pie '-pipe flags)
     #:CXX (tool "g++") #:CXXFLAGS (cons* sysroot '-fPIE '-static-pie '-pipe flags)
     #:LD (tool "ld") #:LDFLAGS (list sysroot '-static-pie)
     #:AS (tool "as") #:AR (tool "ar") #:ARFLAGS "-Dcr" #:NM (tool "nm")
     #:RANLIB (tool "ranlib") #:STRIP (tool "strip") #:READELF (tool "readelf")
     #:OBJCOPY (tool "objcopy"))))

(define native-gcc-env
  (make-cc-env
   #:CC "gcc" #:CFLAGS '(-fPIE -static-pie -pipe -O2)
   #:CXX "g++" #:CXXFLAGS '(-fPIE -static-pie -pipe -O2)
   #:LD "ld" #:LDFLAGS '(-static-pie)
   #:AS "as" #:AR "ar" #:ARFLAGS "-Dcr" #:NM "nm" #:RANLIB "ranlib"
   #:STRIP "strip" #:READELF "readelf" #:OBJCOPY "objcopy"))

(define* (default-config arch #:key (optflag '-O2) (sspflag '-fstack-protector-strong)
                         (extra-cflags '()) (build (build-config)))
  "The config for ARCH (x86_64, aarch64, ...) with gcc and musl, static
PIE binaries: compilers named TRIPLE-gcc and so on, CFLAGS with
--sysroot=/sysroot/TRIPLE, OPTFLAG, SSPFLAG (#f: -Og and
-fno-stack-protector) and EXTRA-CFLAGS.  BUILD is the build machine's
config (default: (build-config)); #f makes this config the build machine's."
  (for-each (lambda (f)
              (when (memq f extra-cflags)
                (recipe-error 'default-config "~a breaks reproducibility" (list f))))
            '(-march=native -mtune=native -mcpu=native))
  (unless (memq arch known-arches)
    (recipe-error 'default-config "unknown architecture ~s (known: ~a)"
                  (list arch (join-with " " known-arches))))
  (let ((triple (symbol-append arch '-linux-musl)))
    (make-config
     #:arch arch #:triple triple #:build build
     #:cc-env (gcc-env triple (if build (config-triple build) triple)
                       (cons* (or optflag '-Og) (or sspflag '-fno-stack-protector)
                              extra-cflags))
     #:native-cc-env native-gcc-env)))

;; default-build-config is the config of the machine distill runs on,
;; used for the tools of every package.
(define default-build-config (default-config *this-machine* #:build #f))

(define build-config
  ;; The build machine's config that default-config uses.
  (make-parameter default-build-config))

(define ($arch conf) (config-arch conf))
(define ($triple conf) (config-triple conf))
(define ($sysroot conf) (config-sysroot conf))
(define ($cc-env conf) (config-cc-env conf))
(define ($build conf)
  "The build machine's config: CONF's build config, or CONF itself."
  (or (config-build conf) conf))
(define ($native? conf)
  "Is CONF the build machine's own config?"
  (not (config-build conf)))
(define ($leaf conf)
  "The config at the end of CONF's chain of build configs."
  (if (config-build conf) ($leaf (config-build conf)) conf))
(define ($build-triple conf) (config-triple ($build conf)))
(define ($cross-compile conf)
  "The prefix of CONF's tools: \"TRIPLE-\"."
  (string-append (symbol->string (config-triple conf)) "-"))

(define (cenv key) (lambda (conf) (cc-env-ref (config-cc-env conf) key)))
(define $CC (cenv 'CC))
(define $CXX (cenv 'CXX))
(define $CFLAGS (cenv 'CFLAGS))
(define $CXXFLAGS (cenv 'CXXFLAGS))
(define $LD (cenv 'LD))
(define $LDFLAGS (cenv 'LDFLAGS))
(define $AR (cenv 'AR))
(define $ARFLAGS (cenv 'ARFLAGS))
(define $AS (cenv 'AS))
(define $NM (cenv 'NM))
(define $RANLIB (cenv 'RANLIB))
(define $STRIP (cenv 'STRIP))
(define $READELF (cenv 'READELF))
(define $OBJCOPY (cenv 'OBJCOPY))

(define (build-env key)
  (lambda (conf) (cc-env-ref (config-native-cc-env ($build conf)) key)))
;; $build-CC and friends compile programs that run on the build machine.
(define $build-CC (build-env 'CC))
(define $build-LD (build-env 'LD))
(define $build-CFLAGS (build-env 'CFLAGS))

(define ($make-overrides conf)
  "The part of CONF's C environment given to make as KEY=value arguments
(to override assignments in a Makefile)."
  (let ((env (config-cc-env conf)))
    (%cc-env (filter (lambda (p) (memq (car p) '(RANLIB STRIP NM READELF OBJCOPY AR ARFLAGS)))
                     (cc-env->alist env)))))

(define (cc-env/build conf rename)
  "The build machine's native C environment with each variable renamed by
RENAME (a procedure from symbol to symbol); unset variables are left out."
  (%cc-env (filter-map (lambda (p) (and (cdr p) (cons (rename (car p)) (cdr p))))
                       (cc-env->alist (config-native-cc-env ($build conf))))))

(define ($cc-env/for-build conf)
  "CC_FOR_BUILD, CFLAGS_FOR_BUILD...: the build machine's compiler, as
autotools configure scripts expect it."
  (cc-env/build conf (lambda (k) (symbol-append k '_FOR_BUILD))))

(define ($cc-env/for-kbuild conf)
  "HOSTCC, HOSTCFLAGS...: the build machine's compiler, as Kbuild expects it."
  (cc-env/build conf (lambda (k) (symbol-append 'HOST k))))

;;; Expansion

(define memo (make-weak-key-hash-table))

(define (memo-call proc conf)
  "(PROC CONF), computed once per PROC and CONF."
  (let* ((entries (hashq-ref memo proc '()))
         (hit (assq conf entries)))
    (if hit
        (cdr hit)
        (let ((v (proc conf)))
          (hashq-set! memo proc (cons (cons conf v) (hashq-ref memo proc '())))
          v))))

(define (configure x conf)
  "X (a package, plan, artifact, input or list) expanded with CONF: a
procedure is called with CONF (once per procedure and config) until the
result is not a procedure."
  (let loop ((x x))
    (cond ((procedure? x) (loop (memo-call x conf)))
          ((or (plan? x) (artifact? x) (input? x) (list? x)) x)
          (else (recipe-error 'configure "a package must give a plan, an artifact, an input or a list of them, not ~s"
                              (list x))))))

(define (expander conf)
  "A procedure expanding packages (see configure) with CONF."
  (unless (config? conf)
    (recipe-error 'expander "~s is not a config" (list conf)))
  (lambda (x) (configure x conf)))

(define (expand-all conf items)
  "ITEMS, a list that may nest, expanded with CONF and flattened: plans,
artifacts and inputs, each once (eq?), in order."
  (let ((out '()))
    (let walk ((x items))
      (let ((x (configure x conf)))
        (if (list? x)
            (for-each walk x)
            (unless (memq x out)
              (set! out (cons x out))))))
    (reverse out)))

(define (cc-env->words env)
  (filter-map (lambda (p) (and (cdr p) (string-append (symbol->string (car p)) "=" (spaced (cdr p)))))
              (cc-env->alist env)))

(define (expand-datum conf x)
  "The datum X with every procedure in it called with CONF, and its result
expanded again, until none is left; a procedure's or a C environment's
list result is spliced into the enclosing list."
  (define (value x)
    (cond ((procedure? x) (value (x conf)))
          ((cc-env? x) (cc-env->words x))
          ((list? x) (expand-list x))
          (else x)))
  (define (expand-list lst)
    (append-map (lambda (e)
                  (if (or (procedure? e) (cc-env? e))
                      (let ((v (value e)))
                        (if (list? v) v (list v)))
                      (list (value e))))
                lst))
  (value x))

(define (spaced x)
  "X as one string: a list's elements (nested lists flattened) separated
by spaces."
  (cond ((list? x) (join-with " " (map spaced x)))
        ((keyword? x) (symbol->string (keyword->symbol x)))
        ((symbol? x) (symbol->string x))
        ((string? x) x)
        ((number? x) (number->string x))
        (else (recipe-error 'spaced "cannot write ~s as text" (list x)))))

(define (k=v* . kvs)
  "(k=v* KEY: value ...) is the list of strings \"KEY=value\", with list
values separated by spaces."
  (let loop ((kvs kvs))
    (cond ((null? kvs) '())
          ((null? (cdr kvs)) (recipe-error 'k=v* "~s has no value" (list (car kvs))))
          (else (cons (string-append (symbol->string (key->symbol 'k=v* (car kvs)))
                                     "=" (spaced (cadr kvs)))
                      (loop (cddr kvs)))))))

(define (exports->script conf env body)
  "The execline script BODY preceded by one `export KEY value' for each
variable of ENV: a list of (KEY . value) pairs, C environments, #f
(skipped) and procedures of CONF giving those or lists of those.  Values
are expanded with CONF; lists are written separated by spaces."
  (define (text x) (spaced (expand-datum conf x)))
  (define (item e)
    (cond ((not e) '())
          ((procedure? e) (item (e conf)))
          ((cc-env? e) (append-map (lambda (p) (if (cdr p) (item p) '()))
                                   (cc-env->alist e)))
          ((and (pair? e) (or (symbol? (car e)) (string? (car e))))
           (list 'export (text (car e)) (text (cdr e))))
          ((list? e) (append-map item e))
          (else (recipe-error 'exports->script "bad env: element ~s" (list e)))))
  (append (if (list? env) (append-map item env) (item env)) body))

(define* (debian-patch-steps names #:key up)
  "The execline steps applying the patches NAMES in order, files of
/src/debian/patches (a Debian debian.tar.xz unpacked at /src, as its
series lists them), each with `patch -p1'; UP: from the directory above
the build's (patches naming the top directory of a source whose build
runs in a subdirectory)."
  (append-map (lambda (name)
                (let ((apply `(patch -p1 "-i" ,(string-append "/src/debian/patches/" name))))
                  `(if ,(if up (cons* 'cd '.. apply) apply))))
              names))

(define (elpatch patches body)
  "The execline script BODY preceded by `if { patch -p1 -i PATH }' for
each patch artifact of PATCHES."
  (append (append-map (lambda (p) (list 'if (list 'patch '-p1 "-i" (artifact-path p))))
                      patches)
          body))

(define $strip-cmd
  ;; Strip the executables under /out (errors on scripts are ignored).
  (eltemplate
   `(foreground (find /out -type f -perm -o+x -exec ,(elconc $triple "-strip") "{}" ";"))))

;;; Packages

(define (output-pin who label output-hash host)
  "The output hash OUTPUT-HASH pins for HOST: a hash for every config, an
alist of (ARCH . HASH) (no pin for an arch it does not name), or a
procedure of the config; #f for none."
  (cond ((not output-hash) #f)
        ((string? output-hash) output-hash)
        ((procedure? output-hash) (output-hash host))
        ((and (list? output-hash) (every pair? output-hash))
         (assq-ref output-hash ($arch host)))
        (else (recipe-error who "package ~a: output-hash: must be a hash, an alist of (arch . hash) or a procedure of the config, not ~s"
                            (list label output-hash)))))

(define* (package-template #:key label build (src '()) (cross '()) (tools '())
                           (inputs '()) (patches '()) (dir "/") (env '())
                           raw-output license output-hash)
  "A package named LABEL whose build script BUILD (an execline template,
or a procedure of the config giving one) runs in DIR after PATCHES are
applied and ENV is exported.  SRC (source artifacts), TOOLS (expanded for
the build machine) and CROSS (expanded for the host) are placed at /;
INPUTS (expanded for the host) in the host's sysroot.  The build
machine's base tools (base-tools-hook) are added.  RAW-OUTPUT and LICENSE
(an SPDX expression): see make-plan.  OUTPUT-HASH pins the output: a
hash, an alist of (ARCH . HASH), or a procedure of the config."
  (unless (string? label)
    (recipe-error 'package-template "label: must be a string, not ~s" (list label)))
  (unless (or (list? build) (procedure? build))
    (recipe-error 'package-template "package ~a: build: must be an execline template or a procedure, not ~s"
                  (list label build)))
  (for-each (lambda (what x) (check-list 'package-template what x))
            '("src:" "cross:" "tools:" "inputs:" "patches:")
            (list src cross tools inputs patches))
  (lambda (host)
    (unless (config? host)
      (recipe-error 'package-template "package ~a: ~s is not a config" (list label host)))
    (let* ((bld ($build host))
           (at-root (append (expand-all bld (list src (memo-call (base-tools-hook) bld) tools))
                            (expand-all host cross)))
           (libs (expand-all host inputs))
           (script (expand-datum host build))
           (buildfile (interned "/build" #o755
                                (exexpr->string
                                 (cons* 'cd dir (elpatch patches (exports->script host env script)))))))
      (make-plan
       #:name label
       #:raw-output raw-output
       #:license license
       #:output-hash (output-pin 'package-template label output-hash host)
       #:inputs (cons buildfile
                      (append
                       (map (lambda (x) (if (input? x) x (make-input #:basedir "/" #:link x)))
                            (delete-duplicates at-root eq?))
                       (map (lambda (x) (if (input? x) x (make-input #:basedir ($sysroot host) #:link x)))
                            (delete-duplicates libs eq?))))))))

(define (url-translate urlfmt name version)
  "URLFMT with \"$name\" and \"$version\" replaced by NAME and VERSION; #f
for #f."
  (define (replace s from to)
    (let ((i (string-contains s from)))
      (if i
          (string-append (substring s 0 i) to
                         (replace (substring s (+ i (string-length from))) from to))
          s)))
  (and urlfmt (replace (replace urlfmt "$name" name) "$version" version)))

(define (hook-toolchain who hook conf)
  "The cc-toolchain HOOK (named WHO) gives for CONF."
  (let ((tc (memo-call hook conf)))
    (unless (cc-toolchain? tc)
      (recipe-error who "gave ~s, not a cc-toolchain" (list tc)))
    tc))

(define ($cc-toolchain conf)
  "CONF's C toolchain (cc-toolchain-hook)."
  (hook-toolchain 'cc-toolchain-hook (cc-toolchain-hook) conf))

(define ($native-toolchain conf)
  "The native C toolchain of build machine CONF (native-toolchain-hook)."
  (hook-toolchain 'native-toolchain-hook (native-toolchain-hook) conf))

(define ($cc-tools conf) (cc-toolchain-tools ($cc-toolchain conf)))
(define ($libc conf) (cc-toolchain-libc ($cc-toolchain conf)))
(define ($native-tools conf) (cc-toolchain-tools ($native-toolchain conf)))
(define ($native-libc conf) (cc-toolchain-libc ($native-toolchain conf)))

(define* (%cc-package who name version urlfmt hash-or-art
                      #:key dir build no-libc use-native-cc raw-output
                      patches env libs tools cross extra-src license output-hash)
  (unless (and (string? name) (string? version))
    (recipe-error who "name and version must be strings, not ~s and ~s" (list name version)))
  (for-each (lambda (what x) (check-list who what x))
            '("patches:" "libs:" "cross:" "extra-src:")
            (list patches libs cross extra-src))
  (let* ((url (url-translate urlfmt name version))
         (src (cond (url (check-pin who hash-or-art) (remote-archive url hash-or-art))
                    ((artifact? hash-or-art) hash-or-art)
                    (else (recipe-error who "~a: without a URL the source must be an artifact, not ~s"
                                        (list name hash-or-art)))))
         (label (string-append name "-" version)))
    (unless build
      (recipe-error who "~a: build: is required" (list label)))
    (package-template
     #:label label
     #:raw-output raw-output
     #:license license
     #:output-hash output-hash
     #:patches patches
     #:src (cons src (append patches extra-src))
     #:env env
     #:dir (or dir label)
     #:cross (cons $cc-tools cross)
     #:tools (if use-native-cc
                 (cons* $cc-tools $libc $native-tools $native-libc
                        (if (list? tools) tools (list tools)))
                 (if (list? tools) tools (list tools)))
     #:inputs (if no-libc libs (cons $libc libs))
     #:build build)))

(define* (cc-package name version urlfmt hash-or-art
                     #:key dir build no-libc use-native-cc raw-output
                     (patches '()) (env '()) (libs '()) (tools '()) (cross '())
                     (extra-src '()) license output-hash)
  "A C/C++ package NAME VERSION from the archive at URLFMT (\"$name\" and
\"$version\" are replaced) pinned by HASH-OR-ART, or from the artifact
HASH-OR-ART when URLFMT is #f.  BUILD (required) is the build script,
run in DIR (default NAME-VERSION).  The host's C toolchain is added to
the tools and its libc to the libraries (unless NO-LIBC); USE-NATIVE-CC
adds a C toolchain for the build machine.  LIBS are placed in the
sysroot, TOOLS at /; PATCHES, ENV, CROSS, EXTRA-SRC, RAW-OUTPUT, LICENSE,
OUTPUT-HASH: see package-template."
  (%cc-package 'cc-package name version urlfmt hash-or-art
               #:license license #:output-hash output-hash
               #:dir dir #:build build #:no-libc no-libc
               #:use-native-cc use-native-cc #:raw-output raw-output
               #:patches patches #:env env #:libs libs #:tools tools
               #:cross cross #:extra-src extra-src))

(define* (cmmi-package name version urlfmt hash
                       #:key dir (patches '()) (env '())
                       (extra-configure '()) override-configure
                       override-make override-install out-of-tree
                       (libs '()) (tools '()) (cross '()) (extra-src '())
                       prepare cleanup native-cc (parallel #t) (extra-cflags '())
                       license output-hash)
  "A cc-package built by ./configure; make; make install DESTDIR=/out.
Configure gets --disable-shared --enable-static --disable-nls
--prefix=/usr --sysconfdir=/etc --build BUILD-TRIPLE --host TRIPLE and
EXTRA-CONFIGURE, or OVERRIDE-CONFIGURE instead of all that; OUT-OF-TREE
runs it from a build directory.  make gets $make-overrides, or
OVERRIDE-MAKE; make install gets OVERRIDE-INSTALL in place of
DESTDIR=/out install.  PREPARE runs before configure, CLEANUP after the
install; man and info pages and libtool .la files are removed and the
binaries stripped.  NATIVE-CC (e.g. $cc-env/for-build) is exported and
brings a compiler for the build machine; PARALLEL #f turns off make's
jobserver; EXTRA-CFLAGS are added to CFLAGS and CXXFLAGS.  LICENSE and
OUTPUT-HASH: see package-template."
  (let ((configure-args (or override-configure
                            (append `(--disable-shared --enable-static --disable-nls
                                      --prefix=/usr --sysconfdir=/etc
                                      --build ,$build-triple --host ,$triple)
                                    extra-configure)))
        (make-args (or override-make (list $make-overrides))))
    (%cc-package
     'cmmi-package name version urlfmt hash
     #:license license #:output-hash output-hash
     #:dir dir
     #:build
     (append
      (if parallel '() '(unexport MAKEFLAGS))
      (if prepare (list 'if prepare) '())
      (if out-of-tree
          `(if (mkdir -p distill-builddir) cd distill-builddir if (../configure ,@configure-args))
          `(if (./configure ,@configure-args)))
      `(if (make ,@make-args)
           if (make ,@(or override-install '(DESTDIR=/out install)))
           foreground (rm -rf /out/usr/share/man /out/usr/share/info)
           foreground (find /out -name "*.la" -exec rm -f "{}" ";"))
      (if cleanup (list 'if cleanup) '())
      (list $strip-cmd))
     #:use-native-cc (and native-cc #t)
     #:patches patches
     #:env
     (cons (if (null? extra-cflags)
               $cc-env
               (lambda (conf)
                 (cc-env-append (cc-env-append ($cc-env conf) 'CFLAGS extra-cflags)
                                'CXXFLAGS extra-cflags)))
           (let ((env (if (list? env) env (list env))))
             (if native-cc (cons native-cc env) env)))
     #:libs libs #:tools tools #:cross cross #:extra-src extra-src)))

(define (subpackage prefix sub . dirs)
  "A package holding only DIRS (relative paths such as \"./usr/lib/\") of
the output of package SUB, named PREFIX followed by SUB's name."
  (lambda (conf)
    (let ((child (configure sub conf)))
      (unless (plan? child)
        (recipe-error 'subpackage "~s is not a package giving a plan" (list sub)))
      (configure
       (package-template
        #:label (string-append prefix (plan-name child))
        #:dir ($sysroot conf)
        #:inputs (list child)
        #:build (append-map (lambda (d)
                       (let* ((rel (string-trim-right
                                    (if (string-prefix? "./" d) (substring d 2) d) #\/))
                              (parent (dirname rel)))
                         `(if (ifelse (test -d ,rel)
                                      (if (mkdir -p ,(if (string=? parent ".") "/out"
                                                         (string-append "/out/" parent)))
                                          cp -a ,rel ,(string-append "/out/" rel))
                                      true))))
                     dirs))
       conf))))

(define (libs pkg)
  "The libraries and headers of package PKG: /usr/lib, /lib,
/usr/include, /include, /usr/share."
  (subpackage "lib-" pkg "./usr/lib/" "./lib/" "./usr/include/" "./include/" "./usr/share/"))

(define (binaries pkg)
  "The programs of package PKG: /usr/bin, /bin, /usr/sbin, /sbin,
/usr/libexec, /libexec, /usr/share, /share."
  (subpackage "bin-" pkg "./usr/bin/" "./bin/" "./usr/sbin/" "./sbin/"
              "./usr/libexec/" "./libexec/" "./usr/share/" "./share/"))

(define (bind here there)
  "The file HERE placed at THERE: HERE is an artifact (moved to THERE) or
a host file found relative to the script's directory, then to each
directory of the load path (the library's root holds pkg/ and patches)."
  (or (update-path here there)
      (let* ((dirs (if (absolute-file-name? here)
                       '("")
                       (cons (or (current-script-directory) ".") %load-path)))
             (found (find file-exists?
                          (map (lambda (d) (if (string-null? d) here (string-append d "/" here)))
                               dirs))))
        (unless found
          (recipe-error 'bind "cannot find ~a (looked in ~a)"
                        (list here (join-with " " dirs))))
        (local-file found there))))

(define (patchfiles* . names)
  "The patch files NAMES (found as bind finds them) placed at
/src/patch-0.patch, /src/patch-1.patch..."
  (let loop ((names names) (n 0))
    (if (null? names)
        '()
        (cons (bind (car names) (string-append "/src/patch-" (number->string n) ".patch"))
              (loop (cdr names) (+ n 1))))))

(define (config->builder conf)
  "A procedure that expands packages with config CONF, builds them and
returns their outputs (the output hash of each plan, or the artifact)."
  (unless (config? conf)
    (recipe-error 'config->builder "~s is not a config" (list conf)))
  (lambda pkgs
    (let* ((xs (map (lambda (p) (configure p conf)) pkgs))
           (plans (filter plan? xs)))
      (unless (null? plans)
        (build-plans! plans))
      (map (lambda (x) (if (plan? x) (plan-outputs x) x)) xs))))
