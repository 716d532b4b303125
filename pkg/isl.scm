;; isl, the integer set library gcc's Graphite uses (static libisl.a and
;; its headers), over libgmp: upstream distill's libisl.
(define-module (pkg isl)
  #:use-module (distill package)
  #:use-module (pkg gmp)
  #:export (libisl))

(define libisl
  (cmmi-package
   "isl" "0.25"
   ;; isl_0.25.orig.tar.xz of Debian 12's source package isl 0.25-1.1
   ;; (sha256 from Debian's signed Sources index); top directory isl-0.25.
   ;; scripts/fill-mirror fetches it.
   "mirror://debian/pool/main/i/isl/isl_$version.orig.tar.xz"
   "sha256:be7b210647ccadf90a2f0b000fca11a4d40546374a850db67adb32fad4b230d9"
   license: "MIT"
   dir: "isl-0.25"
   libs: (list libgmp)
   ;; libtool looks for a C++ preprocessor (the toolchain has no C++):
   ;; the C one, told its input is C, passes its check.
   env: `((CXXCPP ,$CC -x c -E))
   extra-configure: '(--with-gmp=system)))
