;; libcap: the POSIX capabilities library (libcap.a, sys/capability.h,
;; libcap.pc), static, for programs that drop root but keep a capability:
;; chronyd keeps CAP_SYS_TIME as its own user.
(define-module (pkg libcap)
  #:use-module (distill package)
  #:use-module (distill execline)
  #:export (libcap))

(define options
  ;; Make.Rules' defaults ask the build machine: `ldd /usr/bin/ld' for
  ;; the library directory, `go version', `which gperf', the PAM headers.
  ;; Static only; no libpsx (PTHREADS=no: it is for Go and for setting
  ;; capabilities across threads, which chronyd does not need).
  '(lib=lib prefix=/usr SHARED=no PTHREADS=no GOLANG=no USE_GPERF=no PAM_CAP=no))

(define libcap
  (cc-package
   "libcap" "2.66"
   ;; Debian's URL and bytes: Debian 12's libcap2_2.66.orig.tar.xz,
   ;; sha256 from Debian's signed Sources index (source package libcap2
   ;; 2.66-4+deb12u3).  Its watch file takes upstream's
   ;; libcap-2.66.tar.xz from kernel.org without repacking, but kernel.org
   ;; signs the uncompressed tar and that signature cannot be had here, so
   ;; the pin is not claimed to be upstream's.  Debian's patches are not
   ;; applied: they fix libpsx (not built), cap_set_file (not used by
   ;; chronyd) and strings longer than 2^31 bytes in the text functions
   ;; (chronyd passes cap_from_text fewer than 256).
   "mirror://debian/pool/main/libc/libcap2/libcap2_$version.orig.tar.xz"
   "sha256:15c40ededb3003d70a283fe587a36b7d19c8b3b554e33f86129c059a4bb466b2"
   license: "BSD-3-Clause OR GPL-2.0-only"
   ;; CFLAGS from the environment; CC on the command line, where
   ;; Make.Rules' own `CC := gcc' cannot win.  _makenames, which writes
   ;; cap_names.h, runs on the build machine.
   env: (list $cc-env)
   use-native-cc: #t
   build: `(if (make -C libcap ,$make-overrides ,@options ,(elconc 'CC= $CC)
                     ,(elconc 'BUILD_CC= $build-CC) ,(el= 'BUILD_CFLAGS= $build-CFLAGS)
                     libcap.a libcap.pc)
            if (mkdir -p /out/usr/include/sys /out/usr/lib/pkgconfig)
            if (cp libcap/libcap.a /out/usr/lib/)
            if (cp libcap/libcap.pc /out/usr/lib/pkgconfig/)
            cp libcap/include/sys/capability.h /out/usr/include/sys/)))
