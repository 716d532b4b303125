;; libsodium: the NaCl-style cryptography library (static libsodium.a,
;; sodium.h and sodium/, libsodium.pc).
;;
;; Source: NOT upstream's release file.  Debian 12's
;; libsodium_1.0.18.orig.tar.gz (source package libsodium
;; 1.0.18-1+deb12u1; sha256
;; d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4 in
;; Debian's signed Sources index) is GitHub's archive of upstream's git
;; tag 1.0.18, with no configure script; upstream's
;; libsodium-1.0.18.tar.gz, which has one, is another file and cannot be
;; had here.  So the build runs autoreconf first, with Debian's
;; autoconf, automake and libtool ((distill autotools)), as upstream's
;; autogen.sh does.  Debian's one patch (CVE-2025-69277, +deb12u1) is
;; not applied.
(define-module (pkg libsodium)
  #:use-module (distill package)
  #:use-module (distill autotools)
  #:export (libsodium))

(define libsodium
  (cmmi-package
   "libsodium" "1.0.18"
   "https://github.com/jedisct1/$name/archive/$version.tar.gz"
   ;; Debian's file, by its BLAKE2b pin (the mirror holds it under that
   ;; name: scripts/fill-mirror).
   "OpGV4mu5ddZ1pjYkGNa7DBbJUat5h4SE8fnENlRIoXw="
   license: "ISC"
   tools: (list autoreconf-tools)
   prepare: autoreconf))
