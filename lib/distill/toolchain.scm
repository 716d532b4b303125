;;; (distill toolchain): musl built from source with the seed's gcc-12 (or,
;;; for aarch64 and ppc64le, Debian's gcc-12 cross compilers laid over the
;;; seed: cross-seed-packages of (distill seed)), and gcc+musl-static, the
;;; compiler configuration later packages use.  Every procedure takes the
;;; target architecture (default x86_64); toolchain-arches lists them, and
;;; arch-triple and arch-sysroot name their triple and sysroot
;;; (ARCH-linux-musl, /sysroot/ARCH-linux-musl).  Another compiler (one
;;; built from source) plugs in by giving the same shape: a tree at "/"
;;; holding a glibc-targeting <gnu>-gcc-12 and <gnu>-{as,ld,ar...}, over
;;; which the musl wrapper below is laid.
;;;
;;; musl's output is a sysroot (usr/include, usr/lib: libc.a, crt files);
;;; consumers place it at /sysroot/x86_64-linux-musl, the layout upstream
;;; distill uses (--prefix=/usr, DESTDIR=/out, placed at (sysroot conf)).
;;; gcc+musl-static is the list of inputs for a plan that compiles for
;;; musl: the seed tree at "/", musl at the sysroot, and
;;; x86_64-linux-musl-gcc (also -cc) with binutils' tools under the
;;; x86_64-linux-musl- prefix (musl-gcc-tools: the wrapper and the links
;;; alone, which (distill base) uses as its toolchain's tools); for another
;;; architecture read its triple for x86_64-linux-musl.  That gcc
;;; compiles against musl's headers only, links musl's libc.a and crt
;;; files only, static-pie unless told -static or -shared, maps the
;;; build's directories out of the binary, and keeps Debian gcc's generic
;;; code for the architecture (no -march=native; on ppc64le long double
;;; is 64 bits, the only kind musl supports there, so -mlong-double-64 is
;;; always given).
;;;
;;; Sources become artifacts in one place, the source-archive parameter:
;;; a procedure of (name version sha256 url) returning an archive artifact
;;; unpacked at /src.  The default, pinned-source, is remote-archive: the
;;; fetcher tries the mirrors of $DISTILL_MIRRORS (scripts/fill-mirror
;;; fills one) by pin and by file name before the upstream URL.
(define-module (distill toolchain)
  #:use-module (distill plan)
  #:use-module (distill seed)
  #:use-module (srfi srfi-1)
  #:export (musl-triple musl-sysroot musl-source-pin
            toolchain-arches arch-triple arch-sysroot
            pinned-source source-archive
            musl musl-gcc-tools gcc+musl-static))

(define musl-triple "x86_64-linux-musl")
(define musl-sysroot (string-append "/sysroot/" musl-triple))

;; (arch gnu-triple gcc gcc-libdir musl-cc musl-ar musl-ranlib cflags):
;; the glibc triple of Debian's compiler for ARCH, its gcc, the directory
;; of its libgcc, crt files and headers, what musl's configure gets as CC,
;; AR and RANLIB, and the flags every compile for ARCH takes.
(define arch-table
  '((x86_64 "x86_64-linux-gnu" "gcc-12" "/usr/lib/gcc/x86_64-linux-gnu/12"
            "gcc" "ar" "ranlib" "")
    (aarch64 "aarch64-linux-gnu" "aarch64-linux-gnu-gcc-12"
             "/usr/lib/gcc-cross/aarch64-linux-gnu/12"
             "aarch64-linux-gnu-gcc-12" "aarch64-linux-gnu-ar"
             "aarch64-linux-gnu-ranlib" "")
    (ppc64le "powerpc64le-linux-gnu" "powerpc64le-linux-gnu-gcc-12"
             "/usr/lib/gcc-cross/powerpc64le-linux-gnu/12"
             "powerpc64le-linux-gnu-gcc-12" "powerpc64le-linux-gnu-ar"
             "powerpc64le-linux-gnu-ranlib" "-mlong-double-64")))

(define toolchain-arches (map car arch-table))

