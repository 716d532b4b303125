;; GNU Bison 3.8.2, the parser generator: /usr/bin/bison and yacc, its
;; skeletons in /usr/share/bison, liby.a.
;;
;; license: GPL-3.0-or-later (the parsers it writes carry the Bison
;; exception: they may be used under any licence).
;;
;; Source: NOT upstream's release file.  Debian 12's
;; bison_3.8.2+dfsg.orig.tar.xz (source package bison 2:3.8.2+dfsg-1;
;; sha256 below, in Debian's signed Sources index) is Debian's repack of
;; bison-3.8.2.tar.xz without the manual's GFDL sources with invariant
;; sections (doc/bison.texi, the generated bison.info and its figures are
;; gone); the program, its skeletons and the data are upstream's.  Debian's
;; two patches (01_keep_stamp_files, 02_parse_h_dependency) concern the
;; examples (their extraction from the manual, a parallel-build order),
;; which are not built here, and are not applied; Debian 12 has no
;; security fixes for 3.8.2.
;;
;; Left out: NLS, the manual, examples and documentation.  bison runs m4
;; (pkg/m4.scm) as /usr/bin/m4, or $M4: put m4 beside it.
(define-module (pkg bison)
  #:use-module (distill package)
  #:use-module (pkg m4)
  #:export (bison))

(define no-manual
  '(mfcalc_extracted= rpcalc_extracted= calcxx_extracted= calcxx_sources_extracted=
    simple_extracted= doc_bison_TEXINFOS=))

(define bison
  (cmmi-package
   "bison" "3.8.2"
   "mirror://debian/pool/main/b/bison/bison_3.8.2+dfsg.orig.tar.xz"
   "sha256:dff8a3c96dd34121828f62a7fa49e1f7765815b89e59f564e8d2a9e71c177be5"
   license: "GPL-3.0-or-later"
   tools: (list m4)
   extra-configure: '(M4=/usr/bin/m4)
   ;; The repack dropped doc/bison.texi, from which the info manual and
   ;; the examples (rpcalc, mfcalc, calc++, simple: built by `make check',
   ;; installed in the documentation) are extracted.  As Debian's rules
   ;; do, an empty bison.texi, bison.info (and the .bak of its @deftype
   ;; fix) and figures stand in for them, as old as the rest of the tree
   ;; and with no other texinfo sources (so make has nothing to remake:
   ;; there is no perl or makeinfo here), and the examples are not
   ;; extracted (the no-manual variables).
   prepare: '(sh -c "echo @setfilename bison.info > doc/bison.texi &&
mkdir -p doc/figs && cd doc && touch bison.info bison.info.bak figs/example.txt figs/example-reduce.txt figs/example-shift.txt &&
touch -r ../configure bison.texi bison.info bison.info.bak figs/example.txt figs/example-reduce.txt figs/example-shift.txt")
   override-make: `(,$make-overrides ,@no-manual)
   override-install: `(DESTDIR=/out ,@no-manual install)
   cleanup: '(rm -rf /out/usr/share/doc)))
