;; memcached: the in-memory key-value cache daemon, 1.6.18
;; (/usr/bin/memcached, static, linked with pkg/libevent's libevent.a;
;; the headers protocol_binary.h and xxhash.h in /usr/include/memcached).
;;
;; Source: NOT upstream's release file.  Debian 12's
;; memcached_1.6.18.orig.tar.xz (source package memcached
;; 1.6.18-1+deb12u1, on Debian's security archive; sha256 below, in
;; Debian's signed Sources index) holds the tree of upstream's release
;; (top directory memcached-1.6.18, with its generated configure script)
;; compressed with xz; upstream releases memcached-1.6.18.tar.gz, another
;; file, which cannot be had here.
;; Debian's patches of 1.6.18-1+deb12u1 that touch the C code are
;; applied, in its series' order, from its debian.tar.xz (sha256
;; 7a4aa3c89fa1e3476a7503696f38a8103b6b4d6c66b5bb9958ea4fa0596f5c04 in
;; the same index; scripts/fill-mirror fetches it): a possibly
;; uninitialised variable in logger.c, and
;; the security fixes CVE-2026-47783 and -47784 (sasl_defs.c),
;; CVE-2023-46852 (proto_proxy.c) and CVE-2023-46853 (proxy.h,
;; proxy_request.c).  The files those three fix are compiled only with
;; SASL or the proxy, both left out here; the fixes are applied all the
;; same, so that turning either on never builds the unfixed code.  Left
;; out are Debian's five patches of its init script and systemd unit
;; (scripts/), which are not installed.
;;
;; Configure: --enable-static (memcached's own option: a static binary),
;; no SASL (it would need Cyrus SASL), no TLS, no proxy (Lua), no seccomp
;; (no libseccomp package), no documentation (xml2rfc); extstore (the
;; flash/disk extension) is upstream's default and kept.
(define-module (pkg memcached)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (pkg libevent)
  #:export (memcached))

(define debian-patches
  ;; debian/patches/series of 1.6.18-1+deb12u1, less its 0001 to 0006
  ;; (init script and systemd unit).
  '("0007-uninitialized-variables.patch" "0008-CVE-2026-47783-CVE-2026-47784.patch"
    "0009-CVE-2023-46852.patch" "CVE-2023-46853.patch"))

(define memcached
  (cmmi-package
   "memcached" "1.6.18"
   "mirror://debian-security/pool/updates/main/m/memcached/memcached_1.6.18.orig.tar.xz"
   "sha256:35872bd25f8d29d7cc2072d23e74344530891bfd0aa4f4f64184a8ae7291164b"
   license: "BSD-3-Clause"
   extra-src: (list (remote-archive
                     "mirror://debian-security/pool/updates/main/m/memcached/memcached_1.6.18-1+deb12u1.debian.tar.xz"
                     "sha256:7a4aa3c89fa1e3476a7503696f38a8103b6b4d6c66b5bb9958ea4fa0596f5c04"
                     #:path "/src"))
   libs: (list libevent)
   prepare: (debian-patch-steps debian-patches)
   extra-configure: '(--disable-sasl --disable-tls --disable-docs
                      --disable-coverage --disable-seccomp)))
