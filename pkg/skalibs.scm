;; skalibs: skarnet.org's C library (libskarnet.a, its headers and sysdeps),
;; what execline and s6 are built with.
(define-module (pkg skalibs)
  #:use-module (distill package)
  #:export (skalibs))

(define skalibs
  (cmmi-package
   "skalibs" "2.13.1.1"
   ;; Debian's URL, not upstream's: Debian 12's skalibs_2.13.1.1.orig.tar.gz
   ;; is not skarnet.org's skalibs-2.13.1.1.tar.gz (sha256
   ;; b272a1ab799f7fac44b9b4fb5ace78a9616b2fe4882159754b8088c4d8199e33):
   ;; Debian's watch file makes it from upstream's git tag v2.13.1.1
   ;; (uscan mode=git), so it also holds .gitignore.  These are Debian's
   ;; bytes, sha256 from Debian's signed Sources index.
   "mirror://debian/pool/main/s/skalibs/skalibs_$version.orig.tar.gz"
   "sha256:e5821fa3378bf7c19d2a3f55570367236a896964d2166a97b5fd8e01b42940ab"
   license: "ISC"
   ;; skalibs' configure is its own: libskarnet.a and sysdeps go to
   ;; /usr/lib/skalibs, headers to /usr/include/skalibs.  The compiler
   ;; reports gcc's own target (-dumpmachine), not --host, so configure
   ;; takes this for a cross build and needs to be told that /dev/urandom
   ;; exists.
   override-configure: `(--prefix=/usr --disable-shared --enable-static
                         ,(lambda (conf) (string-append "--host=" (symbol->string ($triple conf))))
                         --with-sysdep-devurandom=yes)))
