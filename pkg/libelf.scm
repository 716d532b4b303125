;; libelf: elfutils' ELF library alone, static (/usr/lib/libelf.a, with
;; libelf.h, gelf.h, nlist.h, elfutils/elf-knowledge.h,
;; elfutils/version.h and libelf.pc, as Debian's libelf-dev has them),
;; linked against pkg/zlib.scm's libz for compressed sections: upstream
;; distill's libelf, "just libelf.a and headers".  None of the rest of
;; elfutils (libdw, libasm, the eu-* programs, debuginfod) is built.
;;
;; Source: elfutils-0.188.tar.bz2 as upstream released it, the upstream
;; version of Debian 12's source package elfutils 0.188-2.1 (bookworm
;; main).  Debian's elfutils_0.188.orig.tar.bz2 (sha256 below, from
;; Debian's signed Sources index) is upstream's file: upstream's detached
;; signature, which Debian ships as elfutils_0.188.orig.tar.bz2.asc,
;; verifies over it with gpgv and the key in Debian's
;; debian/upstream/signing-key.asc (Mark Wielaard,
;; 12768A96795990107A0D2FDFFC57E3CCACD99A78).  scripts/fill-mirror takes
;; it from Debian.  Debian's patches are not applied: none of those its
;; series applies touches libelf on Linux.
;;
;; No patch is needed for musl: elfutils 0.188's libelf already does
;; without error.h (lib/system.h's err.h branch), rawmemchr, reallocarray
;; and <sys/cdefs.h>.  What musl lacks is what the rest of elfutils needs
;; (argp for the programs and libdwfl, fts for libdwfl, obstack for libdw
;; and libasm), and configure refuses to run without them.  Upstream's
;; configure is kept (it writes config.h from what it finds in musl and
;; the toolchain) and its three searches are answered through autoconf's
;; cache variables, "none required": nothing built here calls argp, fts or
;; obstack, so no library is wanted for them.  bzip2, lzma and zstd are
;; off (libelf 0.188 uses zlib alone), as are debuginfod and its client.
(define-module (pkg libelf)
  #:use-module (distill package)
  #:use-module (pkg zlib)
  #:export (libelf))

(define libelf
  (cmmi-package
   "libelf" "0.188"
   "https://sourceware.org/elfutils/ftp/$version/elfutils-$version.tar.bz2"
   "sha256:fb8b0e8d0802005b9a309c60c1d8de32dd2951b56f0c3a3cb56d21ce01595dff"
   license: "LGPL-3.0-or-later OR GPL-2.0-or-later"
   dir: "elfutils-0.188"
   libs: (list zlib)
   env: '((ac_cv_search_argp_parse . "none required")
          (ac_cv_search_fts_close . "none required")
          (ac_cv_search__obstack_free . "none required"))
   extra-configure: '(--without-bzlib --without-lzma --without-zstd
                      --disable-debuginfod --disable-libdebuginfod)
   ;; libelf.a alone: libelf's `all' would link libelf.so too.  Its
   ;; sources take the two helpers they need from lib/ (crc32.c,
   ;; next_prime.c) by #include, so lib/'s libeu.a is not needed.
   override-make: `(-C libelf ,$make-overrides libelf.a)
   override-install: '(-C libelf DESTDIR=/out install-libLIBRARIES
                       install-includeHEADERS install-pkgincludeHEADERS)
   cleanup: '(if (mkdir -p /out/usr/lib/pkgconfig)
              if (cp version.h /out/usr/include/elfutils/)
              cp config/libelf.pc /out/usr/lib/pkgconfig/)))
