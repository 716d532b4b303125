;; libedit 3.1-20221030: NetBSD's line editor and history library, as
;; Jess Thrysoee's portable release (static libedit.a, histedit.h and the
;; readline-compatible editline/readline.h, libedit.pc), against
;; pkg/ncurses.scm's libtinfo.
;;
;; license: BSD-3-Clause.
;;
;; Source: Debian 12's libedit_3.1-20221030.orig.tar.gz (source package
;; libedit 3.1-20221030-2; sha256 below, in Debian's signed Sources index):
;; upstream's libedit-20221030-3.1.tar.gz.  Debian's patches are not
;; applied: they are its own build's (libbsd, its soname, man page names,
;; termcap before ncurses, wcsdup and PATH_MAX checks musl does not need);
;; none is a security fix.
;;
;; Left out: shared library, examples, manual pages.
(define-module (pkg libedit)
  #:use-module (distill package)
  #:use-module (pkg ncurses)
  #:export (libedit))

(define libedit
  (cmmi-package
   "libedit" "3.1-20221030"
   "mirror://debian/pool/main/libe/libedit/libedit_3.1-20221030.orig.tar.gz"
   "sha256:f0925a5adf4b1bf116ee19766b7daa766917aec198747943b1c4edf67a4be2bb"
   license: "BSD-3-Clause"
   dir: "libedit-20221030-3.1"
   libs: (list ncurses)
   ;; chartype.h wants wchar_t to hold ISO 10646 characters, as musl's
   ;; does, but sees it only from __STDC_ISO_10646__, which musl does not
   ;; define (glibc's stdc-predef.h does).
   extra-cflags: '(-D__STDC_ISO_10646__=201206L)
   extra-configure: '(--disable-examples)))
