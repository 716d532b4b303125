;; GNU MP, the multiple-precision arithmetic library (static libgmp.a and
;; gmp.h), as upstream distill's guide defines libgmp.
(define-module (pkg gmp)
  #:use-module (distill package)
  #:use-module (pkg m4)
  #:export (libgmp))

(define libgmp
  (cmmi-package
   "gmp" "6.2.1"
   ;; NOT upstream's bytes: Debian 12's repack gmp_6.2.1+dfsg1.orig.tar.xz
   ;; of the source package gmp 2:6.2.1+dfsg1-1.1 (sha256 from Debian's
   ;; signed Sources index; Debian drops the GFDL manual, doc/*.info*).
   ;; Its top directory is gmp-6.2.1.  scripts/fill-mirror fetches it.
   "mirror://debian/pool/main/g/gmp/gmp_$version+dfsg1.orig.tar.xz"
   "sha256:471b9e463e04362a0124f215afc5f0a4b99caedeeb62634c61bbc12988efa64c"
   license: "LGPL-3.0-or-later OR GPL-2.0-or-later"
   dir: "gmp-6.2.1"
   ;; gmp's configure ignores CFLAGS_FOR_BUILD: everything goes in
   ;; CC_FOR_BUILD, which compiles the generators of its tables.
   ;; libtool looks for a C++ preprocessor even with C++ off (the
   ;; toolchain has none): the C one, told the input is C, passes its check.
   env: `((CC_FOR_BUILD ,$build-CC ,$build-CFLAGS)
          (CXXCPP ,$CC -x c -E))
   tools: (list m4)
   native-cc: $cc-env/for-build
   ;; Debian's repack has no doc/: neither configure nor make may ask for
   ;; its Makefile.
   prepare: '(if (sed "-i" "s| doc/Makefile | |" configure)
              sed "-i" "s|^SUBDIRS = \\(.*\\) doc$|SUBDIRS = \\1|" Makefile.in)
   extra-configure: '(--with-pic)))
