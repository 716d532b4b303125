;;; (distill base): the configs recipes are built with, and the toolchain
;;; that makes default-config packages build for real.
;;;
;;; Upstream distill's scripts take default-config and default-build-config
;;; from here; they are defined in (distill package), with the three
;;; toolchain hooks.  Importing (distill base) sets those hooks (it calls
;;; each parameter with its new value once, when the module is loaded, so
;;; a test's `parameterize' still overrides them):
;;;
;;;   base-tools-hook        the seed tree (seed-plan): busybox as /bin/sh
;;;                          with its applets, execline in /bin, GNU make,
;;;                          gcc-12 and binutils for programs of the build
;;;                          machine
;;;   cc-toolchain-hook      tools: the seed and x86_64-linux-musl-gcc
;;;                          (musl-gcc-tools); libc: musl 1.2.3 built from
;;;                          source, placed at /sysroot/x86_64-linux-musl
;;;   native-toolchain-hook  the same toolchain: the build machine is
;;;                          x86_64-linux-musl too.  Its CC, `gcc', is the
;;;                          seed's gcc-12 (glibc, static-pie), which is
;;;                          what $build-CC compiles the build's own
;;;                          helper programs with.
;;;
;;; The libc is an input placed at the host's sysroot explicitly, so it
;;; stays there even where a package puts its toolchain's libc among the
;;; tools at "/" (cc-package's use-native-cc: musl's headers must not
;;; cover glibc's in /usr/include).
;;;
;;; Only x86_64-linux-musl has a toolchain so far: for any other config
;;; the hooks raise "no toolchain configured for TRIPLE yet".  The seed and
;;; musl are one plan each for every package, made when a hook first needs
;;; them (so seed-deb and source-archive are read then).
(define-module (distill base)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:use-module (distill toolchain)
  #:re-export (default-config default-build-config build-config
               base-tools-hook cc-toolchain-hook native-toolchain-hook)
  #:export (seed-tree musl-libc base-tools musl-toolchain native-toolchain))

(define seed-promise (delay (seed-plan)))
(define musl-promise (delay (musl (seed-tree))))
(define toolchain-promise
  (delay (make-cc-toolchain
          #:tools (cons (seed-tree) (musl-gcc-tools))
          #:libc (list (make-input #:basedir musl-sysroot #:link (musl-libc))))))

(define (seed-tree)
  "The seed plan every package of (distill base) is built over."
  (force seed-promise))

(define (musl-libc)
  "The plan that builds musl for x86_64-linux-musl."
  (force musl-promise))

(define (supported who conf)
  (unless (and (equal? (symbol->string (config-triple conf)) musl-triple)
               (equal? (config-sysroot conf) musl-sysroot))
    (recipe-error who
                  "no toolchain configured for ~a yet (~a of (distill base) builds only for ~a, sysroot ~a)"
                  (list (config-triple conf) who musl-triple musl-sysroot))))

(define (base-tools conf)
  "What every build on build machine CONF has at \"/\": the seed tree."
  (supported 'base-tools-hook conf)
  (list (seed-tree)))

(define (musl-toolchain conf)
  "The C toolchain compiling for CONF: the seed and x86_64-linux-musl-gcc
at \"/\", musl at the sysroot."
  (supported 'cc-toolchain-hook conf)
  (force toolchain-promise))

(define (native-toolchain conf)
  "The native toolchain of build machine CONF: the same as musl-toolchain."
  (supported 'native-toolchain-hook conf)
  (force toolchain-promise))

(base-tools-hook base-tools)
(cc-toolchain-hook musl-toolchain)
(native-toolchain-hook native-toolchain)
