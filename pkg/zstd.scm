;; zstd: the zstd compressor and libzstd (static, with its headers and
;; pkg-config file).
(define-module (pkg zstd)
  #:use-module (distill package)
  #:export (zstd))

;; The library's and the program's Makefiles take these as arguments:
;; threads on; no zlib, lzma or lz4 formats in the program (it handles
;; .zst only); no legacy (pre-1.0) formats or deprecated API.
(define options
  '(HAVE_PTHREAD=1 HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0
    ZSTD_LEGACY_SUPPORT=0 ZSTD_LIB_DEPRECATED=0))

(define zstd
  (cc-package
   "zstd" "1.5.4"
   ;; Debian's URL, not upstream's: Debian 12's source package libzstd
   ;; 1.5.4+dfsg2-5 repacks upstream's release (its debian/copyright
   ;; Files-Excluded drops the Windows build files: build/VS2008,
   ;; build/VS2010, build/VS_scripts, programs/windres, and the CI files
   ;; appveyor.yml, .travis.yml, .circleci, .cirrus.yml, .buckconfig,
   ;; .buckversion) and recompresses it with xz.  These are Debian's
   ;; bytes, libzstd_1.5.4+dfsg2.orig.tar.xz, sha256 from Debian's signed
   ;; Sources index; upstream's zstd-1.5.4.tar.gz is another file.  The
   ;; top directory is still zstd-1.5.4.
   "mirror://debian/pool/main/libz/libzstd/libzstd_$version+dfsg2.orig.tar.xz"
   "sha256:8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953"
   license: "BSD-3-Clause OR GPL-2.0-only"
   dir: "zstd-1.5.4"
   env: (list $cc-env)
   ;; The library is made multi-threaded (the -mt targets; upstream's
   ;; static default is single-threaded).  Installed by hand: the seed
   ;; has no `install' program.
   build: `(if (make -C lib ,$make-overrides ,@options PREFIX=/usr
                     libzstd.a-mt libzstd.pc-mt)
            if (make -C programs ,$make-overrides ,@options zstd)
            if (mkdir -p /out/usr/bin /out/usr/include /out/usr/lib/pkgconfig)
            if (cp programs/zstd /out/usr/bin/)
            if (cp lib/libzstd.a /out/usr/lib/)
            if (cp lib/libzstd.pc /out/usr/lib/pkgconfig/)
            if (cp lib/zstd.h lib/zstd_errors.h lib/zdict.h /out/usr/include/)
            ,$strip-cmd)))
