;; mtools: mcopy, mdir, mformat... (one mtools program and its links),
;; to put files in FAT images without mounting them.
(define-module (pkg mtools)
  #:use-module (distill package)
  #:export (mtools))

(define mtools
  (cmmi-package
   "mtools" "4.0.32"
   ;; Debian's URL and bytes, not upstream's: Debian 12's mtools is
   ;; 4.0.33-1+really4.0.32-1, a return to upstream 4.0.32 (4.0.33 broke
   ;; the Debian installer on ARM); its orig tarball is mtools-4.0.32
   ;; repacked under the top directory mtools-4.0.33-1+really4.0.32, so
   ;; its bytes are not upstream's mtools-4.0.32.tar.bz2
   ;; (https://ftp.gnu.org/gnu/mtools/).  sha256 from Debian's signed
   ;; Sources index.
   "mirror://debian/pool/main/m/mtools/mtools_4.0.33-1+really$version.orig.tar.bz2"
   "sha256:d540ca05fb1726d7218bb9f8df8742e6cb301129a20333b0b41c6b2c357c788e"
   license: "GPL-3.0-or-later"
   dir: "mtools-4.0.33-1+really4.0.32"
   ;; No floppyd (it needs X11); the mtools program and its links only
   ;; (no man or info pages, no scripts).
   extra-configure: '(--disable-floppyd --without-x)
   override-make: (list 'mtools $make-overrides)
   override-install: '(DESTDIR=/out install-links)))
