;; dosfstools: mkfs.fat, fsck.fat and fatlabel.
(define-module (pkg dosfstools)
  #:use-module (distill package)
  #:export (dosfstools))

(define dosfstools
  (cmmi-package
   "dosfstools" "4.2"
   "https://github.com/$name/$name/releases/download/v$version/$name-$version.tar.gz"
   ;; dosfstools-4.2.tar.gz as upstream released it, sha256
   ;; 64926eebf90092dca21b14259a5301b7b98e7b1943e8a201c7d726084809b527;
   ;; Debian 12's dosfstools_4.2.orig.tar.gz is the same file.
   "sha256:64926eebf90092dca21b14259a5301b7b98e7b1943e8a201c7d726084809b527"
   license: "GPL-3.0-or-later"
   ;; The programs only: no mkdosfs/dosfsck compatibility links, no docs.
   extra-configure: '(--disable-compat-symlinks)
   override-install: '(DESTDIR=/out install-exec)))
