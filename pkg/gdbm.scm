;; gdbm: GNU dbm, key-value database files (static libgdbm.a and
;; gdbm.h).
;;
;; Source: gdbm-1.23.tar.gz as GNU released it; Debian 12's
;; gdbm_1.23.orig.tar.gz (source package gdbm 1.23-3) is that file (the
;; sha256 below is in Debian's signed Sources index, which also lists
;; upstream's detached signature, gdbm_1.23.orig.tar.gz.asc).
;;
;; No readline (gdbmtool is not installed anyway), no NLS; the programs
;; gdbmtool, gdbm_load and gdbm_dump are left out: the library is what
;; other packages use.
(define-module (pkg gdbm)
  #:use-module (distill package)
  #:export (gdbm))

(define gdbm
  (cmmi-package
   "gdbm" "1.23"
   "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz"
   "sha256:74b1081d21fff13ae4bd7c16e5d6e504a4c26f7cde1dca0d963a484174bbcacd"
   license: "GPL-3.0-or-later"
   extra-configure: '(--without-readline)
   cleanup: '(rm -rf /out/usr/bin)))