(define (arch-ref arch field)
  (let ((e (assq arch arch-table)))
    (unless e
      (error (format #f "(distill toolchain) has no toolchain for ~a (it has: ~a)"
                     arch toolchain-arches)))
    (list-ref (cdr e)
              (list-index (lambda (f) (eq? f field))
                          '(gnu gcc libdir musl-cc musl-ar musl-ranlib cflags)))))

(define (arch-triple arch)
  "The musl triple of ARCH: ARCH-linux-musl."
  (string-append (symbol->string arch) "-linux-musl"))

(define (arch-sysroot arch)
  "Where ARCH's libraries go: /sysroot/ARCH-linux-musl."
  (string-append "/sysroot/" (arch-triple arch)))

(define musl-source-pin
  ;; Debian 12's musl_1.2.3.orig.tar.gz is upstream's musl-1.2.3.tar.gz
  ;; byte for byte: both have the sha256 below, the one musl-libc.org
  ;; publishes for https://musl.libc.org/releases/musl-1.2.3.tar.gz and the
  ;; one in Debian's signed Sources index for the orig tarball.
  '("musl" "1.2.3"
    "7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4"
    "https://musl.libc.org/releases/musl-1.2.3.tar.gz"))

(define (pinned-source name version sha256 url)
  "The source tarball at URL, pinned by SHA256, as an archive at /src."
  (remote-archive url (string-append "sha256:" sha256) #:path "/src"))

(define source-archive
  ;; (name version sha256 url) -> an archive artifact at /src.
  (make-parameter pinned-source))

(define (with-flags base extra)
  (if (string-null? extra) base (string-append base " " extra)))

(define (musl-build dir arch)
  (string-append "#!/bin/sh
set -eu
mkdir /tmp/build
cd /tmp/build
# --target names the architecture; CC, AR and RANLIB stop configure from
# looking for " (arch-triple arch) "-gcc.  Debian's gcc makes PIE code by default,
# so libc.a is position-independent and serves static-pie links.
/src/" dir "/configure --prefix=/usr --target=" (arch-triple arch) " \\
	--disable-shared --disable-wrapper CC=" (arch-ref arch 'musl-cc)
	" AR=" (arch-ref arch 'musl-ar) " RANLIB=" (arch-ref arch 'musl-ranlib) " \\
	CFLAGS='" (with-flags (string-append "-O2 -pipe -ffile-prefix-map=/src/" dir "=" dir)
	                      (arch-ref arch 'cflags)) "'
make
make DESTDIR=/out install
"))

(define (compiler-inputs seed arch)
  ;; The SEED plan and, for a cross target, Debian's compiler to it.
  (cons seed (or (cross-seed-artifacts arch) '())))

(define* (musl seed #:key (source (apply (source-archive) musl-source-pin))
               (arch 'x86_64))
  "The plan that builds musl (static libc only) for ARCH with the SEED
plan's gcc (and, for a cross target, Debian's cross compiler over it); its
output is a sysroot to place at (arch-sysroot ARCH)."
  (make-plan name: (if (eq? arch 'x86_64) "musl-1.2.3"
                       (string-append "musl-1.2.3-" (symbol->string arch)))
             inputs: (append (compiler-inputs seed arch)
                             (list source
                                   (interned "/build" #o755 (musl-build "musl-1.2.3" arch))))
             timeout: 1800
             license: "MIT"))

(define (specs-path arch)
  (string-append "/usr/lib/distill/" (arch-triple arch) ".specs"))

(define (musl-specs arch)
  ;; gcc-12's link specs turned to musl: its crt files and libraries come
  ;; from the sysroot; gcc's own crtbegin/crtend and libgcc stay; ld
  ;; searches only the directories named here (-nostdlib), so nothing of
  ;; glibc can be linked in.
  (let ((lib (string-append (arch-sysroot arch) "/usr/lib/")))
    (string-append
     "*startfile:
%{shared:;static-pie:" lib "rcrt1.o;:" lib "crt1.o} " lib "crti.o %{shared|static-pie:crtbeginS.o%s;:crtbeginT.o%s}

*endfile:
%{shared|static-pie:crtendS.o%s;:crtend.o%s} " lib "crtn.o

*link_libgcc:
-L" lib " -L" (arch-ref arch 'libdir) "

*link:
+ -nostdlib

")))

(define (musl-gcc arch)
  ;; Includes: musl's headers, then gcc's own (intrinsics, stdatomic.h...).
  ;; The build's directories are mapped to relative names in __FILE__ and
  ;; debug information: /src/ and /tmp/, and the working directory (unless
  ;; it is /), given last so that it wins (gcc tries the last map first).
  (string-append "#!/bin/sh
link=-static-pie
for a; do
	case $a in -static|-shared|-r|-static-pie) link= ;; esac
done
cwd=
case ${PWD:-/} in /) ;; *) cwd=-ffile-prefix-map=$PWD=. ;; esac
exec " (with-flags (string-append (arch-ref arch 'gcc) " -specs=" (specs-path arch))
                   (arch-ref arch 'cflags)) " -nostdinc \\
	-isystem " (arch-sysroot arch) "/usr/include -isystem " (arch-ref arch 'libdir) "/include \\
	-ffile-prefix-map=/src/= -ffile-prefix-map=/tmp/= ${cwd:+\"$cwd\"} \\
	$link \"$@\"
"))

(define binutils-tools
  '("addr2line" "ar" "as" "ld" "nm" "objcopy" "objdump" "ranlib" "readelf"
    "size" "strings" "strip"))

(define* (musl-gcc-tools #:optional (arch 'x86_64))
  "ARCH-linux-musl-gcc (and -cc), its specs and the ARCH-linux-musl-{ar,
as,ld,...} links to binutils: artifacts at \"/\" that work over the seed
tree (and, for a cross target, Debian's cross compiler: cross-seed-artifacts)
at \"/\" with musl's sysroot at (arch-sysroot ARCH)."
  (let* ((triple (arch-triple arch))
         (bin (lambda (t) (string-append "/usr/bin/" triple "-" t))))
    (append
     (list (interned (bin "gcc") #o755 (musl-gcc arch))
           (interned-symlink (bin "cc") (string-append triple "-gcc"))
           (interned (specs-path arch) #o644 (musl-specs arch)))
     (map (lambda (t) (interned-symlink (bin t) (string-append (arch-ref arch 'gnu) "-" t)))
          binutils-tools))))

(define* (gcc+musl-static seed musl-plan #:optional (arch 'x86_64))
  "The inputs that give a plan ARCH-linux-musl-gcc: the SEED plan's tree
(and the cross compiler for ARCH) at \"/\", MUSL-PLAN's sysroot at
(arch-sysroot ARCH), and musl-gcc-tools."
  (append (compiler-inputs seed arch)
          (list (make-input basedir: (arch-sysroot arch) link: musl-plan))
          (musl-gcc-tools arch)))
