;;; (distill toolchain): musl built from source with the seed's gcc-12, and
;;; gcc+musl-static, the compiler configuration later packages use.
;;;
;;; musl's output is a sysroot (usr/include, usr/lib: libc.a, crt files);
;;; consumers place it at /sysroot/x86_64-linux-musl, the layout upstream
;;; distill uses (--prefix=/usr, DESTDIR=/out, placed at (sysroot conf)).
;;; gcc+musl-static is the list of inputs for a plan that compiles for
;;; musl: the seed tree at "/", musl at the sysroot, and
;;; x86_64-linux-musl-gcc (also -cc) with binutils' tools under the
;;; x86_64-linux-musl- prefix (musl-gcc-tools: the wrapper and the links
;;; alone, which (distill base) uses as its toolchain's tools).  That gcc
;;; compiles against musl's headers only, links musl's libc.a and crt
;;; files only, static-pie unless told -static or -shared, maps the
;;; build's directories out of the binary, and keeps Debian gcc's generic
;;; x86-64 code (no -march=native).
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
            pinned-source source-archive
            musl musl-gcc-tools gcc+musl-static))

(define musl-triple "x86_64-linux-musl")
(define musl-sysroot (string-append "/sysroot/" musl-triple))

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

(define (musl-build dir)
  (string-append "#!/bin/sh
set -eu
mkdir /tmp/build
cd /tmp/build
# --target names the architecture; CC, AR and RANLIB stop configure from
# looking for " musl-triple "-gcc.  Debian's gcc makes PIE code by default,
# so libc.a is position-independent and serves static-pie links.
/src/" dir "/configure --prefix=/usr --target=" musl-triple " \\
	--disable-shared --disable-wrapper CC=gcc AR=ar RANLIB=ranlib \\
	CFLAGS='-O2 -pipe -ffile-prefix-map=/src/" dir "=" dir "'
make
make DESTDIR=/out install
"))

(define* (musl seed #:key (source (apply (source-archive) musl-source-pin)))
  "The plan that builds musl (static libc only) with the SEED plan's gcc;
its output is a sysroot to place at musl-sysroot."
  (make-plan name: "musl-1.2.3"
             inputs: (list seed source
                           (interned "/build" #o755 (musl-build "musl-1.2.3")))
             timeout: 1800))

(define gcc-include "/usr/lib/gcc/x86_64-linux-gnu/12/include")
(define specs-path (string-append "/usr/lib/distill/" musl-triple ".specs"))

(define musl-specs
  ;; gcc-12's link specs turned to musl: its crt files and libraries come
  ;; from the sysroot; gcc's own crtbegin/crtend and libgcc stay; ld
  ;; searches only the directories named here (-nostdlib), so nothing of
  ;; glibc can be linked in.
  (let ((lib (string-append musl-sysroot "/usr/lib/")))
    (string-append
     "*startfile:
%{shared:;static-pie:" lib "rcrt1.o;:" lib "crt1.o} " lib "crti.o %{shared|static-pie:crtbeginS.o%s;:crtbeginT.o%s}

*endfile:
%{shared|static-pie:crtendS.o%s;:crtend.o%s} " lib "crtn.o

*link_libgcc:
-L" lib " -L/usr/lib/gcc/x86_64-linux-gnu/12

*link:
+ -nostdlib

")))

(define musl-gcc
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
exec gcc-12 -specs=" specs-path " -nostdinc \\
	-isystem " musl-sysroot "/usr/include -isystem " gcc-include " \\
	-ffile-prefix-map=/src/= -ffile-prefix-map=/tmp/= ${cwd:+\"$cwd\"} \\
	$link \"$@\"
"))

(define binutils-tools
  '("addr2line" "ar" "as" "ld" "nm" "objcopy" "objdump" "ranlib" "readelf"
    "size" "strings" "strip"))

(define (musl-gcc-tools)
  "x86_64-linux-musl-gcc (and -cc), its specs and the
x86_64-linux-musl-{ar,as,ld,...} links to binutils: artifacts at \"/\" that
work over the seed tree at \"/\" with musl's sysroot at musl-sysroot."
  (let ((bin (lambda (t) (string-append "/usr/bin/" musl-triple "-" t))))
    (append
     (list (interned (bin "gcc") #o755 musl-gcc)
           (interned-symlink (bin "cc") (string-append musl-triple "-gcc"))
           (interned specs-path #o644 musl-specs))
     (map (lambda (t) (interned-symlink (bin t) (string-append "x86_64-linux-gnu-" t)))
          binutils-tools))))

(define (gcc+musl-static seed musl-plan)
  "The inputs that give a plan x86_64-linux-musl-gcc: the SEED plan's tree
at \"/\", MUSL-PLAN's sysroot at musl-sysroot, and musl-gcc-tools."
  (cons* seed
         (make-input basedir: musl-sysroot link: musl-plan)
         (musl-gcc-tools)))
