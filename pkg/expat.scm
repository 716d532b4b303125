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
;; upstream's buildconf.sh does.  Debian's patches of 2.5.0-1+deb12u2
;; are applied, in its series' order, from its debian.tar.xz (sha256
;; 7e29f5db5067e55193540089ed0f3ec9676704cf79dcea81a9bfb9f49435ae53 in
;; the same index; scripts/fill-mirror fetches it): the fixes of
;; CVE-2024-45490, -45491, -45492, CVE-2023-52425, CVE-2024-50602 and
;; CVE-2024-8176, and two to its CMake package files.  Its later
;; revisions (+deb12u3...) are not served here.
;;
;; The library only: no xmlwf, examples, tests or documentation.
(define-module (pkg expat)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill autotools)
  #:use-module (srfi srfi-1)
  #:export (expat))

(define debian-patches
  ;; debian/patches/series of 2.5.0-1+deb12u2; they name files from the
  ;; top directory, above the one the build runs in.
  '("fix-expat-noconfig.patch" "fix-expat-cmake.patch"
    "CVE-2024-45490.patch" "CVE-2024-45491.patch" "CVE-2024-45492.patch"
    "expat-2.5.0-CVE-2023-52425.patch" "expat-2.5.0-CVE-2024-50602.patch"
    "expat-2.5.0-CVE-2024-8176.patch"))

(define expat
  (cmmi-package
   "expat" "2.5.0"
   "https://github.com/libexpat/libexpat/archive/R_2_5_0.tar.gz"
   ;; Debian's file, by its BLAKE2b pin (the mirror holds it under that
   ;; name: scripts/fill-mirror).
   "ohArqx6qbQym7fc9tDUECIlGmlDwnaDwbql3XsxbQ7w="
   license: "MIT"
   dir: "libexpat-R_2_5_0/expat"
   extra-src: (list (remote-archive
                     "mirror://debian/pool/main/e/expat/expat_2.5.0-1+deb12u2.debian.tar.xz"
                     "sha256:7e29f5db5067e55193540089ed0f3ec9676704cf79dcea81a9bfb9f49435ae53"
                     #:path "/src"))
   tools: (list autoreconf-tools)
   ;; libtool looks for a C++ preprocessor even with no C++ to build (the
   ;; toolchain has none): the C one, told the input is C, passes its
   ;; check (as in pkg/gmp.scm).
   env: `((CXXCPP ,$CC -x c -E))
   prepare: `(,@(debian-patch-steps debian-patches #:up #t) ,@autoreconf)
   extra-configure: '(--without-xmlwf --without-examples --without-tests
                      --without-docbook)
   cleanup: '(rm -rf /out/usr/share/doc)))
