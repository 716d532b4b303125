;; libffi: calls to functions whose signature is known only at run time
;; (static libffi.a, ffi.h and ffitarget.h, libffi.pc).
;;
;; Source: libffi-3.4.4.tar.gz as upstream released it; Debian 12's
;; libffi_3.4.4.orig.tar.gz (source package libffi 3.4.4-1) is that file
;; (the sha256 below is in Debian's signed Sources index; no repack
;; suffix).
(define-module (pkg libffi)
  #:use-module (distill package)
  #:use-module (pkg busybox)
  #:export (libffi))

(define libffi
  (cmmi-package
   "libffi" "3.4.4"
   "https://github.com/$name/$name/releases/download/v$version/$name-$version.tar.gz"
   "sha256:d66c56ad259a82cf2a9dfc408b32bf5da52371500b84745f7fb8b645712df676"
   license: "MIT"
   ;; libtool looks for a C++ preprocessor even with no C++ to build (the
   ;; toolchain has none): the C one, told the input is C, passes its
   ;; check (as in pkg/gmp.scm).
   env: `((CXXCPP ,$CC -x c -E))
   ;; src/tramp.c includes <linux/limits.h>.
   libs: (list linux-uapi-headers)
   ;; The library in /usr/lib whatever gcc's multilib directory is; no
   ;; info manual.
   extra-configure: '(--disable-multi-os-directory --disable-docs)))
