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
  #:use-module ((srfi srfi-1) #:select (every))
  #:export (seed-tree musl-libc base-tools musl-toolchain native-toolchain
            ;; upstream's
            busybox-full busybox-core hard uboot/config libelf linux/config-static
            libisl libgmp libmpfr exportall libssp-nonshared cc-for-target
            gcc+musl-static-config gcc cdn-artifact))

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

;;; Upstream's (distill base) names.  Its packages are recipes here, in
;;; pkg/ above the library: these names are forwarders that find the
;;; recipe's module when a config is given (so the library still loads
;;; without pkg/, and a package expands to the very plan of its recipe).

(define (recipe module name)
  (lambda (conf)
    ((module-ref (resolve-interface module) name) conf)))

(define busybox-full (recipe '(pkg busybox) 'busybox-full))
(define busybox-core (recipe '(pkg busybox) 'busybox-core))
(define libgmp (recipe '(pkg gmp) 'libgmp))
(define libmpfr (recipe '(pkg mpfr) 'libmpfr))
(define libisl (recipe '(pkg isl) 'libisl))

(define (linux/config-static . args)
  "pkg/linux.scm's linux/config-static: (linux/config-static NAME
CONFIG-PATH) is the kernel package linux-VERSION-NAME built from the
whole .config CONFIG-PATH."
  (apply (module-ref (resolve-interface '(pkg linux)) 'linux/config-static) args))

(define (libelf conf)
  "pkg/libelf.scm's libelf: elfutils 0.188's libelf alone, static, for
CONF (/usr/lib/libelf.a, libelf.h, gelf.h and nlist.h in /usr/include,
libelf.pc; not the rest of elfutils), linked against zlib for
compressed sections."
  ((recipe '(pkg libelf) 'libelf) conf))

(define hard
  ;; hard(8): halt, poweroff or reboot at once, without asking init
  ;; (upstream's was a small C program; busybox's -f applets do the same
  ;; system call, and every image here has busybox).
  (interned "/sbin/hard" #o755 "#!/bin/sh
# hard halt|poweroff|reboot: stop the machine now, without init.
case $1 in
halt|poweroff|reboot) sync; exec \"$1\" -f ;;
*) echo 'usage: hard halt|poweroff|reboot' >&2; exit 1 ;;
esac
"))

(define exportall
  ;; exportall(1): `exportall { KEY VALUE ... } PROG...' exports each KEY
  ;; as VALUE, then runs PROG (in Scheme: (exportall (KEY VALUE ...) PROG
  ;; ...), or upstream's ((KEY VALUE) ...) pairs).  A script of the shell
  ;; (upstream's was C): execlineb passes a block's words with a leading
  ;; space and ends it with an empty word, and a block within it with two
  ;; spaces and a word of one space.
  (interned "/bin/exportall" #o755 "#!/bin/sh
# exportall { KEY VALUE ... } PROG...: export each KEY=VALUE, exec PROG.
n_=0
while [ $# -gt 0 ] && [ -n \"$1\" ]; do
	w_=${1# }
	shift
	case $w_ in
	'') continue ;;
	' '*) w_=${w_# } ;;
	esac
	if [ $n_ = 0 ]; then k_=$w_ n_=1; else export \"$k_=$w_\"; n_=0; fi
done
[ $# -gt 0 ] || { echo 'exportall: usage: exportall { KEY VALUE ... } PROG...' >&2; exit 100; }
[ $n_ = 0 ] || { echo \"exportall: $k_ has no value\" >&2; exit 100; }
shift
exec \"$@\"
"))

(define libssp-nonshared
  ;; libssp_nonshared.a: __stack_chk_fail_local, which code compiled with
  ;; -fstack-protector calls in static and PIC objects, for gcc's
  ;; -lssp_nonshared; musl's libc.a also has it.
  (cc-package
   "libssp-nonshared" "1" #f
   (interned "/src/libssp-nonshared/ssp-local.c" #o644
             "extern void __stack_chk_fail(void);
__attribute__((visibility(\"hidden\"))) void __stack_chk_fail_local(void) { __stack_chk_fail(); }
")
   dir: "/src/libssp-nonshared"
   build: `(if (mkdir -p /out/usr/lib)
            if (,$CC ,$CFLAGS -c ssp-local.c -o ssp-local.o)
            ,$AR rc /out/usr/lib/libssp_nonshared.a ssp-local.o)))

(define* (cc-for-target conf #:optional native)
  "The packages that make up the C toolchain compiling for CONF (its tools
and its libc, as (cc-toolchain-hook) gives them); with NATIVE, those of
the build machine's toolchain ((native-toolchain-hook)) too."
  (let ((tc ((cc-toolchain-hook) conf)))
    (append (cc-toolchain-tools tc) (cc-toolchain-libc tc)
            (if native
                (let ((nt ((native-toolchain-hook) (or (config-build conf) conf))))
                  (append (cc-toolchain-tools nt) (cc-toolchain-libc nt)))
                '()))))

(define* (gcc+musl-static-config arch #:key (optflag '-O2) (sspflag '-fstack-protector-strong)
                                 (extra-cflags '()) build bootstrap prebuilt)
  "The config for ARCH with gcc and musl, static (static-pie) linking:
default-config's, with BUILD the build machine's config (#f: (build-config)).
Upstream's BOOTSTRAP and PREBUILT picked other toolchains; here the
toolchain is always musl and gcc from the seed, so they must be #f."
  (when (or bootstrap prebuilt)
    (recipe-error 'gcc+musl-static-config "bootstrap: and prebuilt: are upstream's toolchains; here there is one (the seed's gcc, musl from source): leave them #f, not ~s and ~s"
                  (list bootstrap prebuilt)))
  (default-config arch #:optflag optflag #:sspflag sspflag #:extra-cflags extra-cflags
                  #:build (or build (build-config))))

(define (gcc conf)
  "The gcc for build=host with /usr/bin/gcc: here the seed's gcc-12 and
binutils (Debian 12's binaries, glibc; docs/seed.md), the same tree every
build has at \"/\".  A gcc built from source is pending (another issue)."
  (seed-tree))

(define (cdn-artifact hash abspath mode)
  "Upstream fetched files such as default configs by HASH from its CDN.
Here: the remote file pinned by HASH at ABSPATH with MODE, found by its pin
in $DISTILL_MIRRORS (or the user's fetch hook), or under the base URLs of
$DISTILL_MIRROR_DISTILL_CDN (mirror://distill-cdn/HASH)."
  (remote-file (string-append "mirror://distill-cdn/" hash) hash abspath mode))

(define (uboot/config . args)
  "pkg/u-boot.scm's uboot/config: (uboot/config NAME HASH ENV BOOTCMD),
upstream's u-boot package uboot-VERSION-NAME built from Debian's u-boot
2023.01 with the .config pinned by HASH (the library's uboot/NAME.config,
else fetched as cdn-artifact fetches), ENV (KEY=VALUE strings) as its
default environment and BOOTCMD its boot command; for aarch64."
  (apply (module-ref (resolve-interface '(pkg u-boot)) 'uboot/config) args))
