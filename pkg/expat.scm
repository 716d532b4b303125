;; expat: the XML parser library (static libexpat.a, expat.h,
;; expat_external.h, expat_config.h, expat.pc and its CMake package
;; files).
;;
;; Source: NOT upstream's release file.  Debian 12's
;; expat_2.5.0.orig.tar.gz (source package expat 2.5.0-1+deb12u2; sha256
;; ab00ee05c7067fd10a35c5d2a4922ebba746ddd50ff83b79c828da17bbdf1757 in
;; Debian's signed Sources index) is GitHub's archive of upstream's git
;; tag R_2_5_0 (top directory libexpat-R_2_5_0, the library in expat/),
;; with no configure script; upstream's expat-2.5.0.tar.xz is another
;; file and cannot be had here.  So the build runs autoreconf first,
;; with Debian's autoconf, automake and libtool ((distill autotools)), as
;; upstream's buildconf.sh does.  Debian's patches
;; (security fixes of +deb12u1 and later) are not applied.
;;
;; The library only: no xmlwf, examples, tests or documentation.
(define-module (pkg expat)
  #:use-module (distill package)
  #:use-module (distill autotools)
  #:export (expat))

(define expat
  (cmmi-package
   "expat" "2.5.0"
   "https://github.com/libexpat/libexpat/archive/R_2_5_0.tar.gz"
   ;; Debian's file, by its BLAKE2b pin (the mirror holds it under that
   ;; name: scripts/fill-mirror).
   "ohArqx6qbQym7fc9tDUECIlGmlDwnaDwbql3XsxbQ7w="
   license: "MIT"
   dir: "libexpat-R_2_5_0/expat"
   tools: (list autoreconf-tools)
   ;; libtool looks for a C++ preprocessor even with no C++ to build (the
   ;; toolchain has none): the C one, told the input is C, passes its
   ;; check (as in pkg/gmp.scm).
   env: `((CXXCPP ,$CC -x c -E))
   prepare: autoreconf
   extra-configure: '(--without-xmlwf --without-examples --without-tests
                      --without-docbook)
   cleanup: '(rm -rf /out/usr/share/doc)))
