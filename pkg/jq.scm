;; jq: the command-line JSON processor, 1.6 (/usr/bin/jq; libjq.a with
;; jq.h and jv.h).
;;
;; Source: NOT upstream's release file.  Debian 12's jq_1.6.orig.tar.gz
;; (source package jq 1.6-2.1+deb12u2; sha256
;; 3ba940b97571c866923f0409678033d33b5a98758dfc174fad8397ed908bc4d9 in
;; Debian's signed Sources index) is GitHub's archive of upstream's git
;; tag jq-1.6 (top directory jq-jq-1.6), with no configure script and an
;; empty modules/oniguruma (a git submodule); upstream's jq-1.6.tar.gz
;; has configure and bundles oniguruma, another file (1.7 MB, not the
;; 420 kB here) that cannot be had here.  So: no regular expressions
;; (--without-oniguruma: test, match, capture, sub... raise an error),
;; and autoreconf runs first, with Debian's autoconf, automake and libtool
;; ((distill autotools)).  The lexer and parser are the generated
;; src/lexer.c and src/parser.c of the tag (no flex or bison).
;;
;; Debian's 0008-Do-not-use-venderized-oniguruma.patch is applied (held
;; below as text: automake refuses Makefile.am's SUBDIRS of the missing
;; submodule).  Version: the tag's scripts/version asks git; with none the
;; version would be "-", so it says 1.6, as Debian's
;; 0009-Hardcode-version-to-1.6 patch makes it do (configure.ac asks git
;; too).  Debian's other patches, among them its security fixes
;; (CVE-2025-48060 and later), are not applied.
(define-module (pkg jq)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill autotools)
  #:export (jq))

(define no-vendored-oniguruma
  ;; debian/patches/0008-Do-not-use-venderized-oniguruma.patch of jq
  ;; 1.6-2.1+deb12u2, its diff only.
  (interned "/src/patch-0.patch" #o644
"--- a/Makefile.am
+++ b/Makefile.am
@@ -138,13 +138,6 @@ jq.1: $(srcdir)/jq.1.prebuilt
 endif
 
 
-### Build oniguruma
-
-if BUILD_ONIGURUMA
-libjq_la_LIBADD += modules/oniguruma/src/.libs/libonig.la
-SUBDIRS = modules/oniguruma
-endif
-
 AM_CFLAGS += $(onig_CFLAGS)
 
 ### Packaging
"))

(define jq
  (cmmi-package
   "jq" "1.6"
   "https://github.com/stedolan/$name/archive/$name-$version.tar.gz"
   ;; Debian's file, by its BLAKE2b pin (the mirror holds it under that
   ;; name: scripts/fill-mirror).
   "Xz9IoqUdPPErDiKrmDZ2B03I5Dxdhv05VzWZunGj7PI="
   license: "MIT"
   dir: "jq-jq-1.6"
   patches: (list no-vendored-oniguruma)
   tools: (list autoreconf-tools)
   prepare: `(if (sed "-i" "2,$d" scripts/version)
              if (redirfd -a 1 scripts/version echo "echo 1.6")
              if (sed "-i" -e "2,4d" -e "1s/.*/m4_define([jq_version], [1.6])/" configure.ac)
              if (rmdir modules/oniguruma)
              ,@autoreconf)
   extra-configure: '(--without-oniguruma --disable-maintainer-mode
                      --disable-docs --disable-valgrind)
   cleanup: '(rm -rf /out/usr/share/doc)))
