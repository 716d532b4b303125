;; e2fsprogs: mke2fs (mkfs.ext2/3/4), e2fsck, debugfs, tune2fs and the
;; other programs of misc/, static, with e2fsprogs' own libuuid and
;; libblkid.
(define-module (pkg e2fsprogs)
  #:use-module (distill package)
  #:export (e2fsprogs))

(define e2fsprogs
  (cmmi-package
   "e2fsprogs" "1.47.0"
   "https://downloads.sourceforge.net/project/$name/$name/v$version/$name-$version.tar.gz"
   ;; e2fsprogs-1.47.0.tar.gz as upstream released it, sha256
   ;; 6667afde56eef0c6af26684974400e4d2288ea49e9441bf5e6229195d51a3578;
   ;; Debian 12's e2fsprogs_1.47.0.orig.tar.gz is the same file.
   "sha256:6667afde56eef0c6af26684974400e4d2288ea49e9441bf5e6229195d51a3578"
   license: "GPL-2.0-only AND LGPL-2.0-only AND BSD-3-Clause AND MIT"
   ;; What mke2fs, e2fsck and debugfs need, and no more: no shared
   ;; libraries, no resize2fs, e4defrag, e2image, fuse2fs, uuidd, fsck
   ;; wrapper or initrd helper; nothing for cron, systemd or udev.
   ;; mkfs.ext4, fsck.ext4, e2label... are symbolic links.
   extra-configure: '(--disable-elf-shlibs --disable-bsd-shlibs --disable-profile
                      --enable-symlink-install
                      --enable-libuuid --enable-libblkid
                      --disable-resizer --disable-defrag --disable-imager
                      --disable-fuse2fs --disable-uuidd --disable-fsck
                      --disable-e2initrd-helper --disable-tdb --disable-backtrace
                      --disable-rpath
                      --with-crond-dir=no --with-systemd-unit-dir=no
                      --with-udev-rules-dir=no)
   ;; The libraries and programs, not the info manual; installed are the
   ;; programs only (no libraries or headers, no man pages).
   override-make: (list $make-overrides 'libs 'progs)
   override-install: '(DESTDIR=/out install-progs-recursive)
   ;; e2scrub is for LVM volumes (shell scripts run by cron or systemd).
   cleanup: '(rm -f /out/usr/sbin/e2scrub /out/usr/sbin/e2scrub_all /out/etc/e2scrub.conf)))
