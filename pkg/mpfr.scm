;; GNU MPFR, multiple-precision floating point with correct rounding
;; (static libmpfr.a and mpfr.h), over libgmp: upstream distill's libmpfr.
(define-module (pkg mpfr)
  #:use-module (distill package)
  #:use-module (pkg gmp)
  #:export (libmpfr))

(define libmpfr
  (cmmi-package
   "mpfr" "4.2.0"
   ;; mpfr4_4.2.0.orig.tar.xz of Debian 12's source package mpfr4 4.2.0-1
   ;; (sha256 from Debian's signed Sources index); top directory
   ;; mpfr-4.2.0.  scripts/fill-mirror fetches it.
   "mirror://debian/pool/main/m/mpfr4/mpfr4_$version.orig.tar.xz"
   "sha256:06a378df13501248c1b2db5aa977a2c8126ae849a9d9b7be2546fb4a9c26d993"
   license: "LGPL-3.0-or-later"
   dir: "mpfr-4.2.0"
   libs: (list libgmp)))
