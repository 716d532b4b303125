;; pcre2: Perl-compatible regular expressions, the 8-bit library
;; (static libpcre2-8.a and libpcre2-posix.a, their headers and
;; pkg-config files), with the JIT compiler.
;;
;; Source: pcre2-10.42.tar.gz as upstream released it; Debian 12's
;; pcre2_10.42.orig.tar.gz (source package pcre2 10.42-1) is that file
;; (the sha256 below is in Debian's signed Sources index; no repack
;; suffix).  Debian's later security patches (10.42-1+deb12u2) are not
;; applied: their diff is no longer served here.
;;
;; pcre2grep, pcre2test and the pcre2-config script are not installed
;; (pkg-config's files say the same), nor the HTML documentation.
(define-module (pkg pcre2)
  #:use-module (distill package)
  #:export (pcre2))

(define pcre2
  (cmmi-package
   "pcre2" "10.42"
   "https://github.com/PCRE2Project/$name/releases/download/$name-$version/$name-$version.tar.gz"
   "sha256:c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f"
   license: "BSD-3-Clause WITH PCRE2-exception"
   extra-configure: '(--enable-jit --disable-pcre2grep-jit)
   cleanup: '(rm -rf /out/usr/bin /out/usr/share/doc)))
