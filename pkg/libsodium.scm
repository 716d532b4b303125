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
;; autogen.sh does.  Debian's one patch of 1.0.18-1+deb12u1,
;; CVE-2025-69277.patch (upstream's ad3004ec: crypto_core_ed25519_is_valid_point
;; checks Y == Z too), is applied from its debian.tar.xz (sha256
;; f410474e46346b06b162defa05b1be26906aeed6cf309e3d4ebe30b4d1350733 in
;; the same index; scripts/fill-mirror fetches it).
(define-module (pkg libsodium)
  #:use-module (distill plan)
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
   extra-src: (list (remote-archive
                     "mirror://debian/pool/main/libs/libsodium/libsodium_1.0.18-1+deb12u1.debian.tar.xz"
                     "sha256:f410474e46346b06b162defa05b1be26906aeed6cf309e3d4ebe30b4d1350733"
                     #:path "/src"))
   tools: (list autoreconf-tools)
   prepare: `(,@(debian-patch-steps '("CVE-2025-69277.patch")) ,@autoreconf)))
