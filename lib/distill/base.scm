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
;;; Host configs: x86_64, aarch64 and ppc64le (toolchain-arches of
;;; (distill toolchain)).  For aarch64 and ppc64le, cc-toolchain-hook gives
;;; the seed, Debian's cross gcc-12 and binutils laid over it
;;; (cross-seed-artifacts) and ARCH-linux-musl-gcc; libc: musl 1.2.3 built
;;; from source with that compiler, at /sysroot/ARCH-linux-musl.  The build
;;; machine (base-tools-hook, native-toolchain-hook) is x86_64-linux-musl
;;; alone, as the seed's programs are amd64; for any other config the hooks
;;; raise "no toolchain configured for TRIPLE".  The seed and each musl
;;; are one plan each for every package, made when a hook first needs
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

(define (per-arch make)
  ;; A procedure of an architecture giving (MAKE ARCH), made once each.
  (let ((promises (map (lambda (a) (cons a (delay (make a)))) toolchain-arches)))
    (lambda (arch) (force (assq-ref promises arch)))))

(define musl-of (per-arch (lambda (arch) (musl (seed-tree) #:arch arch))))
(define toolchain-of
  (per-arch (lambda (arch)
              (make-cc-toolchain
               #:tools (cons (seed-tree)
                             (append (or (cross-seed-artifacts arch) '())
                                     (musl-gcc-tools arch)))
               #:libc (list (make-input #:basedir (arch-sysroot arch)
                                        #:link (musl-libc arch)))))))

(define (seed-tree)
  "The seed plan every package of (distill base) is built over."
  (force seed-promise))

(define* (musl-libc #:optional (arch 'x86_64))
  "The plan that builds musl for ARCH-linux-musl."
  (musl-of arch))

(define (supported who conf arches)
  ;; CONF's architecture, when it is one of ARCHES with its usual triple
  ;; and sysroot; else a recipe error naming what there is.
  (let ((arch (config-arch conf)))
    (unless (and (memq arch arches)
                 (equal? (symbol->string (config-triple conf)) (arch-triple arch))
                 (equal? (config-sysroot conf) (arch-sysroot arch)))
      (recipe-error who
                    "no toolchain configured for ~a (~a of (distill base) has: ~a, triple ARCH-linux-musl, sysroot /sysroot/ARCH-linux-musl)"
                    (list (config-triple conf) who
                          (string-join (map symbol->string arches) " "))))
    arch))

(define (base-tools conf)
  "What every build on build machine CONF has at \"/\": the seed tree."
  (supported 'base-tools-hook conf '(x86_64))
  (list (seed-tree)))

(define (musl-toolchain conf)
  "The C toolchain compiling for CONF: the seed (with the cross compiler
for CONF's architecture) and ARCH-linux-musl-gcc at \"/\", musl at the
sysroot."
  (toolchain-of (supported 'cc-toolchain-hook conf toolchain-arches)))

(define (native-toolchain conf)
  "The native toolchain of build machine CONF: x86_64's musl-toolchain."
  (toolchain-of (supported 'native-toolchain-hook conf '(x86_64))))

(base-tools-hook base-tools)
(cc-toolchain-hook musl-toolchain)
(native-toolchain-hook native-toolchain)
