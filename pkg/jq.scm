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
;; src/lexer.c and src/parser.c of the tag, as Debian's patches change
;; them with parser.y (no flex or bison: make only says "NOT building
;; parser.c!").
;;
;; Debian's patches of 1.6-2.1+deb12u2 are applied, in its series' order,
;; from its debian.tar.xz (sha256
;; 88498e8c917c09ddee251544b0525051551e6a0552c862625696a3e83469ae66 in
;; the same index; scripts/fill-mirror fetches it): the version set to
;; 1.6 in configure.ac and scripts/version (both ask git, and would say
;; "-"), no SUBDIRS of the missing oniguruma (automake refuses it), two
;; fixes of undefined behaviour, and the security fixes (CVE-2025-48060,
;; the CVE-2026-* series, GHSA-ggc9-rpv2-xgpm and GHSA-gvwx-xj9r-3frq).
;; Left out are those for Debian's own build: its manual page (ronn),
;; Rakefile, documentation, shared-only libtool and tests' libtool.  Its
;; later revision (+deb12u3) is not served here.
(define-module (pkg jq)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill autotools)
  #:use-module (srfi srfi-1)
  #:export (jq))

(define debian-patches
  ;; debian/patches/series of 1.6-2.1+deb12u2, less the five named above.
  '("patch-version-into-build.patch" "stack-exhaustion.patch"
    "0008-Do-not-use-venderized-oniguruma.patch" "0009-Hardcode-version-to-1.6.patch"
    "0010-initialized-variables.patch" "CVE-2025-48060.patch"
    "CVE-2026-32316.patch" "CVE-2026-33947.patch" "CVE-2026-33948.patch"
    "CVE-2026-39956.patch" "CVE-2026-39979.patch" "CVE-2026-40164.patch"
    "CVE-2026-41256.patch" "CVE-2026-41257.patch" "CVE-2026-43896.patch"
    "CVE-2026-43895.patch" "CVE-2026-44777.patch" "CVE-2026-43894.patch"
    "CVE-2026-47770.patch" "CVE-2026-49839.patch"
    "GHSA-ggc9-rpv2-xgpm_and_GHSA-gvwx-xj9r-3frq.patch"
    "CVE-2026-54679-1.patch" "CVE-2026-54679-2.patch" "CVE-2026-54679-3.patch"))

(define jq
  (cmmi-package
   "jq" "1.6"
   "https://github.com/stedolan/$name/archive/$name-$version.tar.gz"
   ;; Debian's file, by its BLAKE2b pin (the mirror holds it under that
   ;; name: scripts/fill-mirror).
   "Xz9IoqUdPPErDiKrmDZ2B03I5Dxdhv05VzWZunGj7PI="
   license: "MIT"
   dir: "jq-jq-1.6"
   extra-src: (list (remote-archive
                     "mirror://debian/pool/main/j/jq/jq_1.6-2.1+deb12u2.debian.tar.xz"
                     "sha256:88498e8c917c09ddee251544b0525051551e6a0552c862625696a3e83469ae66"
                     #:path "/src"))
   tools: (list autoreconf-tools)
   ;; autoreconf would enter the empty submodule (AC_CONFIG_SUBDIRS).
   prepare: `(,@(debian-patch-steps debian-patches)
              if (rmdir modules/oniguruma)
              ,@autoreconf)
   extra-configure: '(--without-oniguruma --disable-maintainer-mode
                      --disable-docs --disable-valgrind)
   cleanup: '(rm -rf /out/usr/share/doc)))
