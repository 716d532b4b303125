;; zlib: the compression library (static libz.a and its headers only).
(define-module (pkg zlib)
  #:use-module (distill package)
  #:export (zlib))

(define zlib
  (cmmi-package
   "zlib" "1.2.13"
   ;; Upstream's URL, but NOT upstream's bytes: the pin is Debian 12's
   ;; repack, zlib_1.2.13.dfsg.orig.tar.bz2 of the source package zlib
   ;; 1:1.2.13.dfsg-1 (sha256
   ;; 71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1,
   ;; from Debian's signed Sources index).  Debian recompressed it with
   ;; bzip2, renamed its top directory zlib-1.2.13.dfsg and removed most
   ;; of contrib/ (it keeps minizip only); upstream's zlib-1.2.13.tar.gz
   ;; has sha256 b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30
   ;; and does not match this pin.  The source comes from a mirror that
   ;; holds Debian's file under this pin (scripts/fill-mirror).
   "https://zlib.net/fossils/$name-$version.tar.gz"
   "6cKAI3gT2SoGM763MwNfvN5hR_h1iUJnqoZO_9R1-98="
   license: "Zlib"
   dir: "zlib-1.2.13.dfsg"
   ;; zlib's configure is its own, not autoconf's.
   override-configure: '(--static --prefix=/usr)
   override-make: `(libz.a ,$make-overrides)))
