;; pkgconf: the pkg-config program (/usr/bin/pkgconf, and pkg-config
;; linking to it) and its library, libpkgconf.a with its headers.
;;
;; Source: pkgconf-1.8.1.tar.xz as upstream released it; Debian 12's
;; pkgconf_1.8.1.orig.tar.xz (source package pkgconf 1.8.1-1) is that
;; file (the sha256 below is in Debian's signed Sources index; no repack
;; suffix).  Every directory in it has the setgid bit (drwxr-sr-x), which
;; distill's unpacker refuses in an archive artifact, and it is an old
;; (v7) tar, without the ustar magic that busybox's tar requires: so the
;; tarball is a plain file input, decompressed by busybox's xzcat and
;; unpacked by Perl's Archive::Tar (Debian's perl of (pkg openssl)'s
;; openssl-build-packages) in a plan of its own, pkgconf-1.8.1-source,
;; which drops the bit; its tree is the source the build configures.
;;
;; It searches /usr/lib/pkgconfig and /usr/share/pkgconfig, and treats
;; /usr/lib and /usr/include as the system's (left out of --libs and
;; --cflags), where every package here installs.  pkg.m4 (autoconf's
;; PKG_CHECK_MODULES) stays; the documentation goes.
(define-module (pkg pkgconf)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:use-module (pkg openssl)
  #:export (pkgconf))

(define tarball
  (remote-file "https://distfiles.ariadne.space/pkgconf/pkgconf-1.8.1.tar.xz"
               "sha256:644361ada2942be05655d4452eb018791647c31bba429b287f1f68deb2dc6840"
               "/src/pkgconf-1.8.1.tar.xz" #o644))

(define perl-debs (pinned-debs openssl-build-packages))

(define source
  (package-template
   #:label "pkgconf-1.8.1-source"
   #:license "ISC"
   #:src (list tarball)
   #:tools (list (lambda (conf) (perl-debs)))
   #:env '((LC_ALL . C))
   #:build '(if (mkdir -p /out)
             if (redirfd -w 1 /pkgconf.tar xzcat /src/pkgconf-1.8.1.tar.xz)
             if (cd /out perl -MArchive::Tar
                    -e "$Archive::Tar::CHOWN = 0; Archive::Tar->new(shift)->extract or die Archive::Tar->error"
                    /pkgconf.tar)
             chmod -R g-s /out)))

(define pkgconf
  (cmmi-package
   "pkgconf" "1.8.1" #f tarball
   license: "ISC"
   extra-src: (list source)
   extra-configure: '(--with-pkg-config-dir=/usr/lib/pkgconfig:/usr/share/pkgconfig
                      --with-system-libdir=/usr/lib
                      --with-system-includedir=/usr/include)
   cleanup: '(if (rm -rf /out/usr/share/doc)
              ln -s pkgconf /out/usr/bin/pkg-config)))
