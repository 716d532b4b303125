;; squashfs-tools: mksquashfs and unsquashfs, with gzip, xz and zstd
;; compression (zstd by default).
(define-module (pkg squashfs-tools)
  #:use-module (distill package)
  #:use-module (pkg zlib)
  #:use-module (pkg xz)
  #:use-module (pkg zstd)
  #:export (squashfs-tools))

(define squashfs-tools
  (cc-package
   "squashfs-tools" "4.5.1"
   "https://downloads.sourceforge.net/project/squashfs/squashfs/squashfs$version/$name-$version.tar.gz"
   ;; squashfs-tools-4.5.1.tar.gz as upstream released it, sha256
   ;; 277b6e7f75a4a57f72191295ae62766a10d627a4f5e5f19eadfbc861378deea7 (the
   ;; same file as GitHub's archive of tag 4.5.1); Debian 12's
   ;; squashfs-tools_4.5.1.orig.tar.gz is the same file.
   "sha256:277b6e7f75a4a57f72191295ae62766a10d627a4f5e5f19eadfbc861378deea7"
   license: "GPL-2.0-or-later"
   dir: "squashfs-tools-4.5.1/squashfs-tools"
   libs: (list zlib xz zstd)
   ;; The Makefile adds to CFLAGS (-DZSTD_SUPPORT...), so CFLAGS comes
   ;; from the environment, not from make's arguments.
   env: (list $cc-env)
   build: `(if (make ,$make-overrides GZIP_SUPPORT=1 XZ_SUPPORT=1 ZSTD_SUPPORT=1
                     LZO_SUPPORT=0 LZ4_SUPPORT=0 XATTR_SUPPORT=1 COMP_DEFAULT=zstd
                     mksquashfs unsquashfs)
            if (mkdir -p /out/usr/bin)
            if (cp mksquashfs unsquashfs /out/usr/bin/)
            ,$strip-cmd)))
