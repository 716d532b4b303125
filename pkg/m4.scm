;; GNU m4, the macro processor.
(define-module (pkg m4)
  #:use-module (distill package)
  #:export (m4))

(define m4
  (cmmi-package
   "m4" "1.4.19"
   "https://ftp.gnu.org/gnu/$name/$name-$version.tar.xz"
   ;; m4-1.4.19.tar.xz, sha256
   ;; 63aede5c6d33b6d9b13511cd0be2cac046f2e70fd0a07aa9573a04a82783af96 as
   ;; GNU publishes it; Debian 12's m4_1.4.19.orig.tar.xz is the same file.
   "dEzdhruNRYCcpzfuf2tW7O_uM8iueb8FLz7iHscGyZ0="
   license: "GPL-3.0-or-later"
   ;; Only the library and the program: not the examples, the manual,
   ;; the translations or gnulib's tests.
   override-make: `("SUBDIRS=lib src" ,$make-overrides)
   override-install: '("SUBDIRS=lib src" DESTDIR=/out install)
   ;; m4 installs only /usr/lib/charset.alias in /usr/lib.
   cleanup: '(rm -rf /out/usr/lib)))
